package leaseclient_test

import (
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
