package leaseclient_test

import (
	"regexp"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/rangetest"
	"github.com/seed07a61904/leadership/lease"
)

// ClientTimeRangeSuite: the times only the MongoDB client computes that
// the store cannot hold (int64 nanoseconds: 1677-09-21 to 2262-04-11): the
// bound an extension keeps for the lease's last writer, and a read window
// wider than a time.Duration. (The conformance suite, TimeRange, checks
// claims, extensions and clock readings out of range on both stores.)
type ClientTimeRangeSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientTimeRangeSuite{})

var (
	// issueNow is a clock reading in 2026, in an odd zone.
	issueNow = rangetest.Now
	// lastTime is the last time the store holds.
	lastTime = rangetest.Last
)

// checkRangeError checks that err matches lease.ErrTimeOutOfRange, with the
// message want.
func checkRangeError(c *gc.C, err error, want string) {
	c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(want))
	c.Check(err, jc.Satisfies, func(err error) bool { return errorIs(err, lease.ErrTimeOutOfRange) })
}

// TestExtendBeyondRangeByWriterBound: an extension must keep the lease at
// least until its last writer's bound, mapped onto the extender's clock;
// when that is beyond the store's range, the extension is refused, though
// the requested minute would fit.
func (s *ClientTimeRangeSuite) TestExtendBeyondRangeByWriterBound(c *gc.C) {
	early := time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)
	writer := NewFixture(c, s.db, FixtureParams{Id: "writer", ClockStart: early})
	c.Assert(writer.Client.ClaimLease("redis", lease.Request{Holder: "redis/0", Duration: 24 * time.Hour}), jc.ErrorIsNil)
	late := lastTime.Add(-time.Hour)
	extender := NewFixture(c, s.db, FixtureParams{Id: "extender", ClockStart: late})
	before := s.dumpAll(c)
	err := extender.Client.ExtendLease("redis", lease.Request{Holder: "redis/0", Duration: time.Minute})
	checkRangeError(c, err, `expiry 2262-04-12T22:47:16.854775807Z of lease "redis" (the latest time at which its last writer "writer", which wrote 1700-01-02T00:00:00Z, might still take it to be held)`+rangetest.Tail)
	c.Check(s.dumpAll(c), jc.DeepEquals, before)
}

// TestReadWindowWiderThanADuration: a clock that jumps forward more than a
// time.Duration counts during the read of the clock document (from 1700
// to 2200) leaves the read window ending at the second reading, not 292
// years after the first: the writer's lease is then known to last until
// at least the second reading plus its remaining minute.
func (s *ClientTimeRangeSuite) TestReadWindowWiderThanADuration(c *gc.C) {
	writer := NewFixture(c, s.db, FixtureParams{Id: "writer", ClockStart: issueNow})
	c.Assert(writer.Client.ClaimLease("redis", lease.Request{Holder: "redis/0", Duration: time.Minute}), jc.ErrorIsNil)
	first := time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)
	second := time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
	step := second.Sub(first) // saturated: about 292 years
	c.Assert(first.Add(step).Before(second), jc.IsTrue)
	// Refresh reads the lease documents, then the clock document between
	// two readings of the clock: 1700, then 2200.
	config := writer.Config
	config.Id = "reader"
	config.Clock = &jumpClock{Clock: NewClock(first, 0), at: 2, to: second}
	client, err := lease.NewClient(config)
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(config.Clock.(*jumpClock).count, gc.Equals, 2)
	info := client.Leases()["redis"]
	c.Check(info.Expiry.Equal(second.Add(time.Minute)), jc.IsTrue, gc.Commentf("expiry %s", info.Expiry))
}

// jumpClock is a Clock whose readings come from Clock, except that from
// the at'th reading (counting from 1) on it reads to.
type jumpClock struct {
	*Clock
	at    int
	to    time.Time
	count int
}

// Now is part of the lease.Clock interface.
func (j *jumpClock) Now() time.Time {
	j.count++
	if j.count >= j.at {
		return j.to
	}
	return j.Clock.Now()
}
