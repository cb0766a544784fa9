#!/usr/bin/python3
"""The book's nets that `d2l` trains, in PyTorch, beside tensorforge's
(packages lenet, vgg, nin, googlenet, resnet and densenet).

Train the book's recipe on the CPU, printing each epoch as `d2l` does:

    /usr/bin/python3 cmd/d2l/testdata/torch_d2l.py --model lenet-bn --train

Load weights that `d2l -save` wrote into the same nn.Sequential with
load_state_dict (strict: every name, shape and buffer must match) and
measure their test accuracy in evaluation mode:

    /usr/bin/python3 cmd/d2l/testdata/torch_d2l.py --model lenet-bn --load lenet-bn.safetensors

With --names d2l (or d2l-0.17) the network is the book's own module tree
of the same layers, which loads what `d2l -names d2l -save` writes; --save
writes its weights for `d2l -load`. --state-dict-names prints every book
tree's names and shapes, which cmd/d2l's tests hold the namings to:

    /usr/bin/python3 cmd/d2l/testdata/torch_d2l.py --state-dict-names >cmd/d2l/testdata/book_state_dicts.txt

VGG's and NiN's images are resized to 224x224 and the others' but LeNet's to 96x96 as `d2l`
resizes them (bilinear, align_corners false), a batch at a time.

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

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "..", "data", "fashion-mnist")


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


VGG_ARCH = [(1, 16), (1, 32), (2, 64), (2, 128), (2, 128)]  # VGG-11's channels divided by 4, as the book trains it


def vgg_block(cin, cout, convs):
    layers = []
    for _ in range(convs):
        layers += [nn.Conv2d(cin, cout, kernel_size=3, padding=1), nn.ReLU()]
        cin = cout
    return layers + [nn.MaxPool2d(kernel_size=2, stride=2)]


def vgg_head(cin):
    return [nn.Flatten(), nn.Linear(cin * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, 10)]


def vgg_blocks():
    blocks, cin = [], 1
    for convs, cout in VGG_ARCH:
        blocks.append(vgg_block(cin, cout, convs))
        cin = cout
    return blocks


def vgg11():  # ch. 8.2, its blocks' layers in one flat list, as package vgg
    return nn.Sequential(*[l for b in vgg_blocks() for l in b], *vgg_head(VGG_ARCH[-1][1]))


def nin_block(cin, cout, kernel, stride, padding):
    return [nn.Conv2d(cin, cout, kernel, stride, padding), nn.ReLU(),
            nn.Conv2d(cout, cout, kernel_size=1), nn.ReLU(),
            nn.Conv2d(cout, cout, kernel_size=1), nn.ReLU()]


def nin():  # ch. 8.3, its blocks' layers in one flat list, as package nin
    return nn.Sequential(
        *nin_block(1, 96, 11, 4, 0), nn.MaxPool2d(3, stride=2),
        *nin_block(96, 256, 5, 1, 2), nn.MaxPool2d(3, stride=2),
        *nin_block(256, 384, 3, 1, 1), nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.5),
        *nin_block(384, 10, 3, 1, 1),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())


class Concat(nn.ModuleList):
    """The branches' outputs concatenated along the channels, as package
    nn's Concat: the book's Inception block (ch. 8.4) with each branch's
    layers in an nn.Sequential, its ReLUs included."""

    def __init__(self, *branches):
        super().__init__(nn.Sequential(*b) for b in branches)

    def forward(self, x):
        return torch.cat([b(x) for b in self], dim=1)


# Each Inception block's channels, stage by stage: the 1x1 branch's, the
# 3x3 branch's reduction and output, the 5x5 branch's, the pool branch's.
INCEPTIONS = [
    [(64, 96, 128, 16, 32, 32), (128, 128, 192, 32, 96, 64)],
    [(192, 96, 208, 16, 48, 64), (160, 112, 224, 24, 64, 64), (128, 128, 256, 24, 64, 64),
     (112, 144, 288, 32, 64, 64), (256, 160, 320, 32, 128, 128)],
    [(256, 160, 320, 32, 128, 128), (384, 192, 384, 48, 128, 128)],
]


def inception_out(c):
    return c[0] + c[2] + c[4] + c[5]


def inception(cin, c):
    return Concat(
        [nn.Conv2d(cin, c[0], kernel_size=1), nn.ReLU()],
        [nn.Conv2d(cin, c[1], kernel_size=1), nn.ReLU(), nn.Conv2d(c[1], c[2], kernel_size=3, padding=1), nn.ReLU()],
        [nn.Conv2d(cin, c[3], kernel_size=1), nn.ReLU(), nn.Conv2d(c[3], c[4], kernel_size=5, padding=2), nn.ReLU()],
        [nn.MaxPool2d(kernel_size=3, stride=1, padding=1), nn.Conv2d(cin, c[5], kernel_size=1), nn.ReLU()])


def googlenet_stages(block):
    """The book's b1..b5 of GoogLeNet, each a list of layers, the Inception
    blocks made by block(cin, channels)."""
    pool = lambda: nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
    stages = [[nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.ReLU(), pool()],
              [nn.Conv2d(64, 64, kernel_size=1), nn.ReLU(), nn.Conv2d(64, 192, kernel_size=3, padding=1), nn.ReLU(),
               pool()]]
    cin = 192
    for i, blocks in enumerate(INCEPTIONS):
        stage = []
        for c in blocks:
            stage.append(block(cin, c))
            cin = inception_out(c)
        stage += [pool()] if i < len(INCEPTIONS) - 1 else [nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten()]
        stages.append(stage)
    return stages


def googlenet():  # ch. 8.4, its stages' layers in one flat list, as package googlenet
    return nn.Sequential(*[l for s in googlenet_stages(inception) for l in s], nn.Linear(1024, 10))


class Residual(nn.Module):
    """body(x) + shortcut(x), as package nn's Residual: the book's Residual
    (ch. 8.6) with its layers in two nn.Sequentials, the identity where the
    shortcut has none, and its closing ReLU left to the layer after it."""

    def __init__(self, body, shortcut=()):
        super().__init__()
        self.body, self.shortcut = nn.Sequential(*body), nn.Sequential(*shortcut)

    def forward(self, x):
        return self.body(x) + self.shortcut(x)


def resnet_block(cin, cout, stride):
    body = [nn.Conv2d(cin, cout, kernel_size=3, padding=1, stride=stride), nn.BatchNorm2d(cout), nn.ReLU(),
            nn.Conv2d(cout, cout, kernel_size=3, padding=1), nn.BatchNorm2d(cout)]
    shortcut = [nn.Conv2d(cin, cout, kernel_size=1, stride=stride)] if stride > 1 else []
    return [Residual(body, shortcut), nn.ReLU()]


def resnet18():  # ch. 8.6, its stages' blocks in one flat list, as package resnet
    layers = [nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(),
              nn.MaxPool2d(kernel_size=3, stride=2, padding=1)]
    cin = 64
    for i, cout in enumerate([64, 128, 256, 512]):
        for j in range(2):
            layers += resnet_block(cin, cout, 2 if i > 0 and j == 0 else 1)
            cin = cout
    layers += [nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(512, 10)]
    return nn.Sequential(*layers)


def densenet_parts(conv_block):
    """The book's DenseNet (ch. 8.7) as its stem, its dense blocks (lists
    of conv_block(cin)) and transition blocks in turn, and its head."""
    stem = [nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1)]
    blocks, cin = [], 64
    for i in range(4):
        blocks.append([conv_block(cin + 32 * j) for j in range(4)])
        cin += 4 * 32
        if i < 3:
            blocks.append([nn.BatchNorm2d(cin), nn.ReLU(), nn.Conv2d(cin, cin // 2, kernel_size=1),
                           nn.AvgPool2d(kernel_size=2, stride=2)])
            cin //= 2
    head = [nn.BatchNorm2d(cin), nn.ReLU(), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(cin, 10)]
    return stem, blocks, head


def dense_conv(cin):
    return [nn.BatchNorm2d(cin), nn.ReLU(), nn.Conv2d(cin, 32, kernel_size=3, padding=1)]


def densenet():  # ch. 8.7, its blocks' layers in one flat list, as package densenet
    stem, blocks, head = densenet_parts(lambda cin: Concat([], dense_conv(cin)))
    return nn.Sequential(*stem, *[l for b in blocks for l in b], *head)


# The book's own module trees of the same layers, as `d2l -names` names
# their tensors: "d2l-0.17" is the release whose recipes d2l runs, its nets
# plain nn.Sequentials; "d2l" the current release, whose models keep their
# layers in a field called net (d2l.Classifier) and name ResNet's stages
# b2..b5 and its head last. The layers are made with their input channels
# where the current release makes them lazily: the names are the same.


def book_nin_block(cin, cout, kernel, stride, padding):
    return nn.Sequential(*nin_block(cin, cout, kernel, stride, padding))


def book_nin():  # ch. 8.3, both releases
    return nn.Sequential(
        book_nin_block(1, 96, 11, 4, 0), nn.MaxPool2d(3, stride=2),
        book_nin_block(96, 256, 5, 1, 2), nn.MaxPool2d(3, stride=2),
        book_nin_block(256, 384, 3, 1, 1), nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.5),
        book_nin_block(384, 10, 3, 1, 1),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())


def book_vgg11():  # ch. 8.2, both releases
    return nn.Sequential(*[nn.Sequential(*b) for b in vgg_blocks()], *vgg_head(VGG_ARCH[-1][1]))


class BookResidual(nn.Module):
    """The book's Residual (ch. 8.6), closing ReLU included."""

    def __init__(self, cin, cout, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(cout, cout, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(cin, cout, kernel_size=1, stride=strides) if use_1x1conv else None
        self.bn1 = nn.BatchNorm2d(cout)
        self.bn2 = nn.BatchNorm2d(cout)

    def forward(self, x):
        y = nn.functional.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        if self.conv3:
            x = self.conv3(x)
        return nn.functional.relu(y + x)


def book_resnet_stages():
    """The book's b1..b5 of ResNet-18."""
    b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    stages, cin = [b1], 64
    for i, cout in enumerate([64, 128, 256, 512]):
        first = i == 0
        blocks = [BookResidual(cin, cout, use_1x1conv=not first, strides=1 if first else 2), BookResidual(cout, cout)]
        stages.append(nn.Sequential(*blocks))
        cin = cout
    return stages


def book_resnet18_017():
    return nn.Sequential(*book_resnet_stages(), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(512, 10))


def book_resnet18():
    stages = book_resnet_stages()
    net = nn.Sequential(stages[0])
    for i, stage in enumerate(stages[1:]):
        net.add_module(f"b{i + 2}", stage)
    net.add_module("last", nn.Sequential(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(512, 10)))
    return net


class BookInception(nn.Module):
    """The book's Inception block (ch. 8.4): its convolutions named by branch
    and place, p1_1 ... p4_2 in release 0.17 and b1_1 ... b4_2 in the
    current one."""

    def __init__(self, cin, c, letter):
        super().__init__()
        self.letter = letter
        convs = {"1_1": nn.Conv2d(cin, c[0], kernel_size=1),
                 "2_1": nn.Conv2d(cin, c[1], kernel_size=1), "2_2": nn.Conv2d(c[1], c[2], kernel_size=3, padding=1),
                 "3_1": nn.Conv2d(cin, c[3], kernel_size=1), "3_2": nn.Conv2d(c[3], c[4], kernel_size=5, padding=2),
                 "4_1": nn.MaxPool2d(kernel_size=3, stride=1, padding=1), "4_2": nn.Conv2d(cin, c[5], kernel_size=1)}
        for name, m in convs.items():
            self.add_module(letter + name, m)

    def forward(self, x):
        m = lambda name: getattr(self, self.letter + name)
        relu = nn.functional.relu
        b1 = relu(m("1_1")(x))
        b2 = relu(m("2_2")(relu(m("2_1")(x))))
        b3 = relu(m("3_2")(relu(m("3_1")(x))))
        b4 = relu(m("4_2")(m("4_1")(x)))
        return torch.cat((b1, b2, b3, b4), dim=1)


def book_googlenet(letter):
    stages = googlenet_stages(lambda cin, c: BookInception(cin, c, letter))
    return nn.Sequential(*[nn.Sequential(*s) for s in stages], nn.Linear(1024, 10))


class DenseBlock(nn.Module):
    """The book's DenseBlock (ch. 8.7): each convolution block's output
    concatenated to its input."""

    def __init__(self, blocks):
        super().__init__()
        self.net = nn.Sequential(*[nn.Sequential(*b) for b in blocks])

    def forward(self, x):
        for blk in self.net:
            x = torch.cat((x, blk(x)), dim=1)
        return x


def book_densenet_parts():
    stem, blocks, head = densenet_parts(dense_conv)
    return nn.Sequential(*stem), [DenseBlock(b) if i % 2 == 0 else nn.Sequential(*b) for i, b in enumerate(blocks)], head


def book_densenet_017():
    stem, blocks, head = book_densenet_parts()
    return nn.Sequential(stem, *blocks, *head)


def book_densenet():
    stem, blocks, head = book_densenet_parts()
    net = nn.Sequential(stem)
    for i, b in enumerate(blocks):
        net.add_module(f"dense_blk{i // 2 + 1}" if i % 2 == 0 else f"tran_blk{i // 2 + 1}", b)
    net.add_module("last", nn.Sequential(*head))
    return net


class Classifier(nn.Module):
    """What the current release's d2l.Classifier keeps: the layers in net."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x)


# name: (network, learning rate, batch, input size)
MODELS = {"lenet": (lenet, 0.9, 256, 28), "lenet-bn": (lenet_bn, 1.0, 256, 28), "vgg11": (vgg11, 0.05, 128, 224),
          "nin": (nin, 0.1, 128, 224), "googlenet": (googlenet, 0.1, 128, 96), "resnet18": (resnet18, 0.05, 256, 96),
          "densenet": (densenet, 0.1, 256, 96)}
# model: {naming: network of the book's modules}
BOOK = {
    "lenet": {"d2l-0.17": lenet, "d2l": lambda: Classifier(lenet())},
    "lenet-bn": {"d2l-0.17": lenet_bn, "d2l": lambda: Classifier(lenet_bn())},
    "vgg11": {"d2l-0.17": book_vgg11, "d2l": lambda: Classifier(book_vgg11())},
    "nin": {"d2l-0.17": book_nin, "d2l": lambda: Classifier(book_nin())},
    "googlenet": {"d2l-0.17": lambda: book_googlenet("p"), "d2l": lambda: Classifier(book_googlenet("b"))},
    "resnet18": {"d2l-0.17": book_resnet18_017, "d2l": lambda: Classifier(book_resnet18())},
    "densenet": {"d2l-0.17": book_densenet_017, "d2l": lambda: Classifier(book_densenet())},
}
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


def write_safetensors(path, tensors):
    """Writes tensors (a state dict) as safetensors, float32 and int64."""
    names = {torch.float32: "F32", torch.int64: "I64"}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous().clone()  # a storage of its own, exactly its size
        b = bytes(t.untyped_storage() if hasattr(t, "untyped_storage") else t.storage().untyped())
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def sized(x, size):
    """The 28x28 images x resized to size x size, as tensorforge resizes."""
    if size == x.shape[-1]:
        return x
    return nn.functional.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)


def accuracy(net, images, labels, size, batch=256, limit=0):
    net.eval()
    n = min(limit, len(labels)) if limit else len(labels)
    correct = 0
    with torch.no_grad():
        for i in range(0, n, batch):
            j = min(i + batch, n)
            correct += (net(sized(images[i:j], size)).argmax(1) == labels[i:j]).sum().item()
    return correct / n


def train(net, lr, epochs, batch, size, seed, limit=0, test_limit=0):
    train_x, train_y = fashion("train")
    test_x, test_y = fashion("t10k")
    torch.manual_seed(seed)
    for m in net.modules():  # D2L's train_ch6 initialisation
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(1, epochs + 1):
        net.train()
        start, total, correct, loss_sum = time.time(), 0, 0, 0.0
        order = torch.randperm(min(limit, len(train_y)) if limit else len(train_y))  # the first N, as d2l -limit
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            x, y = sized(train_x[idx], size), train_y[idx]
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
              f"test acc {accuracy(net, test_x, test_y, size, limit=test_limit):.4f}, "
              f"{total / seconds:.1f} img/s, {seconds:.1f} s", flush=True)


def state_dict_names():
    """Prints every book module tree's state_dict: model, naming, name and
    shape a line (cmd/d2l/testdata/book_state_dicts.txt)."""
    for model, namings in BOOK.items():
        for naming, make in namings.items():
            for name, t in make().state_dict().items():
                print(model, naming, name, "[" + ",".join(map(str, t.shape)) + "]")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=MODELS, default="lenet")
    p.add_argument("--names", choices=["flat", "d2l", "d2l-0.17"], default="flat",
                   help="module tree: flat (d2l's own list of layers) or the book's, current or 0.17 release")
    p.add_argument("--load")
    p.add_argument("--same-as", help="compare the logits with those of the flat modules holding this file's weights")
    p.add_argument("--save", help="write the weights, after --load and --train, as safetensors to this file")
    p.add_argument("--train", action="store_true")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch", type=int, default=0, help="images per step (0: the recipe's)")
    p.add_argument("--limit", type=int, default=0, help="train on the first N images (0: all)")
    p.add_argument("--test-limit", type=int, default=0, help="test on the first N images (0: all)")
    p.add_argument("--size", type=int, default=0, help="input height and width (0: the recipe's)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--state-dict-names", action="store_true", help="print the book's state_dict names and shapes")
    a = p.parse_args()
    if a.state_dict_names:
        state_dict_names()
        return
    torch.set_num_threads(a.threads)
    make, lr, batch, size = MODELS[a.model]
    batch, size = a.batch or batch, a.size or size
    net = make() if a.names == "flat" else BOOK[a.model][a.names]()
    if a.load:
        net.load_state_dict(read_safetensors(a.load), strict=True)
        test_x, test_y = fashion("t10k")
        print(f"{a.load}: loaded into PyTorch {torch.__version__}'s {a.names} modules (strict); "
              f"test accuracy {accuracy(net, test_x, test_y, size, limit=a.test_limit):.4f}")
    if a.same_as:
        flat = make()
        flat.load_state_dict(read_safetensors(a.same_as), strict=True)
        flat.eval(), net.eval()
        test_x, _ = fashion("t10k")
        with torch.no_grad():
            x = sized(test_x[:a.test_limit or 256], size)
            diff = (net(x) - flat(x)).abs().max().item()
        print(f"largest difference of the logits from those of {a.same_as} in the flat modules: {diff:g}")
    if a.train:
        print(f"PyTorch {torch.__version__}, {a.model} ({a.names} modules), {a.threads} threads: {size}x{size} input, "
              f"{a.epochs} epochs, batch {batch}, lr {lr}", flush=True)
        train(net, lr, a.epochs, batch, size, a.seed, a.limit, a.test_limit)
    if a.save:
        write_safetensors(a.save, net.state_dict())
        print(f"wrote {a.save}")


if __name__ == "__main__":
    main()
