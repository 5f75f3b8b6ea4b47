// Package leaseclient_test checks lease.NewClient against a real
// MongoDB-compatible server (mongotest), one fresh server per test.
// TestConformance runs the conformance suite of every lease store
// (lease/leasetest/storetest) on it; the gocheck suites, which follow
// Juju's 2015 state/lease tests (SPEC §7), check what only the MongoDB
// client does: its documents, its commands, races inside a transaction
// (through hooks), corrupt documents and wire faults.
package leaseclient_test

import (
	"testing"

	gc "gopkg.in/check.v1"
)

func TestPackage(t *testing.T) {
	gc.TestingT(t)
}
