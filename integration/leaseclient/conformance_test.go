package leaseclient_test

import (
	"testing"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/lease/leasetest/storetest"
)

// TestConformance runs the lease.Client conformance suite on the MongoDB
// client, a server for each case (mongofixture.Store: a store that can
// stop and restart on the embedded server).
func TestConformance(t *testing.T) {
	storetest.TestClient(t, mongofixture.NewStore)
}
