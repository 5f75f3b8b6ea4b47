package leaseclient_test

import (
	"regexp"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/lease"
)

// ClientRefreshLeaseSuite checks issue 13's reads: RefreshLease reads one
// lease (and the clock document), RefreshClocks the clock document alone,
// and both bound other writers' clocks as Refresh does.
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

// advance moves both clocks.
func (s *ClientRefreshLeaseSuite) advance(d time.Duration) {
	s.writer.Clock.Advance(d)
	s.reader.Clock.Advance(d)
}

func (s *ClientRefreshLeaseSuite) single() lease.SingleRefresher {
	return s.reader.Client.(lease.SingleRefresher)
}

func (s *ClientRefreshLeaseSuite) TestReadsThatLeaseOnly(c *gc.C) {
	for _, name := range []string{"a", "b"} {
		err := s.writer.Client.ClaimLease(name, lease.Request{Holder: "holder", Duration: time.Minute})
		c.Assert(err, jc.ErrorIsNil)
	}
	c.Assert(s.single().RefreshLease("a"), jc.ErrorIsNil)
	leases := s.reader.Client.Leases()
	c.Check(leases, gc.HasLen, 1)
	c.Check("a", s.reader.Holder(), "holder")
	// Read at the reader's start plus an hour, the writer's clock had
	// written its zero: the lease runs to a minute after that.
	c.Check("a", s.reader.Expiry(), s.reader.Zero.Add(time.Minute))
}

func (s *ClientRefreshLeaseSuite) TestNotHeld(c *gc.C) {
	err := s.writer.Client.ClaimLease("a", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(s.reader.Client.Refresh(), jc.ErrorIsNil)
	c.Check("a", s.reader.Holder(), "holder")
	s.advance(2 * time.Minute)
	c.Assert(s.writer.Client.ExpireLease("a"), jc.ErrorIsNil)
	c.Assert(s.single().RefreshLease("a"), jc.ErrorIsNil)
	c.Check(s.reader.Client.Leases(), gc.HasLen, 0)
}

// TestClockPollTightens is the client's half of issue 13's failover: the
// writer extends at 30s and stops. A reader that reads the clocks at once
// takes the lease to end when it does (1m30s); one that first reads the
// writer's last write when it reads the lease, 20s later, takes it to end
// 20s late.
func (s *ClientRefreshLeaseSuite) TestClockPollTightens(c *gc.C) {
	err := s.writer.Client.ClaimLease("a", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(s.reader.Client.Refresh(), jc.ErrorIsNil)
	s.advance(30 * time.Second)
	late := NewFixture(c, s.db, FixtureParams{Id: "late", ClockStart: s.reader.Clock.Now()})
	err = s.writer.Client.ExtendLease("a", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)

	c.Assert(s.reader.Client.(lease.ClockRefresher).RefreshClocks(), jc.ErrorIsNil)
	s.advance(20 * time.Second)
	late.Clock.Advance(20 * time.Second)
	c.Assert(s.single().RefreshLease("a"), jc.ErrorIsNil)
	c.Check("a", s.reader.Expiry(), s.reader.Zero.Add(90*time.Second))
	c.Assert(late.Client.(lease.SingleRefresher).RefreshLease("a"), jc.ErrorIsNil)
	c.Check("a", late.Expiry(), s.reader.Zero.Add(110*time.Second))
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

func (s *ClientRefreshLeaseSuite) TestInvalidName(c *gc.C) {
	err := s.single().RefreshLease("bad name")
	c.Check(err, gc.ErrorMatches, `invalid lease name .*`)
}
