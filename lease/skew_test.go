package lease_test

import (
	"math"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/lease"
)

type SkewSuite struct{}

var _ = gc.Suite(&SkewSuite{})

// now is clocktest.Start, a hostile instant.
var now = clocktest.Start

func (s *SkewSuite) TestTable(c *gc.C) {
	zoneA := time.FixedZone("A", -3600)
	zoneB := time.FixedZone("B", -7200)
	zoneC := time.FixedZone("C", -10800)
	for i, t := range []struct {
		about    string
		skew     lease.Skew
		earliest time.Time
		latest   time.Time
	}{{
		about:    "zero skew is the local clock",
		skew:     lease.Skew{},
		earliest: now,
		latest:   now,
	}, {
		about: "apparent past write",
		skew: lease.Skew{
			LastWrite:  now.Add(-9 * time.Second),
			ReadAfter:  now.Add(-3 * time.Second),
			ReadBefore: now.Add(-1 * time.Second),
		},
		earliest: now.Add(6 * time.Second),
		latest:   now.Add(8 * time.Second),
	}, {
		about: "apparent future write",
		skew: lease.Skew{
			LastWrite:  now.Add(9 * time.Second),
			ReadAfter:  now.Add(-3 * time.Second),
			ReadBefore: now.Add(-1 * time.Second),
		},
		earliest: now.Add(-12 * time.Second),
		latest:   now.Add(-10 * time.Second),
	}, {
		about: "bracketed write",
		skew: lease.Skew{
			LastWrite:  now.Add(-2 * time.Second),
			ReadAfter:  now.Add(-5 * time.Second),
			ReadBefore: now.Add(-1 * time.Second),
		},
		earliest: now.Add(-3 * time.Second),
		latest:   now.Add(1 * time.Second),
	}, {
		about: "mixed time zones give the same instants, in the read window's zones",
		skew: lease.Skew{
			LastWrite:  now.Add(-2 * time.Second).In(zoneA),
			ReadAfter:  now.Add(-5 * time.Second).In(zoneB),
			ReadBefore: now.Add(-1 * time.Second).In(zoneC),
		},
		earliest: now.Add(-3 * time.Second).In(zoneB),
		latest:   now.Add(1 * time.Second).In(zoneC),
	}} {
		c.Logf("test %d: %s", i, t.about)
		c.Check(t.skew.Earliest(now), jc.DeepEquals, t.earliest)
		c.Check(t.skew.Latest(now), jc.DeepEquals, t.latest)
	}
}

// TestExtremes: Earliest and Latest are exact when the remote time is
// further from LastWrite than a time.Duration counts (Sub saturates at
// about 292 years, and adding the saturated difference was centuries off:
// Latest too early, which expires leases too soon), and clamp to the
// range of time.Time beyond it.
func (s *SkewSuite) TestExtremes(c *gc.C) {
	// Times between which the store's range (1677-2262) fits.
	first := time.Unix(0, math.MinInt64)
	last := time.Unix(0, math.MaxInt64)
	// The first and the last time.Time.
	minTime := time.Unix(math.MinInt64, 0)
	maxTime := time.Unix(1<<63-1-62135596800, 999999999)
	write := time.Date(1680, 1, 1, 0, 0, 0, 7, time.UTC)
	far := lease.Skew{LastWrite: write, ReadAfter: write.Add(9 * time.Hour), ReadBefore: write.Add(10 * time.Hour)}
	for i, t := range []struct {
		about    string
		skew     lease.Skew
		remote   time.Time
		earliest time.Time
		latest   time.Time
	}{{
		about:    "570 years after the last write",
		skew:     far,
		remote:   write.AddDate(570, 0, 0),
		earliest: write.AddDate(570, 0, 0).Add(9 * time.Hour),
		latest:   write.AddDate(570, 0, 0).Add(10 * time.Hour),
	}, {
		about:    "exactly a time.Duration after the last write",
		skew:     far,
		remote:   write.Add(math.MaxInt64),
		earliest: write.Add(math.MaxInt64).Add(9 * time.Hour),
		latest:   write.Add(math.MaxInt64).Add(10 * time.Hour),
	}, {
		about:    "a nanosecond more",
		skew:     far,
		remote:   write.Add(math.MaxInt64).Add(1),
		earliest: write.Add(math.MaxInt64).Add(9*time.Hour + 1),
		latest:   write.Add(math.MaxInt64).Add(10*time.Hour + 1),
	}, {
		about: "the whole store's range before the last write",
		skew: lease.Skew{
			LastWrite:  last,
			ReadAfter:  last.Add(-2 * time.Second),
			ReadBefore: last.Add(-time.Second),
		},
		remote:   first.Add(2 * time.Second),
		earliest: first,
		latest:   first.Add(time.Second),
	}, {
		about: "the whole store's range after the last write",
		skew: lease.Skew{
			LastWrite:  first,
			ReadAfter:  first.Add(time.Second),
			ReadBefore: first.Add(2 * time.Second),
		},
		remote:   last.Add(-2 * time.Second),
		earliest: last.Add(-time.Second),
		latest:   last,
	}, {
		about: "beyond the last time.Time: clamped",
		skew: lease.Skew{
			LastWrite:  minTime,
			ReadAfter:  now,
			ReadBefore: now,
		},
		remote:   now,
		earliest: maxTime,
		latest:   maxTime,
	}, {
		about: "before the first time.Time: clamped",
		skew: lease.Skew{
			LastWrite:  maxTime,
			ReadAfter:  minTime.Add(time.Hour),
			ReadBefore: minTime.Add(time.Hour),
		},
		remote:   now,
		earliest: minTime,
		latest:   minTime,
	}} {
		c.Logf("test %d: %s", i, t.about)
		earliest, latest := t.skew.Earliest(t.remote), t.skew.Latest(t.remote)
		// Unix seconds, because String is wrong that far from year 1.
		c.Check(earliest.Equal(t.earliest), jc.IsTrue, gc.Commentf("Earliest %d.%09d, want %d.%09d",
			earliest.Unix(), earliest.Nanosecond(), t.earliest.Unix(), t.earliest.Nanosecond()))
		c.Check(latest.Equal(t.latest), jc.IsTrue, gc.Commentf("Latest %d.%09d, want %d.%09d",
			latest.Unix(), latest.Nanosecond(), t.latest.Unix(), t.latest.Nanosecond()))
		c.Check(latest.Location(), gc.Equals, t.skew.ReadBefore.Location())
	}
}

// TestKeepsMonotonicReading: within a time.Duration, Latest adds to
// ReadBefore, which keeps the monotonic reading that SystemClock's times
// carry, so that comparing with a later reading ignores wall-clock steps.
func (s *SkewSuite) TestKeepsMonotonicReading(c *gc.C) {
	read := time.Now() // a reading with a monotonic clock, as SystemClock gives
	skew := lease.Skew{LastWrite: now, ReadAfter: read, ReadBefore: read}
	latest := skew.Latest(now.Add(time.Minute))
	c.Check(latest.String(), gc.Matches, `.* m=[+-].*`)
	c.Check(latest.Sub(read), gc.Equals, time.Minute)
}
