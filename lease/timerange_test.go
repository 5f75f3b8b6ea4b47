package lease

import (
	"errors"
	"math"
	"time"

	juju "github.com/juju/errors"
	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/internal/rangetest"
)

// TimeRangeSuite: the ops builders refuse, with ErrTimeOutOfRange and a
// message naming the time, every clock reading and every expiry that the
// store cannot hold, and compute exactly near the ends of the
// range, where time.Time.Sub saturates.
type TimeRangeSuite struct{}

var _ = gc.Suite(&TimeRangeSuite{})

var (
	// issueNow is a clock reading in 2026, in an odd zone: a claim for
	// 250 years from it ends in 2276, after the store's range.
	issueNow = rangetest.Now
	// firstTime and lastTime are the ends of the store's range.
	firstTime = rangetest.First
	lastTime  = rangetest.Last
	// long is 250 years.
	long = 250 * 365 * 24 * time.Hour
)

// rangeTail ends every ErrTimeOutOfRange message.
const rangeTail = rangetest.Tail

// checkRangeError checks that err is an ErrTimeOutOfRange error, also once
// traced as run traces it, with the message want.
func checkRangeError(c *gc.C, err error, want string) {
	c.Check(err, gc.ErrorMatches, quote(want))
	c.Check(errors.Is(err, ErrTimeOutOfRange), jc.IsTrue)
	c.Check(errors.Is(juju.Trace(err), ErrTimeOutOfRange), jc.IsTrue)
}

func (s *TimeRangeSuite) TestClaimOps(c *gc.C) {
	for i, t := range []struct {
		about string
		now   time.Time
		d     time.Duration
		held  bool
		err   string
	}{{
		about: "250 years from 2026",
		now:   issueNow,
		d:     long,
		err:   `expiry 2276-09-29T20:40:00.000000005Z of lease "name" (clock reading 2026-11-29T20:40:00.000000005Z plus 2190000h0m0s)` + rangeTail,
	}, {
		about: "math.MaxInt64 as forever; time.Time.Add does not overflow, UnixNano would",
		now:   issueNow,
		d:     math.MaxInt64,
		err:   `expiry 2319-03-11T20:27:16.854775812Z of lease "name" (clock reading 2026-11-29T20:40:00.000000005Z plus 2562047h47m16.854775807s)` + rangeTail,
	}, {
		about: "an expiry at the last time the store holds",
		now:   lastTime.Add(-time.Minute),
		d:     time.Minute,
	}, {
		about: "an expiry a nanosecond later",
		now:   lastTime.Add(-time.Minute),
		d:     time.Minute + time.Nanosecond,
		err:   `expiry 2262-04-11T23:47:16.854775808Z of lease "name" (clock reading 2262-04-11T23:46:16.854775807Z plus 1m0.000000001s)` + rangeTail,
	}, {
		about: "a clock reading after the range",
		now:   lastTime.Add(time.Nanosecond),
		d:     time.Nanosecond,
		err:   `clock reading 2262-04-11T23:47:16.854775808Z of client "me"` + rangeTail,
	}, {
		about: "a clock reading before the range, with math.MaxInt64 bringing the expiry into it",
		now:   firstTime.Add(-time.Nanosecond),
		d:     math.MaxInt64,
		err:   `clock reading 1677-09-21T00:12:43.145224191Z of client "me"` + rangeTail,
	}, {
		about: "the first clock reading the store holds",
		now:   firstTime,
		d:     time.Nanosecond,
	}, {
		about: "a clock out of range is reported before the lease is found held",
		now:   lastTime.Add(time.Hour),
		d:     time.Minute,
		held:  true,
		err:   `clock reading 2262-04-12T00:47:16.854775807Z of client "me"` + rangeTail,
	}} {
		c.Logf("test %d: %s", i, t.about)
		cached := emptyCache()
		if t.held {
			cached = testCache(entry{holder: "holder", expiry: zero, writer: "me"})
		}
		ops, next, err := claimOps(testScope, cached, "name", Request{Holder: "holder", Duration: t.d}, t.now)
		if t.err != "" {
			checkRangeError(c, err, t.err)
			c.Check(ops, gc.IsNil)
			c.Check(next, jc.DeepEquals, entry{})
			continue
		}
		c.Assert(err, jc.ErrorIsNil)
		c.Check(next.expiry.Equal(t.now.Add(t.d)), jc.IsTrue)
		c.Check(ops[0], jc.DeepEquals, claimClockOp(t.now, 1))
		c.Check(ops[2].Insert.(leaseDoc).Expiry, gc.Equals, t.now.Add(t.d).UnixNano())
	}
}

// farSkew is what "remote" showed of its clock, had it been set to 1680
// when we read it with ours 10 hours later; farExpiry, which it wrote,
// is 570 years after its last write, further than a time.Duration counts
// (Sub saturates at about 292 years), and ends locally 10 hours later,
// in 2250.
var (
	farWrite  = time.Date(1680, 1, 1, 0, 0, 0, 7, time.UTC)
	farSkew   = Skew{LastWrite: farWrite, ReadAfter: farWrite.Add(9 * time.Hour), ReadBefore: farWrite.Add(10 * time.Hour)}
	farExpiry = farWrite.AddDate(570, 0, 0)
)

func farCache() cache {
	return cache{
		entries: map[string]entry{"name": {holder: "holder", expiry: farExpiry, writer: "remote"}},
		skews:   map[string]Skew{"me": {}, "remote": farSkew},
		clocks:  written,
	}
}

func (s *TimeRangeSuite) TestExtendOps(c *gc.C) {
	for i, t := range []struct {
		about  string
		cached cache
		now    time.Time
		d      time.Duration
		expiry time.Time
		err    string
	}{{
		about:  "250 years from 2026",
		cached: testCache(entry{holder: "holder", expiry: issueNow.Add(time.Minute), writer: "me"}),
		now:    issueNow,
		d:      long,
		err:    `expiry 2276-09-29T20:40:00.000000005Z of lease "name" (clock reading 2026-11-29T20:40:00.000000005Z plus 2190000h0m0s)` + rangeTail,
	}, {
		about:  "math.MaxInt64 as forever",
		cached: testCache(entry{holder: "holder", expiry: issueNow.Add(time.Minute), writer: "me"}),
		now:    issueNow,
		d:      math.MaxInt64,
		err:    `expiry 2319-03-11T20:27:16.854775812Z of lease "name" (clock reading 2026-11-29T20:40:00.000000005Z plus 2562047h47m16.854775807s)` + rangeTail,
	}, {
		about:  "a clock reading after the range",
		cached: testCache(entry{holder: "holder", expiry: lastTime, writer: "me"}),
		now:    lastTime.Add(time.Nanosecond),
		d:      time.Nanosecond,
		err:    `clock reading 2262-04-11T23:47:16.854775808Z of client "me"` + rangeTail,
	}, {
		about: "the last writer's bound is beyond the range, though now+d is not",
		cached: cache{
			entries: map[string]entry{"name": {holder: "holder", expiry: farWrite.Add(24 * time.Hour), writer: "remote"}},
			skews: map[string]Skew{"me": {}, "remote": {
				LastWrite: farWrite, ReadAfter: lastTime.Add(-time.Hour), ReadBefore: lastTime.Add(-time.Hour),
			}},
			clocks: written,
		},
		now: lastTime.Add(-time.Hour),
		d:   time.Minute,
		err: `expiry 2262-04-12T22:47:16.854775807Z of lease "name" (the latest time at which its last writer "remote", which wrote 1680-01-02T00:00:00.000000007Z, might still take it to be held)` + rangeTail,
	}, {
		about:  "a remote expiry 570 years after the remote's last write is kept, exactly",
		cached: farCache(),
		now:    time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		d:      time.Minute,
		expiry: farExpiry.Add(10 * time.Hour),
	}} {
		c.Logf("test %d: %s", i, t.about)
		ops, next, err := extendOps(testScope, t.cached, "name", Request{Holder: "holder", Duration: t.d}, t.now)
		if t.err != "" {
			checkRangeError(c, err, t.err)
			c.Check(ops, gc.IsNil)
			continue
		}
		c.Assert(err, jc.ErrorIsNil)
		c.Check(next.expiry.Equal(t.expiry), jc.IsTrue, gc.Commentf("expiry %v, want %v", next.expiry, t.expiry))
		c.Check(ops[0], jc.DeepEquals, clockOp(t.now))
	}
}

func (s *TimeRangeSuite) TestExpireOps(c *gc.C) {
	// Before the fix, Latest saturated 292 years after 1680, and a lease
	// that runs to 2250 expired in 2000.
	ops, err := expireOps(testScope, farCache(), "name", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	c.Check(err, gc.Equals, ErrInvalid)
	c.Check(ops, gc.IsNil)
	ops, err = expireOps(testScope, farCache(), "name", farExpiry.Add(10*time.Hour))
	c.Check(err, gc.Equals, ErrInvalid)
	c.Check(ops, gc.IsNil)
	now := farExpiry.Add(10*time.Hour + time.Nanosecond)
	ops, err = expireOps(testScope, farCache(), "name", now)
	c.Assert(err, jc.ErrorIsNil)
	c.Check(ops, jc.DeepEquals, []txn.Op{{
		C:      "leases",
		Id:     "lease#ns#name#",
		Assert: d("holder", "holder", "expiry", farExpiry.UnixNano(), "writer", "remote", "term", noTerm, "writeid", noWriteId),
		Update: releasedUpdate(now),
	}, releaseOp(now)})

	for _, now := range []time.Time{lastTime.Add(time.Nanosecond), firstTime.Add(-time.Nanosecond)} {
		ops, err = expireOps(testScope, testCache(entry{holder: "holder", expiry: zero, writer: "me"}), "name", now)
		checkRangeError(c, err, `clock reading `+now.UTC().Format(time.RFC3339Nano)+` of client "me"`+rangeTail)
		c.Check(ops, gc.IsNil)
	}
}

func (s *TimeRangeSuite) TestInfoFarExpiry(c *gc.C) {
	info, found := farCache().info(testScope, "name")
	c.Assert(found, jc.IsTrue)
	c.Check(info.Expiry.Equal(farExpiry.Add(10*time.Hour)), jc.IsTrue, gc.Commentf("expiry %v", info.Expiry))
}

// TestRevokeOps: a revocation writes the clock document too, so a clock
// reading the store cannot hold refuses it; before, the reading was
// recorded wrapped (2262 as 1677, 1600 as 2184).
func (s *TimeRangeSuite) TestRevokeOps(c *gc.C) {
	cached := testCache(entry{holder: "holder", expiry: zero, writer: "me"})
	for _, now := range []time.Time{lastTime.Add(time.Nanosecond), firstTime.Add(-time.Nanosecond), time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)} {
		ops, err := revokeOps(testScope, cached, "name", "holder", now)
		checkRangeError(c, err, `clock reading `+now.UTC().Format(time.RFC3339Nano)+` of client "me"`+rangeTail)
		c.Check(ops, gc.IsNil)
	}
	for _, now := range []time.Time{lastTime, firstTime} {
		_, err := revokeOps(testScope, cached, "name", "holder", now)
		c.Check(err, jc.ErrorIsNil)
	}
}

// TestClockOpsRange: the clock documents' ops that every transaction
// starts with carry the check, so that no builder can record a wrapped
// reading.
func (s *TimeRangeSuite) TestClockOpsRange(c *gc.C) {
	_, err := testScope.clockOps(written, lastTime.Add(time.Nanosecond), nil)
	checkRangeError(c, err, `clock reading `+lastTime.Add(time.Nanosecond).UTC().Format(time.RFC3339Nano)+` of client "me"`+rangeTail)
	ops, err := testScope.clockOps(written, lastTime, nil)
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(ops, gc.HasLen, 1)
	c.Check(ops[0].Update, jc.DeepEquals, d(
		"$set", d("writers.me", lastTime.UnixNano()),
		"$inc", d("writes.me", int64(1)),
	))
}
