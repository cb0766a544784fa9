#!/bin/sh
# Installs Debian 12's CUDA 11.8 toolkit (non-free): cuda.h, the libcuda link
# stub and nvcc. Enough to compile and vet the cgo code of the cuda package
# and to turn kernels/*.cu into PTX; it installs no GPU driver.
set -eu
if command -v nvcc >/dev/null 2>&1 && [ -f /usr/include/cuda.h ]; then
	exit 0
fi
src=/etc/apt/sources.list.d/debian.sources
if [ -f "$src" ] && ! grep -q 'non-free' "$src"; then
	sed -i 's/^Components: main$/Components: main contrib non-free non-free-firmware/' "$src"
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nvidia-cuda-toolkit >/dev/null
nvcc --version | tail -1
