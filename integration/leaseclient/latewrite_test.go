package leaseclient_test

import (
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

// ClientLateWriteSuite: a release whose outcome was unknown to its
// writer (ErrUnavailable) may be applied later by another client's
// transaction, as mgo/txn finishes a transaction left half done (or by
// txn.Runner.ResumeAll). It must then not cut short a guarantee that an
// extension gave the holder after it was decided: it asserts the
// document it was decided on, which any later write changes.
type ClientLateWriteSuite struct {
	faultSuite
}

var _ = gc.Suite(&ClientLateWriteSuite{})

// TestLateRevocation: a's revocation of h's lease is left half prepared
// by a write concern error (its token in a's clock document only); h
// then renews through b, which guarantees h the lease until 90s; b's
// claim of a new lease, taking its term from the floor, writes a's clock
// document and so prepares the revocation, and b's next renewal of h's
// lease finds it there and applies it first. The revocation, decided
// before b's renewal, must abort: the lease is held by h at 20s, and
// another client cannot claim it.
func (s *ClientLateWriteSuite) TestLateRevocation(c *gc.C) {
	s.checkLateRelease(c, func(a *Fixture) error {
		return clientAs[lease.Revoker](c, a).RevokeLease("name", "h")
	})
}

// TestLateExpiry: the same with an expiry, decided by a once the lease
// had run out at 61s, before h renewed through b.
func (s *ClientLateWriteSuite) TestLateExpiry(c *gc.C) {
	s.checkLateRelease(c, func(a *Fixture) error {
		a.Clock.Advance(61 * time.Second)
		return a.Client.ExpireLease("name")
	})
}

// checkLateRelease runs the schedule of TestLateRevocation with release,
// a's release of lease "name", which h holds until 60s.
func (s *ClientLateWriteSuite) checkLateRelease(c *gc.C, release func(a *Fixture) error) {
	a := NewFixture(c, s.db, FixtureParams{Id: "a"})
	b := NewFixture(c, s.db, FixtureParams{Id: "b"})
	c.Assert(a.Client.ClaimLease("name", lease.Request{Holder: "h", Duration: time.Minute}), jc.ErrorIsNil)
	c.Assert(b.Client.Refresh(), jc.ErrorIsNil)

	c.Assert(s.server.FailWriteConcern("findAndModify", 1), jc.ErrorIsNil)
	err := release(a)
	c.Assert(errors.Is(err, lease.ErrUnavailable), jc.IsTrue, gc.Commentf("release: %v", err))
	c.Check(s.server.PendingFaults(), gc.Equals, 0)
	c.Check("name", b.Holder(), "h")

	b.Clock.Advance(10 * time.Second)
	c.Assert(b.Client.ExtendLease("name", lease.Request{Holder: "h", Duration: 80 * time.Second}), jc.ErrorIsNil)
	c.Assert(b.Client.ClaimLease("new", lease.Request{Holder: "x", Duration: time.Minute}), jc.ErrorIsNil)
	b.Clock.Advance(10 * time.Second)
	c.Check(b.Client.ExtendLease("name", lease.Request{Holder: "h", Duration: 80 * time.Second}), jc.ErrorIsNil)

	other := NewFixture(c, s.db, FixtureParams{Id: "c", ClockStart: b.Zero.Add(20 * time.Second)})
	c.Check("name", other.Holder(), "h")
	c.Check(other.Client.ClaimLease("name", lease.Request{Holder: "u", Duration: time.Minute}), gc.Equals, lease.ErrInvalid)
}
