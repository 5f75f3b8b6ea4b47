// Package leaseclient_test checks lease.NewClient against a real
// MongoDB-compatible server (mongotest), one fresh server per test. The
// suites follow Juju's 2015 state/lease tests (SPEC §7).
package leaseclient_test

import (
	"testing"

	gc "gopkg.in/check.v1"
)

func TestPackage(t *testing.T) {
	gc.TestingT(t)
}
