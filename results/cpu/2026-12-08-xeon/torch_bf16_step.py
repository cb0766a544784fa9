#!/usr/bin/python3
"""AlexNet's training step at batch 128 in PyTorch under CPU bf16 autocast,
timed as ../shared/anchors/torch_cpu.py times its FP32 step (same model,
same counting of FLOPs), optionally in channels-last.
usage: /usr/bin/python3 torch_bf16_step.py ANCHORS_DIR [--channels-last]"""
import statistics, sys, time, resource
sys.path.insert(0, sys.argv[1])
import torch
from torch import nn
import torch_cpu

torch.set_num_threads(2)
torch.manual_seed(0)
net = torch_cpu.alexnet()
_, fwd = torch_cpu.layer_flops(net)
B = 128
x, y = torch.randn(B, 1, 224, 224), torch.randint(0, 10, (B,))
cl = '--channels-last' in sys.argv
if cl:
    net = net.to(memory_format=torch.channels_last)
    x = x.to(memory_format=torch.channels_last)
opt = torch.optim.SGD(net.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()

def step():
    opt.zero_grad()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        l = loss_fn(net(x), y)
    l.backward()
    opt.step()

for _ in range(2):
    step()
times = []
for _ in range(4):
    t0 = time.perf_counter(); step(); times.append(time.perf_counter() - t0)
med = statistics.median(times)
flops = (3 * fwd - 2 * 96 * 54 * 54 * 121) * B
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"RESULT torch {torch.__version__} bf16 autocast channels_last={cl} batch={B} "
      f"s/iter med={med:.4f} min={min(times):.4f} max={max(times):.4f} img/s med={B/med:.1f} "
      f"GFLOP/s(eff) med={flops/med/1e9:.1f} maxRSS_MiB={rss:.0f}")
