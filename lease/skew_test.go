package lease_test

import (
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
