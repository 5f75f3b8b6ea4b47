package leaseclient_test

import (
	"errors"
	"fmt"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2"

	"github.com/seed07a61904/leadership/lease"
)

// ClientBatchFaultsSuite fails a batch's transaction as a store can: the
// server stopped, connections dropped, a command refused with "not
// primary", a write applied but reported with a write concern error. Every
// write of the batch then gets an error matching lease.ErrUnavailable
// (never success, never ErrInvalid): its outcome is unknown, and the
// client assumes nothing. The same batch sent again is decided on what
// the store holds, and ends with every lease as the batch meant it.
type ClientBatchFaultsSuite struct {
	faultSuite
}

var _ = gc.Suite(&ClientBatchFaultsSuite{})

// faultBatch prepares, through fix, leases named after tag for a batch
// of every kind of write, and returns the batch: a claim of a new lease
// and one of a released lease, an extension, an expiry (of a lease that
// ran out a second ago) and a revocation.
func faultBatch(c *gc.C, fix *Fixture, tag string) []lease.Op {
	name := func(kind string) string { return tag + "-" + kind }
	claim(c, fix, "holder", name("kept"), name("extend"), name("revoke"))
	c.Assert(clientAs[lease.Revoker](c, fix).RevokeLease(name("kept"), "holder"), jc.ErrorIsNil)
	c.Assert(fix.Client.ClaimLease(name("expire"), lease.Request{Holder: "holder", Duration: time.Nanosecond}), jc.ErrorIsNil)
	fix.Clock.Advance(time.Second)
	return []lease.Op{
		{Kind: lease.OpClaim, Lease: name("new"), Request: lease.Request{Holder: "next", Duration: time.Minute}},
		{Kind: lease.OpClaim, Lease: name("kept"), Request: lease.Request{Holder: "next", Duration: time.Minute}},
		{Kind: lease.OpExtend, Lease: name("extend"), Request: lease.Request{Holder: "holder", Duration: time.Hour}},
		{Kind: lease.OpExpire, Lease: name("expire")},
		{Kind: lease.OpRevoke, Lease: name("revoke"), Request: lease.Request{Holder: "holder"}},
	}
}

// checkUnknown checks the errors of a batch whose transaction failed:
// each matches lease.ErrUnavailable and want (a regexp).
func checkUnknown(c *gc.C, errs []error, ops []lease.Op, want string) {
	c.Assert(errs, gc.HasLen, len(ops))
	for i, err := range errs {
		c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue, gc.Commentf("op %d (%v %s): %v", i, ops[i].Kind, ops[i].Lease, err))
		c.Check(err, gc.ErrorMatches, want, gc.Commentf("op %d", i))
	}
}

// checkResolved sends ops again, after a batch whose outcome was unknown,
// and checks that each is decided on what the store holds: a claim,
// expiry or revocation that the first batch applied is now refused
// (ErrInvalid, with the cache showing what the store holds), any other
// write applied; and that a new client then sees every lease as ops
// meant it. A batch that meets a connection the fault closed is sent
// again (applyAfterClosedConns). It returns how many were refused.
func checkResolved(c *gc.C, db *mgo.Database, fix *Fixture, ops []lease.Op) int {
	errs := applyAfterClosedConns(c, fix, ops)
	c.Assert(errs, gc.HasLen, len(ops))
	refused := 0
	for i, err := range errs {
		op := ops[i]
		if err == lease.ErrInvalid && op.Kind != lease.OpExtend {
			refused++
			continue
		}
		c.Check(err, jc.ErrorIsNil, gc.Commentf("op %d (%v %s)", i, op.Kind, op.Lease))
	}
	other := NewFixtureAfterFault(c, db, FixtureParams{Id: "observer", ClockStart: fix.Clock.Now()})
	for _, op := range ops {
		switch op.Kind {
		case lease.OpClaim:
			c.Check(op.Lease, fix.Holder(), op.Request.Holder)
			c.Check(op.Lease, other.Holder(), op.Request.Holder)
		case lease.OpExtend:
			c.Check(op.Lease, other.Holder(), op.Request.Holder)
			c.Check(other.Client.Leases()[op.Lease].Expiry.Before(fix.Zero.Add(time.Hour)), jc.IsFalse, gc.Commentf("%s", op.Lease))
		default:
			c.Check(op.Lease, fix.Holder(), "")
			c.Check(op.Lease, other.Holder(), "")
		}
	}
	return refused
}

func (s *ClientBatchFaultsSuite) TestStopRestart(c *gc.C) {
	fix := EasyFixture(c, s.db)
	ops := faultBatch(c, fix, "a")
	s.db.Session.SetSyncTimeout(time.Second)
	c.Assert(s.server.Stop(), jc.ErrorIsNil)
	checkUnknown(c, clientAs[lease.Batcher](c, fix).ApplyLeases(ops), ops, ".*")
	c.Assert(s.server.Restart(), jc.ErrorIsNil)
	checkResolved(c, s.db, fix, ops)
}

// TestDropConnections: the connections are dropped just before the
// batch's transaction; it fails as unavailable or, if mgo found a new
// connection in time, succeeds.
func (s *ClientBatchFaultsSuite) TestDropConnections(c *gc.C) {
	fix := EasyFixture(c, s.db)
	ops := faultBatch(c, fix, "a")
	defer fix.Mongo.SetBeforeHooks(c, s.server.DropConnections)()
	errs := clientAs[lease.Batcher](c, fix).ApplyLeases(ops)
	if errs[0] != nil {
		checkUnknown(c, errs, ops, ".*")
	} else {
		checkApplied(c, errs, ops)
	}
	checkResolved(c, s.db, fix, ops)
}

// TestNotPrimary fails the first command of each kind that the batch's
// transaction sends with "not primary", as a primary that steps down
// answers.
func (s *ClientBatchFaultsSuite) TestNotPrimary(c *gc.C) {
	s.checkFailedBatches(c, "not primary", claimCommands, s.server.FailNotPrimary)
}

// TestWriteConcernError fails the first write of each kind that the
// batch's transaction sends with a write concern error: the write is
// applied, but not known to be replicated.
func (s *ClientBatchFaultsSuite) TestWriteConcernError(c *gc.C) {
	s.checkFailedBatches(c, "waiting for replication timed out", claimWrites, s.server.FailWriteConcern)
}

// checkFailedBatches runs one batch per command of commands, with that
// command's first reply failed by arm.
func (s *ClientBatchFaultsSuite) checkFailedBatches(c *gc.C, want string, commands []string, arm func(string, int) error) {
	fix := EasyFixture(c, s.db)
	for _, command := range commands {
		c.Logf("failing %s", command)
		ops := faultBatch(c, fix, command)
		c.Assert(arm(command, 1), jc.ErrorIsNil)
		errs := clientAs[lease.Batcher](c, fix).ApplyLeases(ops)
		c.Check(s.server.PendingFaults(), gc.Equals, 0, gc.Commentf("a batch sends no %s", command))
		checkUnknown(c, errs, ops, fmt.Sprintf(".*%s.*", want))
		refused := checkResolved(c, s.db, fix, ops)
		c.Logf("failed %s: %d writes found applied when sent again", command, refused)
	}
}

// TestFirstClaimsCleaningFails fails, with "not primary" or a write
// concern error, the first read and the first update that a batch of
// first claims sends: the cleaning of its clock documents' queues, which
// runs before its transaction. Every claim then gets an error matching
// lease.ErrUnavailable (the transaction is not run), and the same batch
// sent again claims every lease.
func (s *ClientBatchFaultsSuite) TestFirstClaimsCleaningFails(c *gc.C) {
	fix := EasyFixture(c, s.db)
	for i, f := range []struct {
		command string
		want    string
		arm     func(string, int) error
	}{
		{"find", "cannot read the clock documents' transaction queues: .*not primary.*", s.server.FailNotPrimary},
		{"update", "cannot remove finished transactions from the clock documents' queues: .*not primary.*", s.server.FailNotPrimary},
		{"update", "cannot remove finished transactions from the clock documents' queues: .*waiting for replication timed out.*", s.server.FailWriteConcern},
	} {
		c.Logf("failing %s: %s", f.command, f.want)
		tag := fmt.Sprintf("clean%d", i)
		// A claim first, so that the clock documents' queues name a
		// finished transaction, and the cleaning updates them.
		claim(c, fix, "holder", tag+"-warm")
		ops := batchOps(lease.OpClaim, batchNames(tag, 3), time.Minute)
		c.Assert(f.arm(f.command, 1), jc.ErrorIsNil)
		errs := clientAs[lease.Batcher](c, fix).ApplyLeases(ops)
		c.Check(s.server.PendingFaults(), gc.Equals, 0)
		checkUnknown(c, errs, ops, f.want)
		other := NewFixtureAfterFault(c, s.db, FixtureParams{Id: "observer", ClockStart: fix.Clock.Now()})
		for _, op := range ops {
			c.Check(op.Lease, other.Holder(), "")
		}
		checkResolved(c, s.db, fix, ops)
	}
}
