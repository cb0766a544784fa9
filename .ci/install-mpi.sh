#!/bin/sh
# Installs Debian's OpenMPI (libopenmpi-dev, openmpi-bin): the mpi.h and
# library the mpi build tag links, and the mpirun that starts the
# processes of a data-parallel run and of its test.
set -eu
if command -v mpirun >/dev/null && pkg-config --exists ompi-c 2>/dev/null; then
	exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libopenmpi-dev openmpi-bin pkg-config >/dev/null
echo "OpenMPI installed"
