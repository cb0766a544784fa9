#!/bin/sh
# Runs the benchmarks on the GPU machine, which has no Go toolchain, from
# binaries built beforehand on the development machine:
#
#	go test -tags cuda -ldflags=-s -c -o .gpu/cuda.test ./cuda
#	go test -tags cuda -ldflags=-s -c -o .gpu/bench.test ./bench
#	go build -tags cuda -ldflags=-s -o .gpu/alexnet ./cmd/alexnet
#	go build -tags cuda -ldflags=-s -o .gpu/d2l ./cmd/d2l
#
# (-s leaves out the symbol tables, so that the binaries fit what the GPU
# machine is sent.) To time the kernels against an earlier commit's in the
# same run, build that commit's bench.test too, as .gpu/base/bench.test:
#
#	git worktree add /tmp/base <commit> && mkdir -p .gpu/base
#	(cd /tmp/base && go test -tags cuda -ldflags=-s -c -o "$OLDPWD/.gpu/base/bench.test" ./bench)
#
# Start it in the repository root: sh bench/run-gpu.sh [quick|recipe]. Results go
# to $OUT (default ./gpu-results). Correctness first (the GPU against the
# CPU), then the timings, GPU benchmarks before the slower CPU ones.
# "quick" stops after the GPU benchmarks (convolutions both direct and
# through im2col, for the same-run comparison), the step's layer-by-layer
# profile, the comparison and PyTorch's anchor. The anchor runs when the checkout holds the shared
# scripts as shared/anchors (copy ../shared/anchors there first).
# "recipe" runs only the book's recipe (10 epochs, batch 128) on the GPU
# in each precision, then PyTorch's on the same card, about six minutes:
# a second call after "quick" within one loan of the GPU.
set -eu
out=${OUT:-gpu-results}
mkdir -p "$out"
root=$(pwd)
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv >"$out/gpu.txt" 2>&1 || true

if [ "${1:-}" = recipe ]; then
	for p in fp32 bf16; do
		.gpu/alexnet train -device cuda -precision $p -epochs 10 -save '' -log-every 0 \
			-log "$out/recipe-$p.json" -plot "$out/curves-$p.svg" 2>&1 | tee "$out/recipe-$p.txt"
	done
	# EPOCHS=10: the GEMM and step anchors again, then the recipe.
	if [ -f shared/anchors/torch_gpu.py ]; then
		EPOCHS=10 OUT="$out" python3 shared/anchors/torch_gpu.py 2>&1 | tee "$out/torch-recipe.txt"
	fi
	exit 0
fi

# 0. The conformance suite (every operation, the BF16 GEMM's cases
#    among them), the BF16 GEMM's rounding, and every operation against
#    the CPU's.
(cd cuda && ../.gpu/cuda.test -test.v -test.run 'BF16|Conformance|MatchesCPU|Deterministic|Im2colConv' 2>&1) | tee "$out/cuda-ops.txt" | grep -E '^(--- |FAIL|ok|PASS)' || true

# 1. Same seed, same batches on both devices: loss curves must agree
#    closely (TF32 GEMMs), weights to about 1e-3 of their scale; then the
#    same in BF16 on both.
.gpu/alexnet compare -steps 10 -batch 32 2>&1 | tee "$out/compare.txt"
.gpu/alexnet compare -steps 10 -batch 32 -precision bf16 2>&1 | tee "$out/compare-bf16.txt"

# 2. go test benchmarks of the GPU side only (device is the last element),
#    then the convolutions and the model again with the convolutions
#    through im2col and GEMM (TENSORFORGE_CUDA_CONV, see cuda.ConvEnv):
#    the per-layer table before and after the implicit GEMM, same run.
cd bench
../.gpu/bench.test -test.run '^$' -test.benchtime 20x \
	-test.bench 'Peak/cuda|Gemm/.*/cuda|Conv/.*/.*/.*/cuda|MaxPool/.*/.*/.*/cuda|AlexNet/.*/.*/cuda' 2>&1 | tee "$out/bench-cuda.txt"
TENSORFORGE_CUDA_CONV=im2col ../.gpu/bench.test -test.run '^$' -test.benchtime 20x \
	-test.bench 'Conv/.*/.*/.*/cuda|AlexNet/.*/.*/cuda' 2>&1 | tee "$out/bench-cuda-im2col.txt"
# The same GPU benchmarks from the earlier commit's binary, if there is
# one, for the before-and-after table of the same run.
if [ -x ../.gpu/base/bench.test ]; then
	../.gpu/base/bench.test -test.run '^$' -test.benchtime 20x \
		-test.bench 'Gemm/.*/cuda|Conv/.*/.*/.*/cuda|MaxPool/.*/.*/.*/cuda|AlexNet/.*/.*/cuda' 2>&1 | tee "$out/bench-cuda-base.txt"
fi
# The memory AlexNet holds on the GPU once it has trained a batch (each
# run builds the model, so once).
../.gpu/bench.test -test.run '^$' -test.benchtime 1x -test.bench 'ModelMemory/.*/.*/cuda' 2>&1 | tee "$out/memory-cuda.txt"
cd "$root"
# The training step layer by layer on the GPU, in each precision: where
# the step's time goes, what a faster kernel changes.
for p in fp32 bf16; do
	.gpu/alexnet bench -devices cuda -only profile -batch 128 -precision $p -json "$out/profile-$p.json" \
		2>"$out/profile-$p.log" | tee "$out/profile-$p.txt"
done

# PyTorch on the same card, now: cuBLAS's GEMMs and its AlexNet step in
# each precision (../shared/anchors/README.md).
if [ -f shared/anchors/torch_gpu.py ]; then
	EPOCHS=0 OUT="$out" python3 shared/anchors/torch_gpu.py 2>&1 | tee "$out/torch.txt"
fi
[ "${1:-}" = quick ] && exit 0

# 3. The side-by-side table of both devices, with its JSON, in each
#    precision.
.gpu/alexnet bench -json "$out/bench.json" 2>"$out/bench.log" | tee "$out/bench.txt"
.gpu/alexnet bench -precision bf16 -json "$out/bench-bf16.json" 2>"$out/bench-bf16.log" | tee "$out/bench-bf16.txt"

# 4. The book's LeNet recipes (batch 256, 10 epochs), VGG-11's and NiN's
#    (224x224, batch 128, 10 epochs), GoogLeNet's (96x96, batch 128, 10
#    epochs), ResNet-18's and DenseNet's (96x96, batch 256, 10 epochs) on
#    the GPU.
for m in lenet lenet-bn vgg11 nin googlenet resnet18 densenet; do
	.gpu/d2l -model $m -device cuda -log "$out/$m.json" 2>&1 | tee "$out/$m.txt"
done
