// Package memstore presents the in-memory store of package leasetest to
// the store-generic suites (package storetest's conformance suite, and the
// suite of releases across controllers of package releasetest) as a
// [storetest.StopStore]: [leasetest.Store.NewClient] returns the concrete
// client, and its Stop and Restart return no error. Tests only: nothing in
// the library imports it.
package memstore

import (
	"testing"

	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
	"github.com/seed07a61904/leadership/lease/leasetest/storetest"
)

// Store is a [leasetest.Store] as a [storetest.StopStore].
type Store struct {
	*leasetest.Store
}

var _ storetest.StopStore = Store{}

// New returns a Store over a new leasetest.Store on clock.
func New(clock lease.Clock) Store {
	return Store{leasetest.NewStore(clock)}
}

// ForTest is New with the signature of the function that
// [storetest.TestClient] takes; the store needs no cleaning up, so t is
// not used.
func ForTest(_ *testing.T, clock lease.Clock) storetest.Store {
	return New(clock)
}

// NewClient is part of the [storetest.Store] interface: it is
// [leasetest.Store.NewClient], with a nil lease.Client on error.
func (s Store) NewClient(id string) (lease.Client, error) {
	c, err := s.Store.NewClient(id)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Stop is part of the [storetest.StopStore] interface: it is
// [leasetest.Store.Stop], which cannot fail.
func (s Store) Stop() error {
	s.Store.Stop()
	return nil
}

// Restart is part of the [storetest.StopStore] interface: it is
// [leasetest.Store.Restart], which cannot fail.
func (s Store) Restart() error {
	s.Store.Restart()
	return nil
}
