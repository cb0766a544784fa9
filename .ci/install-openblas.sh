#!/bin/sh
# Installs Debian's OpenBLAS (libopenblas-dev): the cblas.h and library the
# openblas build tag links, which puts OpenBLAS's SGEMM beside ours in the
# GEMM benchmarks.
set -eu
if [ -f /usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h ] || [ -f /usr/include/openblas/cblas.h ]; then
	exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libopenblas-dev >/dev/null
echo "libopenblas-dev installed"
