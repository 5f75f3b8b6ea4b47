package leaseclient_test

import (
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/lease"
)

// applyAfterClosedConns is mongofixture.AfterClosedConns for a batch: it
// applies ops again while every op failed because the batch's transaction
// met a closed connection, and returns the last errors.
func applyAfterClosedConns(c *gc.C, fix *Fixture, ops []lease.Op) []error {
	var errs []error
	_ = mongofixture.AfterClosedConns(c, "a batch", func() error {
		errs = clientAs[lease.Batcher](c, fix).ApplyLeases(ops)
		for _, err := range errs {
			if !mongofixture.ClosedConn(err) {
				return nil
			}
		}
		if len(errs) == 0 {
			return nil
		}
		return errs[0]
	})
	return errs
}
