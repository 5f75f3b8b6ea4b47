// Package faults_test breaks the database under a running leadership
// manager: connections dropped in the middle of an operation (before a
// request reaches the server, or after the server did it but before the
// reply arrives), the server stopped and restarted on the same data, and
// mgo/txn transactions interrupted half way (txn.SetChaos). In every case
// the operation must either succeed or fail with an error matching
// lease.ErrUnavailable, and the manager must carry on; it must never hang or leak a
// goroutine; and a manager started afterwards must see a consistent
// state: no lease lost, none duplicated or given to a unit that never
// asked, and the interrupted transactions completed or rolled back by
// mgo/txn (by txn.Runner.ResumeAll, or by the next transaction on the
// same documents).
//
// Nothing but Kill stops a manager: an operation that meets the fault
// fails with an error matching lease.ErrUnavailable, the manager keeps
// running, and once the fault is healed the same manager claims again on
// what the store holds (a claim whose reply was lost, applied by the
// server, is found and extended).
//
// Each case runs on a fresh mongotest server. txn.SetChaos is global, so
// no test here may run in parallel with another.
package faults_test

import (
	"testing"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
)

func TestPackage(t *testing.T) {
	gc.TestingT(t)
}

// CutSuite cuts the managers' connections at every message of a claim,
// an extension and an expiry in turn.
type CutSuite struct{}

var _ = gc.Suite(&CutSuite{})

func (s *CutSuite) TestDropBefore(c *gc.C) {
	for _, sc := range scenarios {
		sweep(c, sc, dropBefore.String(), func(n int) fault { return cutFault(dropBefore, n) })
	}
}

func (s *CutSuite) TestLoseReply(c *gc.C) {
	for _, sc := range scenarios {
		sweep(c, sc, loseReply.String(), func(n int) fault { return cutFault(loseReply, n) })
	}
}

func (s *CutSuite) TestStopBefore(c *gc.C) {
	for _, sc := range scenarios {
		sweep(c, sc, stopBefore.String(), func(n int) fault { return cutFault(stopBefore, n) })
	}
}

// ChaosSuite interrupts the transaction of a claim, an extension and an
// expiry at each stage mgo/txn can be interrupted at.
type ChaosSuite struct{}

var _ = gc.Suite(&ChaosSuite{})

func (s *ChaosSuite) TestInterrupted(c *gc.C) {
	for _, sc := range scenarios {
		for _, bp := range []string{"set-prepared", "set-applying", "set-applied"} {
			for _, resume := range []bool{false, true} {
				c.Assert(runOnce(c, sc, chaosFault(bp, resume)), jc.IsTrue)
			}
		}
	}
}
