package leaseclient_test

import (
	"errors"
	"fmt"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/lease"
)

// ClientCommandsSuite counts the database commands each operation costs,
// as the server saw them (mongotest's Commands, which leaves out mgo's own
// isMaster/ping/getnonce). Reads that hit the cache must cost nothing.
type ClientCommandsSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientCommandsSuite{})

// count returns how many commands f cost.
func (s *ClientCommandsSuite) count(c *gc.C, f func()) int64 {
	before := s.server.Commands()
	if before < 0 {
		c.Skip("the server does not count commands")
	}
	f()
	return s.server.Commands() - before
}

func (s *ClientCommandsSuite) TestCommands(c *gc.C) {
	var fix *Fixture
	counts := map[string]int64{}
	record := func(what string, f func()) int64 {
		n := s.count(c, f)
		counts[what] = n
		c.Logf("%-48s %3d commands", what, n)
		return n
	}
	check := func(err error) {
		c.Assert(err, jc.ErrorIsNil)
	}
	request := lease.Request{Holder: "holder", Duration: time.Minute}

	record("NewClient, creating the clock doc", func() { fix = EasyFixture(c, s.db) })
	record("NewClient, clock doc exists", func() { EasyFixture(c, s.db) })
	record("ClaimLease", func() { check(fix.Client.ClaimLease("name", request)) })
	record("ExtendLease", func() {
		check(fix.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: time.Hour}))
	})
	record("ExtendLease, not lengthening", func() { check(fix.Client.ExtendLease("name", request)) })
	record("Refresh, one lease", func() { check(fix.Client.Refresh()) })
	c.Check(record("RefreshLease", func() { check(fix.Client.(lease.SingleRefresher).RefreshLease("name")) }), gc.Equals, int64(2))
	c.Check(record("RefreshClocks", func() { check(fix.Client.(lease.ClockRefresher).RefreshClocks()) }), gc.Equals, int64(1))
	fix.Clock.Advance(2 * time.Hour)
	record("ExpireLease", func() { check(fix.Client.ExpireLease("name")) })
	record("Refresh, no lease", func() { check(fix.Client.Refresh()) })

	check(fix.Client.ClaimLease("name", request))
	reader := fix.Client.(lease.Reader)
	cached := []struct {
		what string
		f    func()
	}{
		{"Leases", func() { fix.Client.Leases() }},
		{"Lease (Reader)", func() { reader.Lease("name") }},
		{"ClaimLease, held in cache (ErrInvalid)", func() {
			c.Check(fix.Client.ClaimLease("name", request), gc.Equals, lease.ErrInvalid)
		}},
		{"ExtendLease, other holder in cache (ErrInvalid)", func() {
			c.Check(fix.Client.ExtendLease("name", lease.Request{Holder: "other", Duration: time.Hour}),
				gc.Equals, lease.ErrInvalid)
		}},
		{"ExpireLease, not expired in cache (ErrInvalid)", func() {
			c.Check(fix.Client.ExpireLease("name"), gc.Equals, lease.ErrInvalid)
		}},
		{"ExpireLease, not held in cache (ErrInvalid)", func() {
			c.Check(fix.Client.ExpireLease("other"), gc.Equals, lease.ErrInvalid)
		}},
	}
	for _, t := range cached {
		c.Check(record(t.what, t.f), gc.Equals, int64(0), gc.Commentf("%s", t.what))
	}

	// An aborted attempt: the blocker's claim runs inside the SUT's
	// attempt, so its own cost is taken off.
	blocker := NewFixture(c, s.db, FixtureParams{Id: "blocker"})
	var blocking int64
	defer fix.Mongo.SetBeforeHooks(c, func() {
		blocking = s.count(c, func() {
			check(blocker.Client.ClaimLease("raced", request))
		})
	})()
	total := s.count(c, func() {
		c.Check(fix.Client.ClaimLease("raced", request), gc.Equals, lease.ErrInvalid)
	})
	c.Logf("%-48s %3d commands", "ClaimLease, aborted, refresh, then ErrInvalid", total-blocking)

	// A transaction touches two documents; a plain read is one command;
	// Refresh reads the leases and the clock document.
	c.Check(counts["Refresh, one lease"], gc.Equals, counts["Refresh, no lease"])
	// An extension is written even when it would not lengthen the lease:
	// only its transaction checks what the decision rests on.
	c.Check(counts["ExtendLease, not lengthening"], gc.Equals, counts["ExtendLease"])
	c.Check(counts["ClaimLease"] > 0, jc.IsTrue)
}

// ClientBatchCommandsSuite counts what a batch of writes costs, as the
// server saw it: exactly one transaction, one write of the clock
// document, and mgo/txn's commands for its documents. The counts are
// exact guards: a change in what a batch sends shows here.
type ClientBatchCommandsSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientBatchCommandsSuite{})

// batchCommands is what a transaction of n lease writes costs on the
// embedded server, once its writer has its own clock document. A
// transaction that updates the lease documents costs mgo/txn's 9 commands
// for the transaction and that clock document, and 4 per lease document.
// A transaction of n first claims (insert true), whose terms come from the
// floor, writes the shared clock document too. Before it, the client
// cleans the clock documents' queues (cleanClocks: a read of the queues,
// one of the states of the transactions named there, and an update of
// each clock document); then it costs mgo/txn's 4 for the transaction, 3
// per clock document and 7 per lease document inserted, through mgo/txn's
// stash (TestFirstClaimsCommandsByName).
func batchCommands(n int, insert bool) int64 {
	if insert {
		return cleanClocks(2) + int64(4+2*3+7*n)
	}
	return int64(9 + 4*n)
}

// cleanClocks is what cleaning the queues of clocks clock documents costs,
// when each names a finished transaction.
func cleanClocks(clocks int) int64 {
	return int64(2 + clocks)
}

const (
	// createOwnClock is what a writer's first transaction of first
	// claims costs more: it inserts the writer's own clock document (7
	// commands) instead of cleaning its queue (1) and updating it (3).
	createOwnClock = 3
	// floorClock is what a transaction of first claims costs more for
	// each other writer's own clock document, which it asserts and
	// raises the term floor of (3), and whose queue it cleans (1).
	floorClock = 4
)

// clock returns what the clock documents of fix's namespace hold.
func (s *ClientBatchCommandsSuite) clock(c *gc.C, fix *Fixture) storedClocks {
	return s.clocksOf(c, fix)
}

func (s *ClientBatchCommandsSuite) transactions(c *gc.C) int {
	n, err := s.db.C(txnCollection).Count()
	c.Assert(err, jc.ErrorIsNil)
	return n
}

// TestCommandsPerOp: a batch of 1, 10 and 100 claims (of new leases, and
// of released ones), extensions, expiries and revocations is one
// transaction, which writes its writer's clock document once (its count
// of transactions up by one, its count of releases up by the batch's
// releases), and costs exactly batchCommands: per write, 4 commands and
// 9/n, or 7 and 14/n for the first claim of a lease. The first batch of a
// writer creates its own clock document, and claims new leases, with
// terms from the floor (createOwnClock).
func (s *ClientBatchCommandsSuite) TestCommandsPerOp(c *gc.C) {
	if s.server.Commands() < 0 {
		c.Skip("the server does not count commands")
	}
	for _, n := range []int{1, 10, 100} {
		fix := NewFixture(c, s.db, FixtureParams{Namespace: fmt.Sprintf("ns%d", n)})
		b := clientAs[lease.Batcher](c, fix)
		names := batchNames("lease", n)
		run := func(what string, ops []lease.Op, insert bool, releases int64, extra int64) {
			clockBefore, txnsBefore := s.clock(c, fix), s.transactions(c)
			before := s.server.Commands()
			errs := b.ApplyLeases(ops)
			got := s.server.Commands() - before
			checkApplied(c, errs, ops)
			c.Logf("batch of %3d %-16s %4d commands, %5.2f per write", n, what, got, float64(got)/float64(n))
			c.Check(got, gc.Equals, batchCommands(n, insert)+extra, gc.Commentf("batch of %d %s", n, what))
			c.Check(s.transactions(c), gc.Equals, txnsBefore+1, gc.Commentf("batch of %d %s", n, what))
			clockAfter := s.clock(c, fix)
			c.Check(clockAfter.Writes[fix.Config.Id], gc.Equals, clockBefore.Writes[fix.Config.Id]+1)
			c.Check(clockAfter.Releases, gc.Equals, clockBefore.Releases+releases)
		}
		run("claim, new", batchOps(lease.OpClaim, names, time.Minute), true, 0, createOwnClock)
		run("extend", batchOps(lease.OpExtend, names, time.Hour), false, 0, 0)
		fix.Clock.Advance(2 * time.Hour)
		run("expire", batchOps(lease.OpExpire, names, 0), false, int64(n), 0)
		run("claim, released", batchOps(lease.OpClaim, names, time.Minute), false, 0, 0)
		run("revoke", batchOps(lease.OpRevoke, names, 0), false, int64(n), 0)
		c.Check(fix.Client.Leases(), gc.HasLen, 0)
	}
}

// TestSplitAtMaxBatchOps: a batch of lease.MaxBatchOps+1 claims runs as
// two transactions, the first of MaxBatchOps writes; each writes the
// writer's clock document once. The first creates it, and updates the
// shared one; the second asserts and raises the shared one's term floor.
func (s *ClientBatchCommandsSuite) TestSplitAtMaxBatchOps(c *gc.C) {
	if s.server.Commands() < 0 {
		c.Skip("the server does not count commands")
	}
	fix := EasyFixture(c, s.db)
	names := batchNames("lease", lease.MaxBatchOps+1)
	ops := batchOps(lease.OpClaim, names, time.Minute)
	clockBefore, txnsBefore := s.clock(c, fix), s.transactions(c)
	before := s.server.Commands()
	errs := clientAs[lease.Batcher](c, fix).ApplyLeases(ops)
	got := s.server.Commands() - before
	checkApplied(c, errs, ops)
	c.Check(got, gc.Equals, batchCommands(lease.MaxBatchOps, true)+createOwnClock+batchCommands(1, true))
	c.Check(s.transactions(c), gc.Equals, txnsBefore+2)
	c.Check(s.clock(c, fix).Writes[fix.Config.Id], gc.Equals, clockBefore.Writes[fix.Config.Id]+2)

	// The first MaxBatchOps leases went in the first transaction, the
	// last alone in the second.
	var txns []struct {
		Ops []struct {
			Id string `bson:"d"`
		} `bson:"o"`
	}
	err := s.db.C(txnCollection).Find(nil).Sort("_id").Skip(txnsBefore).All(&txns)
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(txns, gc.HasLen, 2)
	c.Check(txns[0].Ops, gc.HasLen, lease.MaxBatchOps+2)
	c.Assert(txns[1].Ops, gc.HasLen, 3)
	c.Check(txns[1].Ops[0].Id, gc.Equals, "clock#default-namespace#default-client#")
	c.Check(txns[1].Ops[1].Id, gc.Equals, "clock#default-namespace#")
	c.Check(txns[1].Ops[2].Id, gc.Equals, "lease#default-namespace#"+names[lease.MaxBatchOps]+"#")
	other := NewFixture(c, s.db, FixtureParams{Id: "other"})
	c.Check(other.Client.Leases(), gc.HasLen, lease.MaxBatchOps+1)
}

// TestRefreshReadsInBatches checks that a refresh of many leases reads
// them all, in replies of a thousand documents: 2,500 leases cost one
// find, two getMores and the read of the clock document.
func (s *ClientCommandsSuite) TestRefreshReadsInBatches(c *gc.C) {
	const n = 2500
	fix := EasyFixture(c, s.db)
	c.Assert(fix.Client.ClaimLease("lease0000", lease.Request{Holder: "holder", Duration: time.Hour}), jc.ErrorIsNil)
	leases := s.db.C("default-collection")
	var doc bson.M
	c.Assert(leases.FindId("lease#default-namespace#lease0000#").One(&doc), jc.ErrorIsNil)
	docs := make([]interface{}, 0, n-1)
	for i := 1; i < n; i++ {
		copied := bson.M{}
		for k, v := range doc {
			copied[k] = v
		}
		name := fmt.Sprintf("lease%04d", i)
		copied["_id"], copied["name"] = "lease#default-namespace#"+name+"#", name
		// A plain copy of a lease mgo/txn wrote: no transaction names it.
		delete(copied, "txn-queue")
		delete(copied, "txn-revno")
		docs = append(docs, copied)
	}
	c.Assert(leases.Insert(docs...), jc.ErrorIsNil)

	commands := s.count(c, func() { c.Assert(fix.Client.Refresh(), jc.ErrorIsNil) })
	c.Check(fix.Client.Leases(), gc.HasLen, n)
	c.Check("lease2499", fix.Expiry(), fix.Zero.Add(time.Hour))
	c.Check(commands, gc.Equals, int64(4))
}

// TestStepsReadOneReplyEach: each step of a stepped refresh is one
// command (find, then getMore), the last one reads the clocks too; after
// Close (whose killCursors the server does not count) its steps read
// nothing; a getMore refused mid-way abandons the refresh with
// lease.ErrUnavailable, leaving the cache as it was.
func (s *ClientCommandsSuite) TestStepsReadOneReplyEach(c *gc.C) {
	fix := EasyFixture(c, s.db)
	for _, name := range []string{"mysql", "redis", "riak"} {
		c.Assert(fix.Client.ClaimLease(name, lease.Request{Holder: name + "/0", Duration: time.Hour}), jc.ErrorIsNil)
	}
	stepper := fix.Client.(lease.StepRefresher)
	step := func(steps lease.RefreshSteps, done bool) int64 {
		return s.count(c, func() {
			got, err := steps.Step()
			c.Check(err, jc.ErrorIsNil)
			c.Check(got, gc.Equals, done)
		})
	}

	steps := stepper.BeginRefresh(2)
	c.Check(step(steps, false), gc.Equals, int64(1))
	c.Check(step(steps, true), gc.Equals, int64(2))

	steps = stepper.BeginRefresh(1)
	c.Check(step(steps, false), gc.Equals, int64(1))
	c.Check(s.count(c, steps.Close), gc.Equals, int64(0))
	c.Check(s.count(c, func() {
		done, err := steps.Step()
		c.Check(done, jc.IsTrue)
		c.Check(err, gc.Equals, lease.ErrRefreshAbandoned)
	}), gc.Equals, int64(0))
	c.Check(s.count(c, steps.Close), gc.Equals, int64(0))

	other := EasyFixture(c, s.db)
	c.Assert(other.Client.ClaimLease("solr", lease.Request{Holder: "solr/0", Duration: time.Hour}), jc.ErrorIsNil)
	before := fix.Client.Leases()
	c.Assert(s.server.FailNotPrimary("getMore", 1), jc.ErrorIsNil)
	steps = stepper.BeginRefresh(2)
	c.Check(step(steps, false), gc.Equals, int64(1))
	done, err := steps.Step()
	c.Check(done, jc.IsTrue)
	c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue, gc.Commentf("error: %v", err))
	c.Check(fix.Client.Leases(), jc.DeepEquals, before)
	done, err = steps.Step()
	c.Check(done, jc.IsTrue)
	c.Check(err, gc.Equals, lease.ErrRefreshAbandoned)
}

// TestStepAfterRestart: the server restarts between two steps, so the
// refresh's cursor is gone; the next step fails as a store failure
// (lease.ErrUnavailable), not with an unclassified error, leaving the cache
// as it was.
func (s *ClientCommandsSuite) TestStepAfterRestart(c *gc.C) {
	fix := EasyFixture(c, s.db)
	for _, name := range []string{"mysql", "redis", "riak"} {
		c.Assert(fix.Client.ClaimLease(name, lease.Request{Holder: name + "/0", Duration: time.Hour}), jc.ErrorIsNil)
	}
	before := fix.Client.Leases()
	steps := fix.Client.(lease.StepRefresher).BeginRefresh(1)
	done, err := steps.Step()
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(done, jc.IsFalse)
	c.Assert(s.server.Restart(), jc.ErrorIsNil)
	for n := 0; !done; n++ {
		c.Assert(n < 10, jc.IsTrue)
		done, err = steps.Step()
		c.Logf("step %d: done %v, error %v", n, done, err)
	}
	c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue, gc.Commentf("error: %v", err))
	c.Check(fix.Client.Leases(), jc.DeepEquals, before)
}

// TestStepCursorLost: the refresh's cursor is gone between two steps (the
// server forgot it: an idle timeout, a restart, a failover seen through
// a new connection), so the getMore gets "cursor not found" (code 43).
// That is the store failing to answer for a reason that passes: the step
// should fail with lease.ErrUnavailable, as RefreshSteps documents, not
// with an unclassified error.
func (s *ClientCommandsSuite) TestStepCursorLost(c *gc.C) {
	fix := EasyFixture(c, s.db)
	for _, name := range []string{"mysql", "redis", "riak"} {
		c.Assert(fix.Client.ClaimLease(name, lease.Request{Holder: name + "/0", Duration: time.Hour}), jc.ErrorIsNil)
	}
	before := fix.Client.Leases()
	// A cursor of our own, to learn how the server numbers them.
	var mine struct {
		Cursor struct {
			Id int64 `bson:"id"`
		} `bson:"cursor"`
	}
	c.Assert(s.db.Run(bson.D{{Name: "find", Value: "default-collection"}, {Name: "batchSize", Value: 1}}, &mine), jc.ErrorIsNil)
	c.Assert(mine.Cursor.Id, gc.Not(gc.Equals), int64(0))
	steps := fix.Client.(lease.StepRefresher).BeginRefresh(1)
	done, err := steps.Step()
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(done, jc.IsFalse)
	var ids []int64
	for d := int64(-1000); d <= 1000; d++ {
		ids = append(ids, mine.Cursor.Id+d)
	}
	var killed bson.M
	c.Assert(s.db.Run(bson.D{{Name: "killCursors", Value: "default-collection"}, {Name: "cursors", Value: ids}}, &killed), jc.ErrorIsNil)
	c.Logf("mine %d, killed %v", mine.Cursor.Id, killed["cursorsKilled"])
	done, err = steps.Step()
	c.Check(done, jc.IsTrue)
	c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue, gc.Commentf("error: %v", err))
	c.Check(fix.Client.Leases(), jc.DeepEquals, before)
}
