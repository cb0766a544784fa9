package main

import (
	"fmt"

	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/mpi"
)

// worldGroup is the data-parallel group of an MPI job: classify's Group,
// and the means to end the whole job.
type worldGroup interface {
	classify.Group
	// Abort ends every process of the job with the exit code.
	Abort(code int)
	// Close ends this process's part in the job.
	Close() error
}

// joinWorld joins the MPI job; builds with -tags mpi set it (mpi.go).
var joinWorld func() (worldGroup, error)

// joinGroup returns the MPI job this process is one of, or nil when
// mpirun did not start it.
func joinGroup() (worldGroup, error) {
	size, ok := mpi.Launched()
	if !ok {
		return nil, nil
	}
	if joinWorld == nil {
		return nil, fmt.Errorf("started by mpirun as one of %d processes, but this binary was built without MPI (rebuild with -tags mpi)", size)
	}
	return joinWorld()
}
