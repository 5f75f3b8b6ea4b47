package leaseclient_test

import (
	"regexp"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

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
	writer := ClaimedFixture(c, s.db)

	// The writer's clock steps back 9s behind its claim, and the holder
	// asks for another minute. On the writer's clock the lease already
	// lasts until then; but the extension must not succeed without a
	// transaction, whose clock assertion refuses it. (The conformance
	// suite, Skew/ExtendAfterStepBack, checks that another client may
	// then expire the lease a minute after the claim.)
	writer.Clock.Reset(writer.Zero.Add(-9*time.Second), 0)
	err := writer.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Check(err, jc.Satisfies, func(err error) bool { return errorIs(err, lease.ErrExcessiveContention) })
}

// TestClockGoesBackDuringRefresh: a clock with no monotonic reading can
// step back between the two readings around the read of the clock
// document. Juju's client then failed the refresh, and the manager that
// made it stopped. The window is now the two readings, earlier first, and
// expiries are counted from the later one, which bounds the read from
// above on the clock as it reads after the step.
func (s *ClientClockBackSuite) TestClockGoesBackDuringRefresh(c *gc.C) {
	writer := ClaimedFixture(c, s.db)
	observer := NewFixture(c, s.db, FixtureParams{Id: "observer"})
	c.Check("name", observer.Expiry(), writer.Zero.Add(time.Minute))

	// The writer writes again 10s on; the observer's clock then reads
	// Zero+10s, and steps back a second at every reading.
	writer.Clock.Reset(writer.Zero.Add(10*time.Second), 0)
	err := writer.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	observer.Clock.Reset(writer.Zero.Add(10*time.Second), -time.Second)
	c.Assert(observer.Client.Refresh(), jc.ErrorIsNil)
	// Read between Zero+10s and Zero+9s: the writer's time, Zero+10s, may
	// have been read as late as Zero+10s, so its lease runs until then
	// plus a minute.
	c.Check("name", observer.Expiry(), writer.Zero.Add(70*time.Second))
}

// ClientRefreshLeaseSuite checks RefreshLease on a document only the
// MongoDB client has: a lease whose writer the clock document does not
// list. (The conformance suite, Read and Skew, checks what RefreshLease
// and RefreshClocks read, and how they bound other writers' clocks.)
type ClientRefreshLeaseSuite struct {
	mongoSuite
	writer *Fixture // claims and extends
	reader *Fixture // reads, with its own clock, an hour ahead
}

var _ = gc.Suite(&ClientRefreshLeaseSuite{})

func (s *ClientRefreshLeaseSuite) SetUpTest(c *gc.C) {
	s.mongoSuite.SetUpTest(c)
	s.writer = EasyFixture(c, s.db)
	s.reader = NewFixture(c, s.db, FixtureParams{Id: "reader", ClockStart: s.writer.Zero.Add(time.Hour)})
}

func (s *ClientRefreshLeaseSuite) single() lease.SingleRefresher {
	return s.reader.Client.(lease.SingleRefresher)
}

func (s *ClientRefreshLeaseSuite) TestNoClockData(c *gc.C) {
	err := s.writer.Client.ClaimLease("a", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(s.single().RefreshLease("a"), jc.ErrorIsNil)
	err = s.db.C("default-collection").Insert(bson.M{
		"_id": "lease#default-namespace#haunted#", "type": "lease", "namespace": "default-namespace",
		"name": "haunted", "holder": "holder", "expiry": int64(1), "writer": "ghost",
	})
	c.Assert(err, jc.ErrorIsNil)
	err = s.single().RefreshLease("haunted")
	c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(`lease "haunted" invalid: no clock data for ghost`))
	c.Check(s.reader.Client.Leases(), gc.HasLen, 1)
	c.Check("a", s.reader.Expiry(), s.reader.Zero.Add(time.Minute))
}
