//go:build mpi

package main

import "github.com/tensorforge/tensorforge/mpi"

func init() {
	joinWorld = func() (worldGroup, error) {
		w, err := mpi.Join()
		if err != nil {
			return nil, err
		}
		return w, nil
	}
}
