package leasetest_test

import (
	"testing"

	"github.com/seed07a61904/leadership/internal/memstore"
	"github.com/seed07a61904/leadership/lease/leasetest/storetest"
)

// TestConformance runs the lease.Client conformance suite on the
// in-memory store.
func TestConformance(t *testing.T) {
	storetest.TestClient(t, memstore.ForTest)
}
