"""Writes tiny_state_dict.safetensors: the state dict of the tests' small
network as PyTorch's nn.Sequential names it (0.weight ... 7.bias), in the
safetensors format, with nothing but the standard library: an independent
writer of the format the loader reads. Element i of the k-th tensor is
((7*i + 13*k) % 101 - 50) / 64, exact in float32.

    python3 classify/testdata/state_dict.py
"""
import json
import os
import struct

TENSORS = [  # name, shape, in the order of the network's layers
    ("0.weight", [4, 1, 3, 3]),
    ("0.bias", [4]),
    ("4.weight", [16, 144]),
    ("4.bias", [16]),
    ("7.weight", [10, 16]),
    ("7.bias", [10]),
]


def values(k, n):
    return [((7 * i + 13 * k) % 101 - 50) / 64 for i in range(n)]


def main():
    data = {}
    for k, (name, shape) in enumerate(TENSORS):
        n = 1
        for d in shape:
            n *= d
        data[name] = (shape, struct.pack("<%df" % n, *values(k, n)))
    # The reference writer lays tensors out by decreasing alignment, then
    # name; all are F32 here, so by name.
    header, offset, body = {"__metadata__": {"format": "pt"}}, 0, b""
    for name in sorted(data):
        shape, raw = data[name]
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        body += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiny_state_dict.safetensors")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + body)


if __name__ == "__main__":
    main()
