package leasetest_test

import (
	"strings"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

type StoreSuite struct {
	clock *leasetest.Clock
	store *leasetest.Store
	a, b  *leasetest.Client
}

var _ = gc.Suite(&StoreSuite{})

// start is leasetest.Start, a hostile instant.
var start = leasetest.Start

func (s *StoreSuite) SetUpTest(c *gc.C) {
	s.clock = leasetest.NewClock(start)
	s.store = leasetest.NewStore(s.clock)
	s.a = s.store.MustNewClient("a")
	s.b = s.store.MustNewClient("b")
}

func request(holder string, d time.Duration) lease.Request {
	return lease.Request{Holder: holder, Duration: d}
}

func (s *StoreSuite) TestClaim(c *gc.C) {
	err := s.a.ClaimLease("redis", request("redis/0", time.Minute))
	c.Assert(err, jc.ErrorIsNil)
	info, ok := s.a.Lease("redis")
	c.Assert(ok, jc.IsTrue)
	c.Check(info, jc.DeepEquals, lease.Info{
		Holder: "redis/0",
		Expiry: start.Add(time.Minute),
		AssertOp: txn.Op{
			C:      leasetest.Collection,
			Id:     "redis",
			Assert: bson.D{{Name: "holder", Value: "redis/0"}},
		},
	})
	c.Check(s.a.Leases(), jc.DeepEquals, map[string]lease.Info{"redis": info})
}

func (s *StoreSuite) TestClaimHeldFailsEvenForHolder(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	err := s.a.ClaimLease("redis", request("redis/0", time.Minute))
	c.Check(err, gc.Equals, lease.ErrInvalid)
}

func (s *StoreSuite) TestStaleClaimRefreshes(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	_, ok := s.b.Lease("redis")
	c.Assert(ok, jc.IsFalse)

	err := s.b.ClaimLease("redis", request("redis/1", time.Minute))
	c.Check(err, gc.Equals, lease.ErrInvalid)
	info, ok := s.b.Lease("redis")
	c.Check(ok, jc.IsTrue)
	c.Check(info.Holder, gc.Equals, "redis/0")
}

func (s *StoreSuite) TestCachedImpossibleDoesNotRefresh(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	// b's cache says nothing is held, so it refuses the extension without
	// looking at the store, and stays stale.
	err := s.b.ExtendLease("redis", request("redis/0", time.Minute))
	c.Check(err, gc.Equals, lease.ErrInvalid)
	c.Check(s.b.Leases(), gc.HasLen, 0)
}

func (s *StoreSuite) TestRefresh(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	c.Assert(s.b.Refresh(), jc.ErrorIsNil)
	c.Check(s.b.Leases(), jc.DeepEquals, s.a.Leases())
}

func (s *StoreSuite) TestExtend(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	s.clock.Advance(time.Second)
	c.Assert(s.a.ExtendLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	info, _ := s.a.Lease("redis")
	c.Check(info.Expiry, jc.DeepEquals, start.Add(time.Minute+time.Second))
}

func (s *StoreSuite) TestExtendNeverShortens(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Hour)), jc.ErrorIsNil)
	c.Assert(s.a.ExtendLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	info, _ := s.a.Lease("redis")
	c.Check(info.Expiry, jc.DeepEquals, start.Add(time.Hour))
	c.Assert(s.b.Refresh(), jc.ErrorIsNil)
	info, _ = s.b.Lease("redis")
	c.Check(info.Expiry, jc.DeepEquals, start.Add(time.Hour))
}

func (s *StoreSuite) TestExtendOtherHolder(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	err := s.a.ExtendLease("redis", request("redis/1", time.Minute))
	c.Check(err, gc.Equals, lease.ErrInvalid)
}

func (s *StoreSuite) TestStaleExtendSucceedsAfterRefresh(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	c.Assert(s.b.Refresh(), jc.ErrorIsNil)
	s.clock.Advance(time.Second)
	c.Assert(s.a.ExtendLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)

	// b's cached entry is stale (a has since written it); the extension
	// is still possible once b has refreshed, so it succeeds.
	s.clock.Advance(time.Second)
	c.Assert(s.b.ExtendLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	c.Assert(s.a.Refresh(), jc.ErrorIsNil)
	info, _ := s.a.Lease("redis")
	c.Check(info.Expiry, jc.DeepEquals, start.Add(time.Minute+2*time.Second))
}

func (s *StoreSuite) TestExpireStrictlyAfterExpiry(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	s.clock.Advance(time.Minute)
	c.Check(s.a.ExpireLease("redis"), gc.Equals, lease.ErrInvalid)
	s.clock.Advance(time.Nanosecond)
	c.Assert(s.a.ExpireLease("redis"), jc.ErrorIsNil)
	c.Check(s.a.Leases(), gc.HasLen, 0)
	c.Check(s.a.ExpireLease("redis"), gc.Equals, lease.ErrInvalid)
}

func (s *StoreSuite) TestStaleExpireRefreshes(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	c.Assert(s.b.Refresh(), jc.ErrorIsNil)
	s.clock.Advance(30 * time.Second)
	c.Assert(s.a.ExtendLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)

	s.clock.Advance(31 * time.Second)
	c.Check(s.b.ExpireLease("redis"), gc.Equals, lease.ErrInvalid)
	info, _ := s.b.Lease("redis")
	c.Check(info.Expiry, jc.DeepEquals, start.Add(90*time.Second))
}

func (s *StoreSuite) TestStaleExpireAlreadyExpired(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	c.Assert(s.b.Refresh(), jc.ErrorIsNil)
	s.clock.Advance(time.Minute + time.Nanosecond)
	c.Assert(s.a.ExpireLease("redis"), jc.ErrorIsNil)
	c.Check(s.b.ExpireLease("redis"), gc.Equals, lease.ErrInvalid)
	c.Check(s.b.Leases(), gc.HasLen, 0)
}

func (s *StoreSuite) TestValidation(c *gc.C) {
	for i, t := range []struct {
		call func() error
		err  string
	}{{
		call: func() error { return s.a.ClaimLease("", request("redis/0", time.Minute)) },
		err:  `invalid lease name "": empty; a lease name must be .*`,
	}, {
		call: func() error { return s.a.ExtendLease("re.dis", request("redis/0", time.Minute)) },
		err:  `invalid lease name "re.dis": '.' at byte 2 \(use "re-dis" instead\); a lease name must be .*`,
	}, {
		call: func() error { return s.a.ExpireLease("re dis") },
		err:  `invalid lease name "re dis": white space U\+0020 at byte 2 \(use "re-dis" instead\); a lease name must be .*`,
	}, {
		call: func() error { return s.a.RefreshLease(strings.Repeat("r", 300)) },
		err:  `invalid lease name "r{64}"\.\.\. \(300 bytes\): 300 bytes, more than 256; a lease name must be .*`,
	}, {
		call: func() error { return s.a.ClaimLease("redis", request("redis#0", time.Minute)) },
		err:  `invalid request: invalid holder "redis#0": '#' at byte 5 \(use "redis-0" instead\); a holder must be .*`,
	}, {
		call: func() error { return s.a.ExtendLease("redis", request("redis/0", 0)) },
		err:  `invalid request: invalid duration 0s: must be positive`,
	}} {
		c.Logf("test %d: %s", i, t.err)
		err := t.call()
		c.Check(err, gc.ErrorMatches, t.err)
		c.Check(err, jc.Satisfies, isInvalidArgument)
	}
	c.Check(s.a.Leases(), gc.HasLen, 0)
}

func (s *StoreSuite) TestLeasesIsACopy(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	leases := s.a.Leases()
	delete(leases, "redis")
	c.Check(s.a.Leases(), gc.HasLen, 1)
}

// TestNilClock: a store made with a nil clock, or a nil *leasetest.Clock,
// refuses to make clients, instead of making one that panics when its
// manager first reads the time.
func (s *StoreSuite) TestNilClock(c *gc.C) {
	var fake *leasetest.Clock
	for _, clock := range []lease.Clock{nil, fake} {
		client, err := leasetest.NewStore(clock).NewClient("a")
		c.Check(err, gc.ErrorMatches, `invalid store: nil clock .* \(see NewStore\): give NewStore a clock, such as NewClock\(Start\)`)
		c.Check(client, gc.IsNil)
	}
}

// TestRefreshLease: RefreshLease reloads the named lease only, held or not.
func (s *StoreSuite) TestRefreshLease(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	c.Assert(s.a.ClaimLease("mysql", request("mysql/0", time.Minute)), jc.ErrorIsNil)
	c.Assert(s.b.RefreshLease("redis"), jc.ErrorIsNil)
	c.Check(s.b.Leases(), gc.HasLen, 1)
	info, held := s.b.Lease("redis")
	c.Check(held, jc.IsTrue)
	c.Check(info.Holder, gc.Equals, "redis/0")

	s.clock.Advance(2 * time.Minute)
	c.Assert(s.a.ExpireLease("redis"), jc.ErrorIsNil)
	c.Assert(s.b.RefreshLease("redis"), jc.ErrorIsNil)
	c.Check(s.b.Leases(), gc.HasLen, 0)

	c.Check(s.b.RefreshLease("bad name"), gc.ErrorMatches, `invalid lease name "bad name": .*`)
}
