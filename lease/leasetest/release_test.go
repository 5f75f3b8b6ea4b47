package leasetest_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

// The store counts the leases expired or revoked through any client; a
// client sees the count only when it reads it, as the MongoDB client
// reads it from its clock document. Claims, extensions and refused
// operations leave it as it is.
func (s *StoreSuite) TestReleasesCounted(c *gc.C) {
	var _ lease.ReleaseWatcher = s.a
	count := func(w lease.ReleaseWatcher) int64 {
		c.Assert(w.RefreshReleases(), jc.ErrorIsNil)
		return w.Releases()
	}
	c.Check(s.b.Releases(), gc.Equals, int64(0))
	c.Check(count(s.b), gc.Equals, int64(0))

	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	c.Assert(s.a.ExtendLease("redis", request("redis/0", time.Hour)), jc.ErrorIsNil)
	c.Check(s.a.RevokeLease("redis", "redis/1"), gc.Equals, lease.ErrInvalid)
	c.Check(count(s.b), gc.Equals, int64(0))

	c.Assert(s.a.RevokeLease("redis", "redis/0"), jc.ErrorIsNil)
	c.Check(s.b.Releases(), gc.Equals, int64(0)) // not read yet
	c.Check(count(s.b), gc.Equals, int64(1))

	c.Assert(s.a.ClaimLease("redis", request("redis/1", time.Minute)), jc.ErrorIsNil)
	c.Assert(s.b.Refresh(), jc.ErrorIsNil)
	s.clock.Advance(time.Minute + time.Nanosecond)
	c.Assert(s.b.ExpireLease("redis"), jc.ErrorIsNil)
	c.Check(s.a.ExpireLease("redis"), gc.Equals, lease.ErrInvalid)
	c.Check(count(s.a), gc.Equals, int64(2))
	c.Check(count(s.b), gc.Equals, int64(2))
}
