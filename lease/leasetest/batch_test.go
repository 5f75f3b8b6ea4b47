package leasetest_test

import (
	"errors"
	"math"
	"regexp"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

// claimOp, extendOp, expireOp and revokeOp are the ops of a batch.
func claimOp(name, holder string, d time.Duration) lease.Op {
	return lease.Op{Kind: lease.OpClaim, Lease: name, Request: request(holder, d)}
}

func extendOp(name, holder string, d time.Duration) lease.Op {
	return lease.Op{Kind: lease.OpExtend, Lease: name, Request: request(holder, d)}
}

func expireOp(name string) lease.Op {
	return lease.Op{Kind: lease.OpExpire, Lease: name}
}

func revokeOp(name, holder string) lease.Op {
	return lease.Op{Kind: lease.OpRevoke, Lease: name, Request: lease.Request{Holder: holder}}
}

// holders returns who holds each lease in the client's cache.
func holders(leases map[string]lease.Info) map[string]string {
	h := make(map[string]string, len(leases))
	for name, info := range leases {
		h[name] = info.Holder
	}
	return h
}

// TestApplyLeasesOneTransaction: a claim, an extension, an expiry and a
// revocation of four leases apply together, in one transaction.
func (s *StoreSuite) TestApplyLeasesOneTransaction(c *gc.C) {
	c.Assert(s.a.ClaimLease("mysql", request("mysql/0", time.Minute)), jc.ErrorIsNil)
	c.Assert(s.a.ClaimLease("pgsql", request("pgsql/0", time.Second)), jc.ErrorIsNil)
	c.Assert(s.a.ClaimLease("kafka", request("kafka/0", time.Hour)), jc.ErrorIsNil)
	s.clock.Advance(2 * time.Second)
	before := s.store.Transactions()

	errs := s.a.ApplyLeases([]lease.Op{
		claimOp("redis", "redis/0", time.Minute),
		extendOp("mysql", "mysql/0", time.Hour),
		expireOp("pgsql"),
		revokeOp("kafka", "kafka/0"),
	})
	c.Check(errs, jc.DeepEquals, []error{nil, nil, nil, nil})
	c.Check(s.store.Transactions()-before, gc.Equals, int64(1))
	c.Assert(s.b.Refresh(), jc.ErrorIsNil)
	c.Check(holders(s.b.Leases()), jc.DeepEquals, map[string]string{"redis": "redis/0", "mysql": "mysql/0"})
	info, _ := s.b.Lease("mysql")
	c.Check(info.Expiry, jc.DeepEquals, start.Add(2*time.Second+time.Hour))
	c.Assert(s.b.RefreshReleases(), jc.ErrorIsNil)
	c.Check(s.b.Releases(), gc.Equals, int64(2))
}

// TestApplyLeasesDeniedDoesNotFailOthers: ops the cache or the store
// says are impossible are answered lease.ErrInvalid, bare, as their
// single-lease methods would be, and the others apply. An op whose lease
// changed under a stale cache is decided again on the store's, as the
// single-lease method does: b's stale extension of redis applies.
func (s *StoreSuite) TestApplyLeasesDeniedDoesNotFailOthers(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	c.Assert(s.b.Refresh(), jc.ErrorIsNil)
	c.Assert(s.a.ClaimLease("mysql", request("mysql/0", time.Minute)), jc.ErrorIsNil)
	s.clock.Advance(time.Second)
	c.Assert(s.a.ExtendLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	before := s.store.Transactions()

	errs := s.b.ApplyLeases([]lease.Op{
		claimOp("kafka", "kafka/0", time.Minute),
		claimOp("mysql", "mysql/1", time.Minute),  // stale: the store says held
		extendOp("pgsql", "pgsql/0", time.Minute), // the cache says not held
		extendOp("redis", "redis/0", time.Hour),   // stale: still redis/0's
		expireOp("redis-2"),                       // not held
	})
	c.Check(errs, jc.DeepEquals, []error{nil, lease.ErrInvalid, lease.ErrInvalid, nil, lease.ErrInvalid})
	c.Check(s.store.Transactions()-before, gc.Equals, int64(1))
	c.Assert(s.a.Refresh(), jc.ErrorIsNil)
	c.Check(holders(s.a.Leases()), jc.DeepEquals, map[string]string{"redis": "redis/0", "mysql": "mysql/0", "kafka": "kafka/0"})
	info, _ := s.a.Lease("redis")
	c.Check(info.Expiry, jc.DeepEquals, start.Add(time.Second+time.Hour))
}

// TestApplyLeasesCacheAnswersAll: a batch whose every op the cache
// answers (impossible, or an extension that would not lengthen the
// lease) runs no transaction.
func (s *StoreSuite) TestApplyLeasesCacheAnswersAll(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Hour)), jc.ErrorIsNil)
	before := s.store.Transactions()
	errs := s.a.ApplyLeases([]lease.Op{
		extendOp("redis", "redis/0", time.Minute),
		claimOp("redis-2", "redis-2/0", 0),
		expireOp("mysql"),
	})
	c.Check(errs[0], jc.ErrorIsNil)
	c.Check(errs[1], jc.Satisfies, isInvalidArgument)
	c.Check(errs[2], gc.Equals, lease.ErrInvalid)
	c.Check(s.store.Transactions(), gc.Equals, before)
	c.Check(s.a.ApplyLeases(nil), gc.HasLen, 0)
}

// TestApplyLeasesErrorsAsSingle: each refused op gets exactly the error
// its single-lease method returns for the same arguments, and the rules
// of lease.Op.Validate refuse what a single method has no argument for;
// the valid op among them applies.
func (s *StoreSuite) TestApplyLeasesErrorsAsSingle(c *gc.C) {
	ops := []lease.Op{
		claimOp("", "redis/0", time.Minute),
		extendOp("redis", "redis#0", time.Minute),
		claimOp("redis-2", "redis-2/0", 0),
		claimOp("pgsql", "pgsql/0", math.MaxInt64), // past the store's last time
		expireOp("re dis"),
		revokeOp("redis-3", "redis 0"),
		claimOp("mysql", "mysql/0", time.Minute),
	}
	singles := []func() error{
		func() error { return s.b.ClaimLease("", request("redis/0", time.Minute)) },
		func() error { return s.b.ExtendLease("redis", request("redis#0", time.Minute)) },
		func() error { return s.b.ClaimLease("redis-2", request("redis-2/0", 0)) },
		func() error { return s.b.ClaimLease("pgsql", request("pgsql/0", math.MaxInt64)) },
		func() error { return s.b.ExpireLease("re dis") },
		func() error { return s.b.RevokeLease("redis-3", "redis 0") },
	}
	errs := s.a.ApplyLeases(ops)
	c.Assert(errs, gc.HasLen, len(ops))
	for i, single := range singles {
		want := single()
		c.Assert(want, gc.NotNil)
		c.Check(errs[i], gc.ErrorMatches, regexp.QuoteMeta(want.Error()), gc.Commentf("op %d", i))
		c.Check(errors.Is(errs[i], lease.ErrInvalidArgument), gc.Equals, errors.Is(want, lease.ErrInvalidArgument))
		c.Check(errors.Is(errs[i], lease.ErrTimeOutOfRange), gc.Equals, errors.Is(want, lease.ErrTimeOutOfRange))
	}
	c.Check(errs[len(ops)-1], jc.ErrorIsNil)

	for i, t := range []struct {
		op  lease.Op
		err string
	}{{
		op:  lease.Op{Kind: 9, Lease: "redis"},
		err: `invalid op kind OpKind\(9\): .*`,
	}, {
		op:  lease.Op{Kind: lease.OpExpire, Lease: "redis", Request: request("redis/0", time.Minute)},
		err: `invalid expire op on lease "redis": its request must be zero, .*`,
	}, {
		op:  lease.Op{Kind: lease.OpRevoke, Lease: "redis", Request: request("redis/0", time.Minute)},
		err: `invalid revoke op on lease "redis": its duration must be zero, not 1m0s`,
	}} {
		errs := s.a.ApplyLeases([]lease.Op{t.op})
		c.Check(errs[0], gc.ErrorMatches, t.err, gc.Commentf("test %d", i))
		c.Check(errs[0], jc.Satisfies, isInvalidArgument)
	}
	c.Check(holders(s.a.Leases()), jc.DeepEquals, map[string]string{"mysql": "mysql/0"})
}

// TestApplyLeasesSameLeaseTwice: a second op on a lease already named in
// the batch is refused, and not applied; the first is.
func (s *StoreSuite) TestApplyLeasesSameLeaseTwice(c *gc.C) {
	errs := s.a.ApplyLeases([]lease.Op{
		claimOp("redis", "redis/0", time.Minute),
		claimOp("redis", "redis/1", time.Minute),
	})
	c.Check(errs[0], jc.ErrorIsNil)
	c.Check(errs[1], gc.ErrorMatches, `invalid op 1 \(claim of lease "redis"\): op 0 names the same lease; each op of a batch must name a different lease`)
	c.Check(errs[1], jc.Satisfies, isInvalidArgument)
	c.Check(holders(s.a.Leases()), jc.DeepEquals, map[string]string{"redis": "redis/0"})
}

// TestApplyLeasesStoreStopped: while the store is stopped, every op that
// is not refused fails with lease.ErrUnavailable, nothing is written,
// and no transaction runs; after Restart the same batch applies.
func (s *StoreSuite) TestApplyLeasesStoreStopped(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	before := s.store.Transactions()
	ops := []lease.Op{
		claimOp("mysql", "mysql/0", time.Minute),
		claimOp("redis", "redis/1", time.Minute), // the cache alone would refuse it
		claimOp("bad name", "x/0", time.Minute),
	}
	s.store.Stop()
	errs := s.a.ApplyLeases(ops)
	c.Check(errors.Is(errs[0], lease.ErrUnavailable), jc.IsTrue, gc.Commentf("%v", errs[0]))
	c.Check(errors.Is(errs[1], lease.ErrUnavailable), jc.IsTrue, gc.Commentf("%v", errs[1]))
	c.Check(errs[2], jc.Satisfies, isInvalidArgument)
	c.Check(s.store.Transactions(), gc.Equals, before)

	s.store.Restart()
	errs = s.a.ApplyLeases(ops)
	c.Check(errs[:2], jc.DeepEquals, []error{nil, lease.ErrInvalid})
	c.Check(holders(s.a.Leases()), jc.DeepEquals, map[string]string{"redis": "redis/0", "mysql": "mysql/0"})
	c.Check(s.store.Transactions()-before, gc.Equals, int64(1))
}

// TestSingleWritesCountTransactions: each single-lease write that reaches
// the store is one transaction; one its cache answers is none.
func (s *StoreSuite) TestSingleWritesCountTransactions(c *gc.C) {
	before := s.store.Transactions()
	c.Assert(s.a.ClaimLease("redis", request("redis/0", time.Minute)), jc.ErrorIsNil)
	c.Check(s.a.ClaimLease("redis", request("redis/1", time.Minute)), gc.Equals, lease.ErrInvalid)
	c.Check(s.b.ClaimLease("redis", request("redis/1", time.Minute)), gc.Equals, lease.ErrInvalid)
	c.Check(s.store.Transactions()-before, gc.Equals, int64(2))
}

// isInvalidArgument reports whether err matches lease.ErrInvalidArgument,
// for jc.Satisfies.
func isInvalidArgument(err error) bool {
	return errors.Is(err, lease.ErrInvalidArgument)
}
