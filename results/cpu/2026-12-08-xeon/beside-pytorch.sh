#!/bin/sh
# AlexNet's training step at batch 128 on 2 threads: ours in FP32 and BF16, PyTorch 1.13's in FP32
# (the anchor script) and under bf16 autocast (NCHW, then channels-last), in turn, twice. Run from
# the repository root with the alexnet test binary built into /tmp/alexnet.test
# (go test -c -o /tmp/alexnet.test ./alexnet).
anchors=../shared/anchors
here=results/cpu/2026-12-08-xeon
for round in 1 2; do
	echo "== round $round: tensorforge"
	(cd alexnet && /tmp/alexnet.test -test.run '^$' -test.bench 'TrainStep/batch=128/' -test.benchtime 3x 2>&1 | grep Bench)
	echo "== round $round: PyTorch fp32"
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 \
	  /usr/bin/python3 $anchors/torch_cpu.py --threads 2 --mode train --batch 128 --reps 4 --warmup 2 2>&1 | grep RESULT
	echo "== round $round: PyTorch bf16 autocast"
	OMP_NUM_THREADS=2 /usr/bin/python3 $here/torch_bf16_step.py $anchors 2>&1 | grep RESULT
	OMP_NUM_THREADS=2 /usr/bin/python3 $here/torch_bf16_step.py $anchors --channels-last 2>&1 | grep RESULT
done
