package leaseclient_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/lease"
)

// ClientAssertSuite: SPEC §7.7, a lease's AssertOp in a transaction of the
// caller's own.
type ClientAssertSuite struct {
	mongoSuite
	fix  *Fixture
	info lease.Info
}

var _ = gc.Suite(&ClientAssertSuite{})

func (s *ClientAssertSuite) SetUpTest(c *gc.C) {
	s.mongoSuite.SetUpTest(c)
	s.fix = EasyFixture(c, s.db)
	err := s.fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	var found bool
	s.info, found = s.fix.Client.Leases()["name"]
	c.Assert(found, jc.IsTrue)
}

// runAssert runs the AssertOp on its own, with a runner of the tests' own
// on the same txn collection as the client.
func (s *ClientAssertSuite) runAssert() error {
	runner := txn.NewRunner(s.db.C(txnCollection))
	return runner.Run([]txn.Op{s.info.AssertOp}, "", nil)
}

func (s *ClientAssertSuite) TestPassesWhenLeaseHeld(c *gc.C) {
	c.Check(s.runAssert(), jc.ErrorIsNil)
}

func (s *ClientAssertSuite) TestPassesWhenLeaseStillHeldDespiteWriterChange(c *gc.C) {
	fix2 := NewFixture(c, s.db, FixtureParams{Id: "other-client"})
	err := fix2.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: time.Hour})
	c.Assert(err, jc.ErrorIsNil)

	c.Check(s.runAssert(), jc.ErrorIsNil)
}

func (s *ClientAssertSuite) TestPassesWhenLeaseStillHeldDespitePassingExpiry(c *gc.C) {
	s.fix.Clock.Advance(time.Hour)
	err := s.fix.Client.Refresh()
	c.Assert(err, jc.ErrorIsNil)

	c.Check(s.runAssert(), jc.ErrorIsNil)
}

func (s *ClientAssertSuite) TestAbortsWhenLeaseVacant(c *gc.C) {
	s.fix.Clock.Advance(time.Hour)
	err := s.fix.Client.ExpireLease("name")
	c.Assert(err, jc.ErrorIsNil)

	c.Check(s.runAssert(), gc.Equals, txn.ErrAborted)
}
