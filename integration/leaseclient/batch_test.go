package leaseclient_test

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/lease"
)

// ClientBatchSuite: lease.Batcher on the MongoDB client. Each op of a
// batch is answered as the matching single-lease method would answer it
// in its place; another client's write runs just before the batch's
// transaction, through a Mongo hook, to make it abort.
type ClientBatchSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientBatchSuite{})

var batchRequest = lease.Request{Holder: "holder", Duration: time.Minute}

// claim claims each name for holder through fix, one at a time.
func claim(c *gc.C, fix *Fixture, holder string, names ...string) {
	for _, name := range names {
		c.Assert(fix.Client.ClaimLease(name, lease.Request{Holder: holder, Duration: time.Minute}), jc.ErrorIsNil)
	}
}

// TestDeniedDoesNotFailTheOthers: refused and denied ops are answered
// (with the errors of the single-lease methods) and the others applied:
// the extension in one transaction, the claim of the new lease, whose term
// comes from the floor, in a second (see lease's client.apply).
func (s *ClientBatchSuite) TestDeniedDoesNotFailTheOthers(c *gc.C) {
	fix := EasyFixture(c, s.db)
	claim(c, fix, "holder", "held", "mine", "third")
	transactions := s.transactions(c)
	ops := []lease.Op{
		{Kind: lease.OpClaim, Lease: "held", Request: lease.Request{Holder: "other", Duration: time.Minute}},
		{Kind: lease.OpClaim, Lease: "new", Request: lease.Request{Holder: "new", Duration: time.Minute}},
		{Kind: lease.OpExtend, Lease: "third", Request: lease.Request{Holder: "other", Duration: time.Minute}},
		{Kind: lease.OpExtend, Lease: "mine", Request: lease.Request{Holder: "holder", Duration: time.Hour}},
		{Kind: lease.OpExpire, Lease: "nothing"},
		{Kind: lease.OpRevoke, Lease: "unheld", Request: lease.Request{Holder: "holder"}},
		{Kind: lease.OpClaim, Lease: "bad name", Request: batchRequest},
		{Kind: lease.OpClaim, Lease: "new", Request: batchRequest},
	}
	errs := clientAs[lease.Batcher](c, fix).ApplyLeases(ops)
	c.Assert(errs, gc.HasLen, len(ops))
	for _, i := range []int{0, 2, 4, 5} {
		c.Check(errs[i] == lease.ErrInvalid, jc.IsTrue, gc.Commentf("op %d: %v", i, errs[i]))
	}
	c.Check(errs[1], jc.ErrorIsNil)
	c.Check(errs[3], jc.ErrorIsNil)
	c.Check(errs[6], gc.ErrorMatches, regexp.QuoteMeta(fix.Client.ClaimLease("bad name", batchRequest).Error()))
	c.Check(errors.Is(errs[7], lease.ErrInvalidArgument), jc.IsTrue, gc.Commentf("%v", errs[7]))
	c.Check(s.transactions(c), gc.Equals, transactions+2)

	other := NewFixture(c, s.db, FixtureParams{Id: "other-client"})
	c.Check(other.Client.Leases(), gc.HasLen, 4)
	c.Check("held", other.Holder(), "holder")
	c.Check("held", other.Expiry(), fix.Zero.Add(time.Minute))
	c.Check("new", other.Holder(), "new")
	c.Check("mine", other.Expiry(), fix.Zero.Add(time.Hour))
}

// TestAbortRetriesTheRest: another client writes two leases of the batch
// just before its transaction. The batch aborts; the client reads its
// leases again, answers the claim of the lease now held (ErrInvalid, and
// its cache shows the new holder), extends again the lease another
// writer extended (as ExtendLease would), and applies the rest in a
// second transaction. The claims from the floor (raced, fresh) go after
// those, in their own transaction: it aborts too, as the client had not
// read raced since the blocker claimed it, and the retry applies fresh
// alone.
func (s *ClientBatchSuite) TestAbortRetriesTheRest(c *gc.C) {
	fix := EasyFixture(c, s.db)
	claim(c, fix, "holder", "extended", "kept", "expired")
	c.Assert(clientAs[lease.Revoker](c, fix).RevokeLease("kept", "holder"), jc.ErrorIsNil)
	blocker := NewFixture(c, s.db, FixtureParams{Id: "blocker"})
	fix.Clock.Advance(30 * time.Second)
	blocker.Clock.Advance(30 * time.Second)
	defer fix.Mongo.SetHooks(c, Hook{Before: func() {
		claim(c, blocker, "winner", "raced")
		err := blocker.Client.ExtendLease("extended", lease.Request{Holder: "holder", Duration: 2 * time.Minute})
		c.Check(err, jc.ErrorIsNil)
	}}, Hook{})()

	transactions := s.transactions(c)
	fix.Clock.Advance(40 * time.Second)
	ops := []lease.Op{
		{Kind: lease.OpClaim, Lease: "raced", Request: batchRequest},
		{Kind: lease.OpExtend, Lease: "extended", Request: lease.Request{Holder: "holder", Duration: time.Minute}},
		{Kind: lease.OpClaim, Lease: "kept", Request: lease.Request{Holder: "next", Duration: time.Minute}},
		{Kind: lease.OpExpire, Lease: "expired"},
		{Kind: lease.OpClaim, Lease: "fresh", Request: batchRequest},
	}
	errs := clientAs[lease.Batcher](c, fix).ApplyLeases(ops)
	c.Assert(errs, gc.HasLen, len(ops))
	c.Check(errs[0] == lease.ErrInvalid, jc.IsTrue, gc.Commentf("%v", errs[0]))
	for i := 1; i < len(ops); i++ {
		c.Check(errs[i], jc.ErrorIsNil, gc.Commentf("op %d", i))
	}
	// The blocker's two transactions, the aborted batch and its retry,
	// then the aborted claims from the floor and their retry.
	c.Check(s.transactions(c), gc.Equals, transactions+6)
	c.Check("raced", fix.Holder(), "winner")

	// The blocker extended to Zero+150s on its clock, which the SUT read
	// at Zero+30s when its own read Zero+70s: the retry keeps the lease
	// until Zero+190s, the latest the blocker may take it to be held.
	other := NewFixture(c, s.db, FixtureParams{Id: "other-client", ClockStart: fix.Zero.Add(70 * time.Second)})
	c.Check("raced", other.Holder(), "winner")
	c.Check("extended", other.Holder(), "holder")
	c.Check("extended", other.Expiry(), fix.Zero.Add(190*time.Second))
	c.Check("kept", other.Holder(), "next")
	c.Check("expired", other.Holder(), "")
	c.Check("fresh", other.Holder(), "holder")
}

// TestContendedLeaseDoesNotStarveTheBatch: a lease that another writer
// extends before every attempt gets ErrExcessiveContention after as many
// aborts as ExtendLease would take; the other writes of the batch are
// retried and applied.
func (s *ClientBatchSuite) TestContendedLeaseDoesNotStarveTheBatch(c *gc.C) {
	fix := EasyFixture(c, s.db)
	claim(c, fix, "holder", "contended", "calm")
	blocker := NewFixture(c, s.db, FixtureParams{Id: "blocker"})
	extend := func() {
		blocker.Clock.Advance(time.Second)
		err := blocker.Client.ExtendLease("contended", lease.Request{Holder: "holder", Duration: time.Minute})
		c.Check(err, jc.ErrorIsNil)
	}
	defer fix.Mongo.SetBeforeHooks(c, extend, extend, extend, func() {})()

	ops := []lease.Op{
		{Kind: lease.OpExtend, Lease: "contended", Request: lease.Request{Holder: "holder", Duration: time.Hour}},
		{Kind: lease.OpExtend, Lease: "calm", Request: lease.Request{Holder: "holder", Duration: time.Hour}},
		{Kind: lease.OpClaim, Lease: "new", Request: batchRequest},
	}
	errs := clientAs[lease.Batcher](c, fix).ApplyLeases(ops)
	c.Assert(errs, gc.HasLen, len(ops))
	c.Check(errors.Is(errs[0], lease.ErrExcessiveContention), jc.IsTrue, gc.Commentf("%v", errs[0]))
	c.Check(errs[1], jc.ErrorIsNil)
	c.Check(errs[2], jc.ErrorIsNil)

	other := NewFixture(c, s.db, FixtureParams{Id: "other-client"})
	c.Check("calm", other.Expiry(), fix.Zero.Add(time.Hour))
	c.Check("new", other.Holder(), "holder")
	c.Check(other.Client.Leases()["contended"].Expiry.Before(fix.Zero.Add(time.Hour)), jc.IsTrue)
}

// TestFloorRacesDoNotFailTheBatch: another writer claims a new lease
// before each of the client's first four transactions, raising every
// clock document's term floor each time. The extension of a held lease,
// which asserts no floor, goes in a transaction of its own and applies at
// once; the claim of a new lease, whose term comes from the floor, loses
// three races for terms (charged against maxFloorRaces, not maxAttempts)
// and applies on its fourth transaction, in a term above every term the
// other writer took. Written together, the two would have aborted
// together until both got ErrExcessiveContention.
func (s *ClientBatchSuite) TestFloorRacesDoNotFailTheBatch(c *gc.C) {
	fix := EasyFixture(c, s.db)
	claim(c, fix, "holder", "held")
	blocker := NewFixture(c, s.db, FixtureParams{Id: "blocker"})
	raced := 0
	race := func() {
		raced++
		claim(c, blocker, "other", fmt.Sprintf("race%d", raced))
	}
	defer fix.Mongo.SetBeforeHooks(c, race, race, race, race, func() {})()
	transactions := s.transactions(c)

	ops := []lease.Op{
		{Kind: lease.OpExtend, Lease: "held", Request: lease.Request{Holder: "holder", Duration: time.Hour}},
		{Kind: lease.OpClaim, Lease: "new", Request: batchRequest},
	}
	errs := clientAs[lease.Batcher](c, fix).ApplyLeases(ops)
	c.Assert(errs, gc.HasLen, len(ops))
	c.Check(errs[0], jc.ErrorIsNil)
	c.Check(errs[1], jc.ErrorIsNil)
	// The extension; three aborted claims and the one applied; the
	// other writer's four claims.
	c.Check(s.transactions(c), gc.Equals, transactions+1+4+4)

	other := NewFixture(c, s.db, FixtureParams{Id: "other-client"})
	c.Check("held", other.Expiry(), fix.Zero.Add(time.Hour))
	c.Check("new", other.Holder(), "holder")
	infos := other.Client.Leases()
	for i := 1; i <= raced; i++ {
		name := fmt.Sprintf("race%d", i)
		c.Check(infos["new"].Term > infos[name].Term, jc.IsTrue, gc.Commentf("new in term %d, %s in %d", infos["new"].Term, name, infos[name].Term))
	}
}

// TestClockSteppedBack: a batch built on a clock that stepped back behind
// the client's last write aborts on the clock document's assertion,
// whatever its leases; every write gets ErrExcessiveContention, as each
// single-lease method would, and nothing is written.
func (s *ClientBatchSuite) TestClockSteppedBack(c *gc.C) {
	fix := EasyFixture(c, s.db)
	fix.Clock.Advance(time.Minute)
	claim(c, fix, "holder", "held")
	fix.Clock.Reset(fix.Zero, 0)
	before := s.leaseDocs(c)
	errs := clientAs[lease.Batcher](c, fix).ApplyLeases([]lease.Op{
		{Kind: lease.OpExtend, Lease: "held", Request: lease.Request{Holder: "holder", Duration: time.Hour}},
		{Kind: lease.OpClaim, Lease: "new", Request: batchRequest},
	})
	c.Assert(errs, gc.HasLen, 2)
	for i, err := range errs {
		c.Check(errors.Is(err, lease.ErrExcessiveContention), jc.IsTrue, gc.Commentf("op %d: %v", i, err))
	}
	c.Check(s.leaseDocs(c), jc.DeepEquals, before)
}

// leaseDocs returns the fixtures' lease and clock documents, without
// mgo/txn's fields, which an aborted transaction changes.
func (s *ClientBatchSuite) leaseDocs(c *gc.C) []bson.M {
	var docs []bson.M
	err := s.db.C("default-collection").Find(nil).Select(bson.M{"txn-queue": 0, "txn-revno": 0}).Sort("_id").All(&docs)
	c.Assert(err, jc.ErrorIsNil)
	return docs
}

// TestCorruptFoundOnRetry: after an abort, a lease whose document is
// found corrupt gets ErrCorrupt, naming it, as the single-lease method's
// retry would; the others are retried and applied.
func (s *ClientBatchSuite) TestCorruptFoundOnRetry(c *gc.C) {
	fix := EasyFixture(c, s.db)
	claim(c, fix, "holder", "spoilt", "fine")
	blocker := NewFixture(c, s.db, FixtureParams{Id: "blocker"})
	defer fix.Mongo.SetHooks(c, Hook{Before: func() {
		claim(c, blocker, "winner", "raced")
		err := s.db.C("default-collection").UpdateId("lease#default-namespace#spoilt#", bson.M{"$set": bson.M{"holder": 7}})
		c.Check(err, jc.ErrorIsNil)
	}}, Hook{})()

	errs := clientAs[lease.Batcher](c, fix).ApplyLeases([]lease.Op{
		{Kind: lease.OpClaim, Lease: "raced", Request: batchRequest},
		{Kind: lease.OpExtend, Lease: "spoilt", Request: lease.Request{Holder: "holder", Duration: time.Hour}},
		{Kind: lease.OpExtend, Lease: "fine", Request: lease.Request{Holder: "holder", Duration: time.Hour}},
	})
	c.Assert(errs, gc.HasLen, 3)
	c.Check(errs[0] == lease.ErrInvalid, jc.IsTrue, gc.Commentf("%v", errs[0]))
	c.Check(errs[1], gc.ErrorMatches, regexp.QuoteMeta(`corrupt lease document "lease#default-namespace#spoilt#": invalid holder: 7 is a int, not a string`))
	c.Check(errors.Is(errs[1], lease.ErrCorrupt), jc.IsTrue)
	c.Check(errs[2], jc.ErrorIsNil)
	c.Check("fine", fix.Expiry(), fix.Zero.Add(time.Hour))
	// The corrupt lease's cache entry is as it was.
	c.Check("spoilt", fix.Holder(), "holder")
	c.Check("spoilt", fix.Expiry(), fix.Zero.Add(time.Minute))
}

// TestTokensOfABatch: a lease's AssertOp fences the holder's writes until
// a batch releases it.
func (s *ClientBatchSuite) TestTokensOfABatch(c *gc.C) {
	fix := EasyFixture(c, s.db)
	errs := clientAs[lease.Batcher](c, fix).ApplyLeases(batchOps(lease.OpClaim, []string{"a", "b"}, time.Minute))
	checkApplied(c, errs, batchOps(lease.OpClaim, []string{"a", "b"}, time.Minute))
	a, b := fix.Client.Leases()["a"].AssertOp, fix.Client.Leases()["b"].AssertOp
	runner := txn.NewRunner(s.db.C(txnCollection))
	c.Check(runner.Run([]txn.Op{a}, "", nil), jc.ErrorIsNil)

	errs = clientAs[lease.Batcher](c, fix).ApplyLeases([]lease.Op{{Kind: lease.OpRevoke, Lease: "a", Request: lease.Request{Holder: "a-0"}}})
	c.Assert(errs, jc.DeepEquals, []error{nil})
	c.Check(runner.Run([]txn.Op{a}, "", nil), gc.Equals, txn.ErrAborted)
	c.Check(runner.Run([]txn.Op{b}, "", nil), jc.ErrorIsNil)
}

func (s *ClientBatchSuite) transactions(c *gc.C) int {
	n, err := s.db.C(txnCollection).Count()
	c.Assert(err, jc.ErrorIsNil)
	return n
}

// batchNames returns n lease names, prefix000 and on.
func batchNames(prefix string, n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s%03d", prefix, i)
	}
	return names
}

// batchOps returns one op of kind per name, for holder (its unit is the
// lease's name, so that each lease has its own holder) for duration d.
func batchOps(kind lease.OpKind, names []string, d time.Duration) []lease.Op {
	ops := make([]lease.Op, len(names))
	for i, name := range names {
		ops[i] = lease.Op{Kind: kind, Lease: name}
		switch kind {
		case lease.OpClaim, lease.OpExtend:
			ops[i].Request = lease.Request{Holder: name + "-0", Duration: d}
		case lease.OpRevoke:
			ops[i].Request = lease.Request{Holder: name + "-0"}
		}
	}
	return ops
}

// checkApplied checks that every op of a batch was applied.
func checkApplied(c *gc.C, errs []error, ops []lease.Op) {
	c.Assert(errs, gc.HasLen, len(ops))
	for i, err := range errs {
		c.Check(err, jc.ErrorIsNil, gc.Commentf("op %d: %v %s", i, ops[i].Kind, ops[i].Lease))
	}
}
