package leadership_test

import (
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
	"github.com/seed07a61904/leadership/worker"
)

type TermTokenSuite struct{}

var _ = gc.Suite(&TermTokenSuite{})

// termTokenHolds evaluates, in memory, the assertions a token's ops make,
// as MongoDB would: each op names a lease of leasetest.Collection and
// asserts its holder and, for a term token, its term.
func termTokenHolds(c *gc.C, store *leasetest.Store, token leadership.Token) bool {
	reader := store.MustNewClient("reader")
	ops := token.AssertOps()
	c.Assert(ops, gc.Not(gc.HasLen), 0)
	for _, op := range ops {
		c.Assert(op.C, gc.Equals, leasetest.Collection)
		info, ok := reader.Lease(op.Id.(string))
		if !ok {
			return false
		}
		for _, e := range op.Assert.(bson.D) {
			switch e.Name {
			case "holder":
				if info.Holder != e.Value {
					return false
				}
			case "term":
				if info.Term != e.Value {
					return false
				}
			default:
				c.Fatalf("unexpected assertion on %q", e.Name)
			}
		}
	}
	return true
}

// termManager starts a manager on store through a new client with id.
func termManager(c *gc.C, store *leasetest.Store, clock *leasetest.Clock, id string) leadership.ManagerWorker {
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client: store.MustNewClient(id), Clock: clock, MaxSleep: time.Hour,
	})
	c.Assert(err, jc.ErrorIsNil)
	return manager
}

// newTermManager starts a manager, as "a", on a new in-memory store
// whose clock starts at leasetest.Start; the caller stops it.
func newTermManager(c *gc.C) (leadership.ManagerWorker, *leasetest.Store, *leasetest.Clock) {
	clock := leasetest.NewClock(leasetest.Start)
	store := leasetest.NewStore(clock)
	return termManager(c, store, clock, "a"), store, clock
}

// checkTerm returns the unit's term token, failing the test if there is
// none.
func checkTerm(c *gc.C, manager leadership.Manager, service, unit string) leadership.TermToken {
	token, err := manager.(leadership.TermChecker).CheckLeadershipTerm(service, unit)
	c.Assert(err, jc.ErrorIsNil)
	return token
}

// A term token from an earlier term aborts after the unit leads again,
// where the holder-only Token holds again; the new term's token holds.
func (s *TermTokenSuite) TestEarlierTermAbortsAfterUnitLeadsAgain(c *gc.C) {
	manager, store, clock := newTermManager(c)
	defer func() { c.Check(worker.Stop(manager), jc.ErrorIsNil) }()

	c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	first := checkTerm(c, manager, "redis", "redis/0")
	plain, err := manager.CheckLeadership("redis", "redis/0")
	c.Assert(err, jc.ErrorIsNil)
	c.Check(first.Term() >= 1, jc.IsTrue)
	c.Check(termTokenHolds(c, store, first), jc.IsTrue)

	// An extension keeps the term.
	clock.Advance(30 * time.Second)
	c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	c.Check(checkTerm(c, manager, "redis", "redis/0").Term(), gc.Equals, first.Term())
	c.Check(termTokenHolds(c, store, first), jc.IsTrue)

	// Revoked, then leading again.
	c.Assert(manager.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
	c.Check(termTokenHolds(c, store, first), jc.IsFalse)
	c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	c.Check(termTokenHolds(c, store, plain), jc.IsTrue)
	c.Check(termTokenHolds(c, store, first), jc.IsFalse)
	second := checkTerm(c, manager, "redis", "redis/0")
	c.Check(second.Term() > first.Term(), jc.IsTrue)
	c.Check(termTokenHolds(c, store, second), jc.IsTrue)

	// Expired, then leading again.
	clock.Advance(2 * time.Minute)
	c.Assert(manager.BlockUntilLeadershipReleased("redis"), jc.ErrorIsNil)
	c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	third := checkTerm(c, manager, "redis", "redis/0")
	c.Check(third.Term() > second.Term(), jc.IsTrue)
	c.Check(termTokenHolds(c, store, second), jc.IsFalse)
	c.Check(termTokenHolds(c, store, third), jc.IsTrue)
}

// Terms never repeat across revocations, expiries and controller
// restarts (a new manager and client on the same store).
func (s *TermTokenSuite) TestTermsNeverRepeatAcrossRestarts(c *gc.C) {
	clock := leasetest.NewClock(leasetest.Start)
	store := leasetest.NewStore(clock)
	seen := map[int64]bool{}
	var last int64
	for i, id := range []string{"a", "b", "c", "d"} {
		manager := termManager(c, store, clock, id)
		c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
		term := checkTerm(c, manager, "redis", "redis/0").Term()
		c.Check(seen[term], jc.IsFalse, gc.Commentf("round %d: term %d again", i, term))
		c.Check(term > last, jc.IsTrue, gc.Commentf("round %d: term %d after %d", i, term, last))
		seen[term], last = true, term
		if i%2 == 0 {
			c.Assert(manager.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
		} else {
			clock.Advance(2 * time.Minute)
			c.Assert(manager.BlockUntilLeadershipReleased("redis"), jc.ErrorIsNil)
		}
		c.Assert(worker.Stop(manager), jc.ErrorIsNil)
	}
}

// A unit that is not leader gets the error CheckLeadership gives.
func (s *TermTokenSuite) TestNotLeader(c *gc.C) {
	manager, _, _ := newTermManager(c)
	defer func() { c.Check(worker.Stop(manager), jc.ErrorIsNil) }()
	c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	_, err := manager.(leadership.TermChecker).CheckLeadershipTerm("redis", "redis/1")
	c.Check(errors.Is(err, leadership.ErrNotLeader), jc.IsTrue)
	c.Check(err, gc.ErrorMatches, `"redis/1" is not leader of "redis"`)
}

// noTermClient is a lease client that reports no terms, as a client
// written before terms existed does.
type noTermClient struct {
	*leasetest.Client
}

func (c noTermClient) Leases() map[string]lease.Info {
	leases := c.Client.Leases()
	for name, info := range leases {
		info.Term, info.TermAssertOp = 0, (lease.Info{}).TermAssertOp
		leases[name] = info
	}
	return leases
}

func (c noTermClient) Lease(name string) (lease.Info, bool) {
	info, held := c.Client.Lease(name)
	info.Term, info.TermAssertOp = 0, (lease.Info{}).TermAssertOp
	return info, held
}

// A client that reports no term assertion gets ErrNoTerms, not a token
// that asserts nothing.
func (s *TermTokenSuite) TestClientWithoutTerms(c *gc.C) {
	clock := leasetest.NewClock(leasetest.Start)
	store := leasetest.NewStore(clock)
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client: noTermClient{store.MustNewClient("a")}, Clock: clock, MaxSleep: time.Hour,
	})
	c.Assert(err, jc.ErrorIsNil)
	defer func() { c.Check(worker.Stop(manager), jc.ErrorIsNil) }()
	c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	_, err = manager.CheckLeadership("redis", "redis/0")
	c.Check(err, jc.ErrorIsNil)
	_, err = manager.(leadership.TermChecker).CheckLeadershipTerm("redis", "redis/0")
	c.Check(errors.Is(err, leadership.ErrNoTerms), jc.IsTrue, gc.Commentf("%v", err))
}
