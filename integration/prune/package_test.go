// Package prune_test checks lease.PruneTransactions and lease.Pruner on
// the embedded server: that they remove the lease namespace's complete
// transactions, keep every transaction that mgo/txn may still look up
// (pending, half applied, named in a document's txn-queue or in the
// stash, or younger than MinAge), and break neither the lease clients
// nor users' own transactions in the same collection, including ones
// interrupted half way (txn.SetChaos) and resumed with
// txn.Runner.ResumeAll.
//
// txn.SetChaos is global: no test here may run in parallel with another.
package prune_test

import (
	"testing"

	gc "gopkg.in/check.v1"
)

func TestPackage(t *testing.T) {
	gc.TestingT(t)
}
