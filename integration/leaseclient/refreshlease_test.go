package leaseclient_test

import (
	"regexp"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/lease"
)

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
