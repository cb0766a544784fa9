#!/bin/sh
# DenseNet's first 5,120 images (20 steps of its batch of 256), ours (FP32) and PyTorch 1.13's, twice
# in turn; run from the repository root with d2l built into /tmp/d2l (go build -o /tmp/d2l ./cmd/d2l).
for round in 1 2; do
	echo "== round $round: tensorforge"
	/usr/bin/time -v /tmp/d2l -model densenet -epochs 1 -limit 5120 -test-limit 1000 -save '' 2>&1 | grep -E '^epoch|test accuracy|Maximum resident|Elapsed'
	echo "== round $round: PyTorch"
	/usr/bin/time -v /usr/bin/python3 cmd/d2l/testdata/torch_d2l.py --model densenet --train --epochs 1 --limit 5120 --test-limit 1000 2>&1 | grep -E '^epoch|PyTorch|Maximum resident|Elapsed'
done
