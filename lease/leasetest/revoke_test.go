package leasetest_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

func (s *StoreSuite) TestRevokeBeforeExpiry(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	c.Assert(s.a.RevokeLease("redis", "redis/0"), jc.ErrorIsNil)
	c.Check(s.a.Leases(), gc.HasLen, 0)
	// Another client sees it gone at its next read, and can claim.
	c.Assert(s.b.Refresh(), jc.ErrorIsNil)
	c.Check(s.b.Leases(), gc.HasLen, 0)
	c.Check(s.b.ClaimLease("redis", request("redis/1", time.Minute)), jc.ErrorIsNil)
}

func (s *StoreSuite) TestRevokeOtherHolder(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	c.Check(s.a.RevokeLease("redis", "redis/1"), gc.Equals, lease.ErrInvalid)
	c.Check(s.a.RevokeLease("mysql", "mysql/0"), gc.Equals, lease.ErrInvalid)
	info, ok := s.a.Lease("redis")
	c.Check(ok, jc.IsTrue)
	c.Check(info.Holder, gc.Equals, "redis/0")
}

func (s *StoreSuite) TestStaleRevokeAfterExtensionElsewhere(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	c.Assert(s.b.Refresh(), jc.ErrorIsNil)
	s.clock.Advance(time.Second)
	c.Assert(s.a.ExtendLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	// b's cache is stale, but the holder is the same: the revocation
	// applies after a refresh.
	c.Assert(s.b.RevokeLease("redis", "redis/0"), jc.ErrorIsNil)
	c.Assert(s.a.Refresh(), jc.ErrorIsNil)
	c.Check(s.a.Leases(), gc.HasLen, 0)
}

func (s *StoreSuite) TestStaleRevokeAfterHandover(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	c.Assert(s.b.Refresh(), jc.ErrorIsNil)
	c.Assert(s.a.RevokeLease("redis", "redis/0"), jc.ErrorIsNil)
	c.Assert(s.a.ClaimLease("redis", request("redis/1", time.Minute)), jc.ErrorIsNil)
	// b still thinks redis/0 holds it; the store says otherwise, so the
	// new holder keeps it.
	c.Check(s.b.RevokeLease("redis", "redis/0"), gc.Equals, lease.ErrInvalid)
	info, ok := s.b.Lease("redis")
	c.Check(ok, jc.IsTrue)
	c.Check(info.Holder, gc.Equals, "redis/1")
}

func (s *StoreSuite) TestRevokeValidation(c *gc.C) {
	c.Check(s.a.RevokeLease("", "redis/0"), gc.ErrorMatches, `invalid lease name "": empty; a lease name must be .*`)
	c.Check(s.a.RevokeLease("redis", "redis 0"), gc.ErrorMatches, `invalid holder "redis 0": white space U\+0020 at byte 5 \(use "redis-0" instead\); a holder must be .*`)
	c.Check(s.a.RevokeLease("redis", "redis\x00"), jc.Satisfies, isInvalidArgument)
}
