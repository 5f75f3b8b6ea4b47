package leasetest_test

import (
	"testing"

	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
	"github.com/seed07a61904/leadership/lease/leasetest/storetest"
)

// memoryStore is a leasetest.Store as the conformance suite sees it.
type memoryStore struct {
	*leasetest.Store
}

var _ storetest.StopStore = memoryStore{}

// NewClient is part of the storetest.Store interface.
func (s memoryStore) NewClient(id string) (lease.Client, error) {
	c, err := s.Store.NewClient(id)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Stop is part of the storetest.StopStore interface.
func (s memoryStore) Stop() error {
	s.Store.Stop()
	return nil
}

// Restart is part of the storetest.StopStore interface.
func (s memoryStore) Restart() error {
	s.Store.Restart()
	return nil
}

// TestConformance runs the lease.Client conformance suite on the
// in-memory store.
func TestConformance(t *testing.T) {
	storetest.TestClient(t, func(t *testing.T, clock lease.Clock) storetest.Store {
		return memoryStore{leasetest.NewStore(clock)}
	})
}
