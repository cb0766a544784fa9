#!/usr/bin/python3
"""PyTorch's CPU training step of the book's AlexNet at batch 128 under
bf16 autocast (the products in bfloat16, as tensorforge's -precision
bf16), beside its float32 step, on the same threads:

    OMP_NUM_THREADS=2 /usr/bin/python3 torch_bf16_step.py --threads 2 --reps 3
"""
import argparse
import statistics
import time

import torch
from torch import nn


def alexnet():
    return nn.Sequential(
        nn.Conv2d(1, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2), nn.Flatten(),
        nn.Linear(6400, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 10))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = alexnet()
    x, y = torch.randn(128, 1, 224, 224), torch.randint(0, 10, (128,))
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    for precision in ("fp32", "bf16"):
        def step():
            opt.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
                loss = loss_fn(net(x), y)
            loss.backward()
            opt.step()
        step()  # warm-up
        times = []
        for _ in range(a.reps):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        print(f"PyTorch {torch.__version__} {precision}: step {statistics.median(times):.3f} s "
              f"(min {min(times):.3f}, max {max(times):.3f}), {128 / statistics.median(times):.1f} img/s", flush=True)


if __name__ == "__main__":
    main()
