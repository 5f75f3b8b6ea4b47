// Package endtoend_test runs leadership managers over lease.NewClient on a
// real MongoDB-compatible server (mongotest), and puts their tokens into
// transactions of the caller's own.
package endtoend_test

import (
	"testing"

	gc "gopkg.in/check.v1"
)

func TestPackage(t *testing.T) {
	gc.TestingT(t)
}
