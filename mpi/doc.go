// Package mpi joins the processes that mpirun starts into one data-parallel
// training: each process (a rank) holds a replica of the model, trains on
// its share of every batch, and the gradients are summed across ranks
// before each update (see classify.Group, which World implements).
//
// MPI comes through cgo from Debian's OpenMPI (libopenmpi-dev,
// openmpi-bin) and only with the build tag mpi; without it Join returns an
// error saying so, and the default build needs no MPI. Launched tells
// whether the process was started by mpirun, with or without the tag.
//
// All MPI calls of a process run on one locked OS thread, the one that
// initialised MPI (MPI_THREAD_FUNNELED), whichever goroutine makes them.
// A World is safe for concurrent use, but every rank must make the same
// calls in the same order, as MPI's collectives require.
package mpi

import (
	"os"
	"strconv"
)

// Launched reports whether this process was started by mpirun (OpenMPI's
// or MPICH's) as one of several ranks, and how many.
func Launched() (size int, ok bool) {
	for _, name := range []string{"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"} {
		if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 1 {
			return n, true
		}
	}
	return 1, false
}
