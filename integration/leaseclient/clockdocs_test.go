package leaseclient_test

import (
	"errors"
	"fmt"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/lease"
)

// ClientClockDocsSuite: each writer keeps its clock in its own clock
// document (docs/design.md#clock-documents), so that writers of
// different leases share no document, while the shared clock document
// of earlier versions is still read and honoured.
type ClientClockDocsSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientClockDocsSuite{})

// lastTxnDocs returns the _ids of the documents the newest n transactions
// named, oldest first.
func (s *ClientClockDocsSuite) lastTxnDocs(c *gc.C, n int) [][]string {
	var txns []struct {
		Ops []struct {
			Id string `bson:"d"`
		} `bson:"o"`
	}
	c.Assert(s.db.C(txnCollection).Find(nil).Sort("-_id").Limit(n).All(&txns), jc.ErrorIsNil)
	c.Assert(txns, gc.HasLen, n)
	ids := make([][]string, n)
	for i, t := range txns {
		for _, op := range t.Ops {
			ids[n-1-i] = append(ids[n-1-i], op.Id)
		}
	}
	return ids
}

// TestDisjointWritesShareNoDocument: once each writer has its own clock
// document, the extensions, expiries and claims of released leases of
// two writers name disjoint documents: neither's transaction can queue
// behind the other's.
func (s *ClientClockDocsSuite) TestDisjointWritesShareNoDocument(c *gc.C) {
	a := NewFixture(c, s.db, FixtureParams{Id: "a"})
	b := NewFixture(c, s.db, FixtureParams{Id: "b"})
	claim(c, a, "holder", "x")
	claim(c, b, "holder", "y")
	hour := lease.Request{Holder: "holder", Duration: time.Hour}
	c.Assert(a.Client.ExtendLease("x", hour), jc.ErrorIsNil)
	c.Assert(b.Client.ExtendLease("y", hour), jc.ErrorIsNil)
	s.checkDisjoint(c)

	a.Clock.Advance(2 * time.Hour)
	b.Clock.Advance(2 * time.Hour)
	c.Assert(a.Client.ExpireLease("x"), jc.ErrorIsNil)
	c.Assert(b.Client.ExpireLease("y"), jc.ErrorIsNil)
	s.checkDisjoint(c)
	c.Assert(a.Client.ClaimLease("x", hour), jc.ErrorIsNil)
	c.Assert(b.Client.ClaimLease("y", hour), jc.ErrorIsNil)
	s.checkDisjoint(c)
	c.Check(a.Client.Leases()["x"].Term, gc.Equals, int64(2))
	c.Check(b.Client.Leases()["y"].Term, gc.Equals, int64(3))
}

// checkDisjoint checks that the last two transactions named no document
// in common.
func (s *ClientClockDocsSuite) checkDisjoint(c *gc.C) {
	ids := s.lastTxnDocs(c, 2)
	seen := map[string]bool{}
	for _, id := range ids[0] {
		seen[id] = true
	}
	for _, id := range ids[1] {
		c.Check(seen[id], jc.IsFalse, gc.Commentf("both transactions name %s: %v", id, ids))
	}
}

// TestEarlierLayoutHonoured: a namespace written by an earlier version,
// whose one clock document holds every writer's time, count, the count
// of releases and the term floor, reads as it did: the earlier writer's
// lease has its clock data, the releases and the floor count.
func (s *ClientClockDocsSuite) TestEarlierLayoutHonoured(c *gc.C) {
	zero := defaultClockStart
	s.seedEarlierLayout(c, zero, "earlier")

	fix := EasyFixture(c, s.db)
	info, held := fix.Client.Leases()["old"]
	c.Assert(held, jc.IsTrue)
	c.Check(info.Holder, gc.Equals, "holder")
	c.Check(info.Term, gc.Equals, int64(7))
	c.Check(clientAs[lease.ReleaseWatcher](c, fix).Releases(), gc.Equals, int64(5))
	claim(c, fix, "holder", "new")
	c.Check(fix.Client.Leases()["new"].Term, gc.Equals, int64(8))
	// The new writer's release adds to the earlier ones.
	c.Assert(clientAs[lease.Revoker](c, fix).RevokeLease("new", "holder"), jc.ErrorIsNil)
	other := NewFixture(c, s.db, FixtureParams{Id: "other"})
	c.Check(clientAs[lease.ReleaseWatcher](c, other).Releases(), gc.Equals, int64(6))
	// The earlier writer's lease expires by its clock, as read in the
	// shared document.
	other.Clock.Advance(time.Hour)
	c.Check(other.Client.ExpireLease("old"), gc.Equals, lease.ErrInvalid)
	other.Clock.Advance(time.Nanosecond)
	c.Check(other.Client.ExpireLease("old"), jc.ErrorIsNil)
}

// seedEarlierLayout writes, as an earlier version would have, a lease
// "old" held by "holder" in term 7 until zero+1h on writer's clock, the
// writer's time zero and 3 transactions in the shared clock document,
// and 5 releases and a term floor of 7 there.
func (s *ClientClockDocsSuite) seedEarlierLayout(c *gc.C, zero time.Time, writer string) {
	err := txn.NewRunner(s.db.C(txnCollection)).Run([]txn.Op{{
		C: "default-collection", Id: "clock#default-namespace#", Assert: txn.DocMissing,
		Insert: bson.M{
			"type": "clock", "namespace": "default-namespace",
			"writers": bson.M{writer: zero.UnixNano()}, "writes": bson.M{writer: int64(3)},
			"releases": int64(5), "terms": int64(7),
		},
	}, {
		C: "default-collection", Id: "lease#default-namespace#old#", Assert: txn.DocMissing,
		Insert: bson.M{
			"type": "lease", "namespace": "default-namespace", "name": "old", "holder": "holder",
			"expiry": zero.Add(time.Hour).UnixNano(), "writer": writer, "term": int64(7),
		},
	}}, "", nil)
	c.Assert(err, jc.ErrorIsNil)
}

// TestSameIdContinuesEarlierRecord: a client with the id of an earlier
// version's writer continues what the shared clock document records of
// it: its own document's count follows the shared one's (so readers
// measure its clock again), and it cannot write while its clock is
// behind the time recorded there (docs/design.md#clock-steps).
func (s *ClientClockDocsSuite) TestSameIdContinuesEarlierRecord(c *gc.C) {
	zero := defaultClockStart
	s.seedEarlierLayout(c, zero.Add(time.Minute), "default-client")
	fix := EasyFixture(c, s.db)
	request := lease.Request{Holder: "holder", Duration: time.Minute}
	c.Check(fix.Client.ClaimLease("new", request), gc.ErrorMatches, `state changing too quickly; try again soon`)
	c.Check(s.clocksOf(c, fix).Own["default-client"], jc.IsFalse)

	fix.Clock.Advance(time.Minute)
	c.Assert(fix.Client.ClaimLease("new", request), jc.ErrorIsNil)
	got := s.clocksOf(c, fix)
	c.Check(got.Own["default-client"], jc.IsTrue)
	c.Check(got.Writes["default-client"], gc.Equals, int64(4))
	c.Check(got.Writers["default-client"], gc.Equals, zero.Add(time.Minute).UnixNano())
}

// TestTermNeverRepeatsAcrossRemoval: a lease's document removed after
// other writers claimed it in higher terms than a client has read does
// not make that client's next claim reuse a term, whether it has read the
// other writers' clock documents or not: its claim, which takes its term
// from the floor, aborts (on their floors, or on the count of clock
// documents), and it claims again above every floor.
func (s *ClientClockDocsSuite) TestTermNeverRepeatsAcrossRemoval(c *gc.C) {
	for i, knows := range []bool{false, true} {
		c.Logf("test %d: the stale client has read the others' clock documents: %v", i, knows)
		ns := fmt.Sprintf("ns%d", i)
		stale := NewFixture(c, s.db, FixtureParams{Id: "stale", Namespace: ns})
		b := NewFixture(c, s.db, FixtureParams{Id: "b", Namespace: ns})
		d := NewFixture(c, s.db, FixtureParams{Id: "d", Namespace: ns})
		// Each writer makes its own clock document.
		claim(c, stale, "u/0", "ps")
		claim(c, b, "u/0", "pb")
		claim(c, d, "u/0", "pd")
		if knows {
			c.Assert(stale.Client.(lease.ClockRefresher).RefreshClocks(), jc.ErrorIsNil)
		}
		claim(c, b, "u/0", "x")
		c.Assert(clientAs[lease.Revoker](c, b).RevokeLease("x", "u/0"), jc.ErrorIsNil)
		c.Assert(d.Client.Refresh(), jc.ErrorIsNil)
		claim(c, d, "u/0", "x") // in a term kept in d's floor alone
		highest := d.Client.Leases()["x"].Term
		c.Assert(clientAs[lease.Revoker](c, d).RevokeLease("x", "u/0"), jc.ErrorIsNil)
		c.Assert(s.db.C("default-collection").RemoveId("lease#"+ns+"#x#"), jc.ErrorIsNil)
		c.Check(readClocks(c, s.db.C("default-collection"), ns).Terms, gc.Equals, highest)

		// stale has x as never claimed, and a floor below highest.
		c.Assert(stale.Client.ClaimLease("x", lease.Request{Holder: "u/0", Duration: time.Minute}), jc.ErrorIsNil)
		info, held := stale.Client.Leases()["x"]
		c.Assert(held, jc.IsTrue)
		c.Check(info.Term, gc.Equals, highest+1)
	}
}

// TestPollCost: reading the clocks of a namespace with several writers,
// each with its own clock document beside the shared one, is one
// command, and brings the sum of their counts of releases.
func (s *ClientClockDocsSuite) TestPollCost(c *gc.C) {
	if s.server.Commands() < 0 {
		c.Skip("the server does not count commands")
	}
	writers := []*Fixture{
		NewFixture(c, s.db, FixtureParams{Id: "a"}),
		NewFixture(c, s.db, FixtureParams{Id: "b"}),
		NewFixture(c, s.db, FixtureParams{Id: "c"}),
	}
	for i, fix := range writers {
		name := string(rune('p' + i))
		claim(c, fix, "holder", name)
		c.Assert(clientAs[lease.Revoker](c, fix).RevokeLease(name, "holder"), jc.ErrorIsNil)
	}
	reader := NewFixture(c, s.db, FixtureParams{Id: "reader"})
	before := s.server.Commands()
	c.Assert(clientAs[lease.ReleaseWatcher](c, reader).RefreshReleases(), jc.ErrorIsNil)
	c.Check(s.server.Commands()-before, gc.Equals, int64(1))
	c.Check(clientAs[lease.ReleaseWatcher](c, reader).Releases(), gc.Equals, int64(3))
	c.Check(s.clocksOf(c, reader).Own, jc.DeepEquals, map[string]bool{"a": true, "b": true, "c": true})
}

// TestCorruptOwnClockDocument: a writer's clock document that records
// another writer makes the clock documents corrupt: a read fails and
// changes nothing.
func (s *ClientClockDocsSuite) TestCorruptOwnClockDocument(c *gc.C) {
	fix := EasyFixture(c, s.db)
	claim(c, fix, "holder", "name")
	err := s.db.C("default-collection").UpdateId("clock#default-namespace#default-client#",
		bson.M{"$set": bson.M{"writers.evil": int64(1)}})
	c.Assert(err, jc.ErrorIsNil)
	before := fix.Client.Leases()
	err = fix.Client.(lease.ClockRefresher).RefreshClocks()
	c.Check(err, gc.ErrorMatches, `corrupt clock document: records writer "evil" in the clock document of "default-client"`)
	c.Check(errors.Is(err, lease.ErrCorrupt), jc.IsTrue)
	c.Check(fix.Client.Leases(), jc.DeepEquals, before)
}

// TestWriteCosts: once a writer has its own clock document, a claim of a
// released lease, an extension, an expiry and a revocation cost what a
// transaction on its own clock document and the lease's does, however
// many other writers there are; a first claim, whose term comes from the
// floor, costs floorClock more for each other writer's clock document.
func (s *ClientClockDocsSuite) TestWriteCosts(c *gc.C) {
	if s.server.Commands() < 0 {
		c.Skip("the server does not count commands")
	}
	others := []*Fixture{NewFixture(c, s.db, FixtureParams{Id: "a"}), NewFixture(c, s.db, FixtureParams{Id: "b"})}
	for i, fix := range others {
		claim(c, fix, "holder", fmt.Sprintf("other%d", i))
	}
	fix := EasyFixture(c, s.db)
	claim(c, fix, "holder", "first") // creates its clock document
	cost := func(f func() error) int64 {
		before := s.server.Commands()
		c.Assert(f(), jc.ErrorIsNil)
		return s.server.Commands() - before
	}
	hour := lease.Request{Holder: "holder", Duration: time.Hour}
	c.Check(cost(func() error { return fix.Client.ClaimLease("new", hour) }), gc.Equals, batchCommands(1, true)+2*floorClock)
	c.Check(cost(func() error { return fix.Client.ExtendLease("new", hour) }), gc.Equals, batchCommands(1, false))
	fix.Clock.Advance(2 * time.Hour)
	c.Check(cost(func() error { return fix.Client.ExpireLease("new") }), gc.Equals, batchCommands(1, false))
	c.Check(cost(func() error { return fix.Client.ClaimLease("new", hour) }), gc.Equals, batchCommands(1, false))
	c.Check(cost(func() error { return clientAs[lease.Revoker](c, fix).RevokeLease("new", "holder") }), gc.Equals, batchCommands(1, false))
}
