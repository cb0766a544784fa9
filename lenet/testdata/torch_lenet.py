#!/usr/bin/python3
"""The book's LeNet nets in PyTorch, beside tensorforge's (package lenet).

Train the book's recipe on the CPU, printing each epoch as `lenet` does:

    /usr/bin/python3 lenet/testdata/torch_lenet.py --model lenet-bn --train

Load weights that `lenet -save` wrote into the same nn.Sequential with
load_state_dict (strict: every name, shape and buffer must match) and
measure their test accuracy in evaluation mode:

    /usr/bin/python3 lenet/testdata/torch_lenet.py --model lenet-bn --load lenet-bn.safetensors

Needs PyTorch and the standard library only: the safetensors file is read
here, and the data from data/fashion-mnist.
"""
import argparse
import gzip
import json
import os
import struct
import time

import torch
from torch import nn

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data", "fashion-mnist")


def lenet():  # ch. 7.6
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


def lenet_bn():  # ch. 8.5, concise implementation
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), nn.BatchNorm2d(6), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(256, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
        nn.Linear(84, 10))


MODELS = {"lenet": (lenet, 0.9), "lenet-bn": (lenet_bn, 1.0)}
DTYPES = {"F32": torch.float32, "I64": torch.int64, "F64": torch.float64}


def read_idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        b = f.read()
    dims = b[3]
    shape = struct.unpack(">" + "I" * dims, b[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(b[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def fashion(split):
    images = read_idx(f"{split}-images-idx3-ubyte.gz").float().div(255).unsqueeze(1)
    labels = read_idx(f"{split}-labels-idx1-ubyte.gz").long()
    return images, labels


def read_safetensors(path):
    with open(path, "rb") as f:
        b = f.read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    header.pop("__metadata__", None)
    data = b[8 + n:]
    out = {}
    for name, t in header.items():
        lo, hi = t["data_offsets"]
        v = torch.frombuffer(bytearray(data[lo:hi]), dtype=DTYPES[t["dtype"]])
        out[name] = v.reshape(t["shape"])
    return out


def accuracy(net, images, labels, batch=256):
    net.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(labels), batch):
            correct += (net(images[i:i + batch]).argmax(1) == labels[i:i + batch]).sum().item()
    return correct / len(labels)


def train(net, lr, epochs, batch, seed):
    train_x, train_y = fashion("train")
    test_x, test_y = fashion("t10k")
    torch.manual_seed(seed)
    for m in net:  # D2L's train_ch6 initialisation
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(1, epochs + 1):
        net.train()
        start, total, correct, loss_sum = time.time(), 0, 0, 0.0
        order = torch.randperm(len(train_y))
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            x, y = train_x[idx], train_y[idx]
            opt.zero_grad()
            out = net(x)
            loss = loss_fn(out, y)
            loss.backward()
            opt.step()
            total += len(y)
            loss_sum += loss.item() * len(y)
            correct += (out.argmax(1) == y).sum().item()
        seconds = time.time() - start
        print(f"epoch {epoch}: loss {loss_sum / total:.4f}, train acc {correct / total:.4f}, "
              f"test acc {accuracy(net, test_x, test_y):.4f}, {total / seconds:.0f} img/s, {seconds:.1f} s", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=MODELS, default="lenet")
    p.add_argument("--load")
    p.add_argument("--train", action="store_true")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    make, lr = MODELS[a.model]
    net = make()
    if a.load:
        net.load_state_dict(read_safetensors(a.load), strict=True)
        test_x, test_y = fashion("t10k")
        print(f"{a.load}: loaded into PyTorch {torch.__version__}'s nn.Sequential (strict); "
              f"test accuracy {accuracy(net, test_x, test_y):.4f}")
    if a.train:
        print(f"PyTorch {torch.__version__}, {a.model}, {a.threads} threads: {a.epochs} epochs, batch {a.batch}, lr {lr}")
        train(net, lr, a.epochs, a.batch, a.seed)


if __name__ == "__main__":
    main()
