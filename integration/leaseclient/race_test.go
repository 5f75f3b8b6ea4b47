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
	s.sut = ClaimedFixture(c, s.db)
	s.blocker = NewFixture(c, s.db, FixtureParams{Id: "blocker"})
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
