package leaseclient_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

// ClientRemoteSuite: SPEC §7.5, a second client whose clock is 1s ahead and
// whose read of the clock document took 100ms: the MongoDB client ends its
// read window at the reading after the read. (The conformance suite, Skew,
// checks what any client does with the expiry it then sees.)
type ClientRemoteSuite struct {
	mongoSuite
	lease    time.Duration
	offset   time.Duration
	readTime time.Duration
	baseline *Fixture
	skewed   *Fixture
}

var _ = gc.Suite(&ClientRemoteSuite{})

func (s *ClientRemoteSuite) SetUpTest(c *gc.C) {
	s.mongoSuite.SetUpTest(c)
	s.lease = time.Minute
	s.offset = time.Second
	s.readTime = 100 * time.Millisecond

	s.baseline = EasyFixture(c, s.db)
	err := s.baseline.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: s.lease})
	c.Assert(err, jc.ErrorIsNil)

	// The skewed client reads the clock document between Zero+1s and
	// Zero+1.1s; from then on its clock stands still at Zero+1.2s.
	s.skewed = NewFixture(c, s.db, FixtureParams{
		Id:         "remote-client",
		ClockStart: s.baseline.Zero.Add(s.offset),
		ClockStep:  s.readTime,
	})
	s.skewed.Clock.SetStep(0)
}

// guaranteedUntil is when the baseline's lease expires, as the skewed client
// sees the earliest.
func (s *ClientRemoteSuite) guaranteedUntil() time.Time {
	return s.baseline.Zero.Add(s.lease + s.offset)
}

// latestValid is the latest time, on the skewed clock, at which the
// baseline might still consider its lease held.
func (s *ClientRemoteSuite) latestValid() time.Time {
	return s.guaranteedUntil().Add(s.readTime)
}

func (s *ClientRemoteSuite) TestReadSkew(c *gc.C) {
	c.Check("name", s.skewed.Holder(), "holder")
	c.Check("name", s.skewed.Expiry(), s.latestValid())
}
