package leasetest_test

import (
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

// TestAssertOp: a lease's AssertOp names it in Collection, and asserts its
// holder only. (What every store's clients do is in storetest_test.go.)
func (s *StoreSuite) TestAssertOp(c *gc.C) {
	err := s.a.ClaimLease("redis", request("redis/0", time.Minute))
	c.Assert(err, jc.ErrorIsNil)
	info, ok := s.a.Lease("redis")
	c.Assert(ok, jc.IsTrue)
	c.Check(info.AssertOp, jc.DeepEquals, txn.Op{
		C:      leasetest.Collection,
		Id:     "redis",
		Assert: bson.D{{Name: "holder", Value: "redis/0"}},
	})
}

func (s *StoreSuite) TestCachedImpossibleDoesNotRefresh(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	// b's cache says nothing is held, so it refuses the extension without
	// looking at the store, and stays stale.
	err := s.b.ExtendLease("redis", request("redis/0", time.Minute))
	c.Check(err, gc.Equals, lease.ErrInvalid)
	c.Check(s.b.Leases(), gc.HasLen, 0)
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

// TestMustNewClientPanics: MustNewClient panics with NewClient's error.
func (s *StoreSuite) TestMustNewClientPanics(c *gc.C) {
	c.Check(func() { s.store.MustNewClient("") }, gc.PanicMatches, `leasetest: NewClient\(""\): invalid id "": empty; .*`)
}
