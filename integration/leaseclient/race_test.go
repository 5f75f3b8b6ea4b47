package leaseclient_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

// ClientSimpleRaceSuite: SPEC §7.6. Another client's operation runs
// just before the SUT's transaction, through a Mongo hook.
type ClientSimpleRaceSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientSimpleRaceSuite{})

func (s *ClientSimpleRaceSuite) TestNewClient_WorksDespite_CreateClockRace(c *gc.C) {
	config := func(id string) lease.ClientConfig {
		return lease.ClientConfig{
			Id:         id,
			Namespace:  "ns",
			Collection: "leases",
			Mongo:      NewMongo(s.db),
			Clock:      lease.SystemClock{},
		}
	}
	sutConfig := config("sut")
	defer sutConfig.Mongo.(*Mongo).SetBeforeHooks(c, func() {
		client, err := lease.NewClient(config("blocker"))
		c.Check(err, jc.ErrorIsNil)
		err = client.ClaimLease("somewhere", lease.Request{Holder: "someone", Duration: time.Minute})
		c.Check(err, jc.ErrorIsNil)
	})()

	sut, err := lease.NewClient(sutConfig)
	c.Assert(err, jc.ErrorIsNil)
	c.Check(sut.Leases()["somewhere"].Holder, gc.Equals, "someone")
}

func (s *ClientSimpleRaceSuite) TestClaimLease_BlockedBy_ClaimLease(c *gc.C) {
	sut := EasyFixture(c, s.db)
	blocker := NewFixture(c, s.db, FixtureParams{Id: "blocker"})

	// The blocker claims first; the SUT's claim aborts, and on retry the
	// SUT refreshes and sees the lease held.
	defer sut.Mongo.SetBeforeHooks(c, func() {
		err := blocker.Client.ClaimLease("name", lease.Request{Holder: "ha-haa", Duration: time.Minute})
		c.Check(err, jc.ErrorIsNil)
	})()

	err := sut.Client.ClaimLease("name", lease.Request{Holder: "trying", Duration: time.Second})
	c.Check(err == lease.ErrInvalid, jc.IsTrue, gc.Commentf("%v", err))
	c.Check("name", sut.Holder(), "ha-haa")
	c.Check("name", sut.Expiry(), blocker.Zero.Add(time.Minute))
}

func (s *ClientSimpleRaceSuite) TestClaimLease_Pathological(c *gc.C) {
	sut := EasyFixture(c, s.db)
	blocker := NewFixture(c, s.db, FixtureParams{Id: "blocker"})

	// The lease is claimed before every attempt, and expired after it.
	interfere := Hook{
		Before: func() {
			err := blocker.Client.ClaimLease("name", lease.Request{Holder: "ha-haa", Duration: time.Second})
			c.Check(err, jc.ErrorIsNil)
		},
		After: func() {
			blocker.Clock.Advance(time.Minute)
			err := blocker.Client.ExpireLease("name")
			c.Check(err, jc.ErrorIsNil)
		},
	}
	defer sut.Mongo.SetHooks(c, interfere, interfere, interfere)()

	err := sut.Client.ClaimLease("name", lease.Request{Holder: "trying", Duration: time.Minute})
	c.Check(err, gc.ErrorMatches, "state changing too quickly; try again soon")
	c.Check(err, jc.Satisfies, func(err error) bool {
		return errorIs(err, lease.ErrExcessiveContention)
	})
}

// ClientTrickyRaceSuite: SPEC §7.6. The SUT holds a lease that a blocker,
// whose clock agrees, changes under it.
type ClientTrickyRaceSuite struct {
	mongoSuite
	sut     *Fixture
	blocker *Fixture
}

var _ = gc.Suite(&ClientTrickyRaceSuite{})

func (s *ClientTrickyRaceSuite) SetUpTest(c *gc.C) {
	s.mongoSuite.SetUpTest(c)
	s.sut = EasyFixture(c, s.db)
	err := s.sut.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	s.blocker = NewFixture(c, s.db, FixtureParams{Id: "blocker"})
}

func (s *ClientTrickyRaceSuite) TestExtendLease_WorksDespite_ShorterExtendLease(c *gc.C) {
	shorter := lease.Request{Holder: "holder", Duration: 90 * time.Second}
	longer := lease.Request{Holder: "holder", Duration: 120 * time.Second}

	// The blocker extends a little first; after the SUT's retry, the
	// blocker sees the SUT's longer extension.
	defer s.sut.Mongo.SetRetryHooks(c, func() {
		err := s.blocker.Client.ExtendLease("name", shorter)
		c.Check(err, jc.ErrorIsNil)
	}, func() {
		err := s.blocker.Client.Refresh()
		c.Check(err, jc.ErrorIsNil)
		c.Check("name", s.blocker.Expiry(), s.blocker.Zero.Add(longer.Duration))
	})()

	err := s.sut.Client.ExtendLease("name", longer)
	c.Check(err, jc.ErrorIsNil)
	c.Check("name", s.sut.Expiry(), s.sut.Zero.Add(longer.Duration))
}

func (s *ClientTrickyRaceSuite) TestExtendLease_WorksDespite_LongerExtendLease(c *gc.C) {
	shorter := lease.Request{Holder: "holder", Duration: 90 * time.Second}
	longer := lease.Request{Holder: "holder", Duration: 120 * time.Second}

	// The blocker extends further first; the SUT's retry finds nothing to do.
	defer s.sut.Mongo.SetBeforeHooks(c, func() {
		err := s.blocker.Client.ExtendLease("name", longer)
		c.Check(err, jc.ErrorIsNil)
	})()

	err := s.sut.Client.ExtendLease("name", shorter)
	c.Check(err, jc.ErrorIsNil)
	c.Check("name", s.sut.Expiry(), s.sut.Zero.Add(longer.Duration))
}

func (s *ClientTrickyRaceSuite) TestExtendLease_BlockedBy_ExpireLease(c *gc.C) {
	defer s.sut.Mongo.SetBeforeHooks(c, func() {
		s.blocker.Clock.Advance(90 * time.Second)
		err := s.blocker.Client.ExpireLease("name")
		c.Check(err, jc.ErrorIsNil)
	})()

	err := s.sut.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: 2 * time.Minute})
	c.Check(err == lease.ErrInvalid, jc.IsTrue, gc.Commentf("%v", err))
	c.Check("name", s.sut.Holder(), "")
}

func (s *ClientTrickyRaceSuite) TestExtendLease_BlockedBy_ExpireThenReclaimDifferentHolder(c *gc.C) {
	defer s.sut.Mongo.SetBeforeHooks(c, func() {
		s.blocker.Clock.Advance(90 * time.Second)
		err := s.blocker.Client.ExpireLease("name")
		c.Check(err, jc.ErrorIsNil)
		err = s.blocker.Client.ClaimLease("name", lease.Request{Holder: "different-holder", Duration: time.Minute})
		c.Check(err, jc.ErrorIsNil)
	})()

	err := s.sut.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: 2 * time.Minute})
	c.Check(err == lease.ErrInvalid, jc.IsTrue, gc.Commentf("%v", err))
	c.Check("name", s.sut.Holder(), "different-holder")
}

func (s *ClientTrickyRaceSuite) TestExtendLease_WorksDespite_ExpireThenReclaimSameHolder(c *gc.C) {
	// The blocker expires and reclaims for the same holder; the SUT's
	// extension still goes through on retry. Juju's test then expected the
	// blocker to see it with the skew it measured at the start (Zero+5m):
	// the SUT still records Zero. But the SUT's clock stood still while
	// the blocker's moved 90s: to the blocker, it stepped back 90s, and
	// the SUT promised five minutes from its now. Having counted a new
	// write by the SUT, the blocker measures its clock again, and allows
	// the five minutes from its own read (Zero+90s+5m).
	defer s.sut.Mongo.SetRetryHooks(c, func() {
		s.blocker.Clock.Advance(90 * time.Second)
		err := s.blocker.Client.ExpireLease("name")
		c.Check(err, jc.ErrorIsNil)
		err = s.blocker.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
		c.Check(err, jc.ErrorIsNil)
	}, func() {
		err := s.blocker.Client.Refresh()
		c.Check(err, jc.ErrorIsNil)
		c.Check("name", s.blocker.Expiry(), s.blocker.Zero.Add(90*time.Second+5*time.Minute))
	})()

	err := s.sut.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: 5 * time.Minute})
	c.Check(err, jc.ErrorIsNil)
}

func (s *ClientTrickyRaceSuite) TestExtendLease_Pathological(c *gc.C) {
	interfere := Hook{
		Before: func() {
			s.blocker.Clock.Advance(61 * time.Second)
			err := s.blocker.Client.ExpireLease("name")
			c.Check(err, jc.ErrorIsNil)
		},
		After: func() {
			err := s.blocker.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Second})
			c.Check(err, jc.ErrorIsNil)
		},
	}
	defer s.sut.Mongo.SetHooks(c, interfere, interfere, interfere)()

	err := s.sut.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Check(err, gc.ErrorMatches, "state changing too quickly; try again soon")
}

func (s *ClientTrickyRaceSuite) TestExpireLease_BlockedBy_ExtendLease(c *gc.C) {
	defer s.sut.Mongo.SetBeforeHooks(c, func() {
		s.blocker.Clock.Advance(90 * time.Second)
		err := s.blocker.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: 30 * time.Second})
		c.Check(err, jc.ErrorIsNil)
	})()

	s.sut.Clock.Advance(90 * time.Second)
	err := s.sut.Client.ExpireLease("name")
	c.Check(err == lease.ErrInvalid, jc.IsTrue, gc.Commentf("%v", err))
	c.Check("name", s.sut.Holder(), "holder")
	c.Check("name", s.sut.Expiry(), s.sut.Zero.Add(2*time.Minute))
}

func (s *ClientTrickyRaceSuite) TestExpireLease_BlockedBy_ExpireLease(c *gc.C) {
	defer s.sut.Mongo.SetBeforeHooks(c, func() {
		s.blocker.Clock.Advance(90 * time.Second)
		err := s.blocker.Client.ExpireLease("name")
		c.Check(err, jc.ErrorIsNil)
	})()

	s.sut.Clock.Advance(90 * time.Second)
	err := s.sut.Client.ExpireLease("name")
	c.Check(err == lease.ErrInvalid, jc.IsTrue, gc.Commentf("%v", err))
	c.Check("name", s.sut.Holder(), "")
}

func (s *ClientTrickyRaceSuite) TestExpireLease_BlockedBy_ExpireThenReclaim(c *gc.C) {
	defer s.sut.Mongo.SetBeforeHooks(c, func() {
		s.blocker.Clock.Advance(90 * time.Second)
		err := s.blocker.Client.ExpireLease("name")
		c.Check(err, jc.ErrorIsNil)
		err = s.blocker.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
		c.Check(err, jc.ErrorIsNil)
	})()

	s.sut.Clock.Advance(90 * time.Second)
	err := s.sut.Client.ExpireLease("name")
	c.Check(err == lease.ErrInvalid, jc.IsTrue, gc.Commentf("%v", err))
	c.Check("name", s.sut.Holder(), "holder")
	c.Check("name", s.sut.Expiry(), s.sut.Zero.Add(150*time.Second))
}
