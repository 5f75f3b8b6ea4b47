package leaseclient_test

import (
	"errors"
	"fmt"
	"os"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

// ClientFailoverSuite fails one command of a claim the way a replica set
// does, through mgowire: a primary that steps down answers "not primary"
// (mgowire closes that connection), a majority write that times out
// reports a writeConcernError. The claim must fail visibly, the client
// must go on working, and the lease must end up claimed once.
type ClientFailoverSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientFailoverSuite{})

func (s *ClientFailoverSuite) SetUpTest(c *gc.C) {
	if os.Getenv("LEADERSHIP_MONGO_URL") != "" {
		c.Skip("needs the embedded server's fault hooks")
	}
	s.mongoSuite.SetUpTest(c)
}

// claimCommands are the commands of a claim: the read of the clock
// document, and mgo/txn's insert of the transaction, its findAndModify
// on each document's queue and its updates.
var claimCommands = []string{"find", "insert", "findAndModify", "update"}

// claimWrites are the writes among claimCommands: those that can get a
// writeConcernError.
var claimWrites = claimCommands[1:]

func (s *ClientFailoverSuite) TestNotPrimary(c *gc.C) {
	s.checkFailedClaims(c, "not primary", claimCommands, s.server.FailNotPrimary)
}

func (s *ClientFailoverSuite) TestWriteConcernError(c *gc.C) {
	s.checkFailedClaims(c, "waiting for replication timed out", claimWrites, s.server.FailWriteConcern)
}

// checkFailedClaims claims one lease per command of commands, with
// that command's first reply failed by arm: the claim returns an error
// matching want, never success and never lease.ErrInvalid; claiming again
// ends with the lease held, and its expiry that of one of the two claims.
func (s *ClientFailoverSuite) checkFailedClaims(c *gc.C, want string, commands []string, arm func(string, int) error) {
	fix := EasyFixture(c, s.db)
	request := lease.Request{Holder: "holder", Duration: time.Minute}
	for _, command := range commands {
		name := "lease-" + command
		c.Assert(arm(command, 1), jc.ErrorIsNil)
		err := fix.Client.ClaimLease(name, request)
		c.Check(s.server.PendingFaults(), gc.Equals, 0, gc.Commentf("a claim sends no %s", command))
		c.Check(err, gc.ErrorMatches, fmt.Sprintf(".*%s.*", want), gc.Commentf("failed %s", command))
		c.Check(errors.Is(err, lease.ErrInvalid), jc.IsFalse)

		// The client works again at once (lease.NewMongo copies the
		// session for each call): the claim completes, or was completed
		// by the failed attempt, and then is known to be held.
		err = fix.Client.ClaimLease(name, request)
		if errors.Is(err, lease.ErrInvalid) {
			c.Logf("failed %s: the first claim was completed later", command)
		} else {
			c.Check(err, jc.ErrorIsNil, gc.Commentf("failed %s", command))
		}
		c.Check(name, fix.Holder(), "holder")
		c.Check(name, fix.Expiry(), fix.Zero.Add(time.Minute))
	}

	// A second client sees the same leases.
	other := NewFixture(c, s.db, FixtureParams{Id: "other-client"})
	for _, command := range commands {
		c.Check("lease-"+command, other.Holder(), "holder")
	}
}
