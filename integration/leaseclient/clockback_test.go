package leaseclient_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

// ClientClockBackSuite: a client whose clock steps back (as NTP can) must
// not promise leases on it that the others, who measured that clock
// before, will take to end sooner. (Found by the safety simulation,
// integration/safety: backwards seed 3 at 100 events, and a schedule
// that steps a clock back exactly as far as time then moves on.)
type ClientClockBackSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientClockBackSuite{})

func (s *ClientClockBackSuite) TestExtendOwnLeaseAfterClockStepsBack(c *gc.C) {
	writer := EasyFixture(c, s.db)
	err := writer.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)

	// The writer's clock steps back 9s behind its claim, and the holder
	// asks for another minute. On the writer's clock the lease already
	// lasts until then; but the extension must not succeed without a
	// transaction, whose clock assertion refuses it. (The conformance
	// suite, Skew/ExtendAfterStepBack, checks that another client may
	// then expire the lease a minute after the claim.)
	writer.Clock.Reset(writer.Zero.Add(-9*time.Second), 0)
	err = writer.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Check(err, jc.Satisfies, func(err error) bool { return errorIs(err, lease.ErrExcessiveContention) })
}

// TestClockGoesBackDuringRefresh: a clock with no monotonic reading can
// step back between the two readings around the read of the clock
// document. Juju's client then failed the refresh, and the manager that
// made it stopped. The window is now the two readings, earlier first, and
// expiries are counted from the later one, which bounds the read from
// above on the clock as it reads after the step.
func (s *ClientClockBackSuite) TestClockGoesBackDuringRefresh(c *gc.C) {
	writer := EasyFixture(c, s.db)
	err := writer.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	observer := NewFixture(c, s.db, FixtureParams{Id: "observer"})
	c.Check("name", observer.Expiry(), writer.Zero.Add(time.Minute))

	// The writer writes again 10s on; the observer's clock then reads
	// Zero+10s, and steps back a second at every reading.
	writer.Clock.Reset(writer.Zero.Add(10*time.Second), 0)
	err = writer.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	observer.Clock.Reset(writer.Zero.Add(10*time.Second), -time.Second)
	c.Assert(observer.Client.Refresh(), jc.ErrorIsNil)
	// Read between Zero+10s and Zero+9s: the writer's time, Zero+10s, may
	// have been read as late as Zero+10s, so its lease runs until then
	// plus a minute.
	c.Check("name", observer.Expiry(), writer.Zero.Add(70*time.Second))
}
