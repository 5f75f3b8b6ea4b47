package leaseclient_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

// ClientReadLateSuite: a client that first reads another writer's time
// long after that writer wrote it knows only that the writer's clock was
// at least that far on. It must not take the writer's lease to last as
// long as if the write had just happened. (Found by the safety
// simulation, integration/safety: plain seeds 44 and 65 at 150 events.)
type ClientReadLateSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientReadLateSuite{})

func (s *ClientReadLateSuite) TestExtendIsWrittenAfterLateRead(c *gc.C) {
	writer := EasyFixture(c, s.db)
	err := writer.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)

	// The extender's clock agrees with the writer's, but it first reads
	// the writer's time 30s after the claim; it asks for 50s, that is
	// until 20s after the writer's expiry.
	extender := NewFixture(c, s.db, FixtureParams{Id: "extender", ClockStart: writer.Zero.Add(30 * time.Second)})
	err = extender.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: 50 * time.Second})
	c.Assert(err, jc.ErrorIsNil)

	// So the writer, whose clock says its own expiry has passed, must not
	// be able to expire the lease.
	writer.Clock.Advance(time.Minute + time.Nanosecond)
	err = writer.Client.ExpireLease("name")
	c.Check(err, gc.Equals, lease.ErrInvalid)
	c.Check("name", writer.Holder(), "holder")
}

func (s *ClientReadLateSuite) TestExtendFailsWhenCacheIsStale(c *gc.C) {
	writer := EasyFixture(c, s.db)
	err := writer.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	extender := NewFixture(c, s.db, FixtureParams{Id: "extender", ClockStart: writer.Zero.Add(30 * time.Second)})

	// Unknown to the extender, the lease expires and another holder
	// claims it.
	writer.Clock.Advance(time.Minute + time.Nanosecond)
	c.Assert(writer.Client.ExpireLease("name"), jc.ErrorIsNil)
	err = writer.Client.ClaimLease("name", lease.Request{Holder: "other", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)

	// Extending from the stale cache must find that out.
	extender.Clock.Advance(35 * time.Second)
	err = extender.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: 5 * time.Second})
	c.Check(err, gc.Equals, lease.ErrInvalid)
	c.Check("name", extender.Holder(), "other")
}
