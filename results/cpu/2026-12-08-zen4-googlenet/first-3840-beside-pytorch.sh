#!/bin/sh
# GoogLeNet's first 3,840 images (30 steps of its batch of 128), ours and PyTorch's, twice in turn.
cd /work/main
for round in 1 2; do
	echo "== round $round: tensorforge"
	/usr/bin/time -v /tmp/d2l -model googlenet -epochs 1 -limit 3840 -test-limit 1000 -save '' 2>&1 | grep -E '^epoch|test accuracy|Maximum resident|Elapsed'
	echo "== round $round: PyTorch"
	/usr/bin/time -v /usr/bin/python3 cmd/d2l/testdata/torch_d2l.py --model googlenet --train --epochs 1 --limit 3840 --test-limit 1000 2>&1 | grep -E '^epoch|PyTorch|Maximum resident|Elapsed'
done
