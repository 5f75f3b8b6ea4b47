package endtoend_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/internal/rangetest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// NamesSuite: one caller's bad names are that caller's error, on a
// manager over the MongoDB client, and never stop the manager for the
// other units on it.
type NamesSuite struct {
	mongoSuite
}

var _ = gc.Suite(&NamesSuite{})

// isInvalidArgument reports whether err matches
// leadership.ErrInvalidArgument, for jc.Satisfies.
func isInvalidArgument(err error) bool {
	return errors.Is(err, leadership.ErrInvalidArgument)
}

// leaseNames returns the names of the lease documents in the store.
func (s *NamesSuite) leaseNames(c *gc.C) []string {
	var docs []struct {
		Name string `bson:"name"`
	}
	c.Assert(s.DB.C(mongofixture.Collection).Find(bson.M{"type": "lease"}).Sort("name").All(&docs), jc.ErrorIsNil)
	names := []string{}
	for _, doc := range docs {
		names = append(names, doc.Name)
	}
	return names
}

// TestLongServiceName: a claim with a valid 17MiB service name made a
// transaction of about 71MB, which the server refused; the client returned
// that as a plain error and the manager stopped: every other unit on it got
// ErrStopped. The claim is refused now, and the others carry on.
func (s *NamesSuite) TestLongServiceName(c *gc.C) {
	clock := clocktest.NewClock(start)
	manager := s.startManager(c, "controller-0", clock)
	c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)

	long := strings.Repeat("a", 17<<20)
	err := manager.ClaimLeadership(long, long+"/0", time.Minute)
	c.Check(err, gc.ErrorMatches, `cannot claim leadership: invalid service name "a{64}"\.\.\. \(17825792 bytes\): it is 17825792 bytes, more than 128; .*`)
	c.Check(err, jc.Satisfies, isInvalidArgument)

	c.Check(manager.ClaimLeadership("mysql", "mysql/0", time.Minute), jc.ErrorIsNil)
	_, err = manager.CheckLeadership("redis", "redis/0")
	c.Check(err, jc.ErrorIsNil)
	c.Check(s.leaseNames(c), jc.DeepEquals, []string{"mysql", "redis"})
}

// TestUnitOfAnotherService: ClaimLeadership("redis", "mysql/0", d) made
// mysql/0 leader of redis. It is refused now, writing nothing, and so are
// the check and the revoke of that pair; redis's own units are unaffected.
func (s *NamesSuite) TestUnitOfAnotherService(c *gc.C) {
	clock := clocktest.NewClock(start)
	manager := s.startManager(c, "controller-0", clock)

	err := manager.ClaimLeadership("redis", "mysql/0", time.Minute)
	c.Check(err, gc.ErrorMatches, `cannot claim leadership: unit "mysql/0" is not a unit of service "redis": .*`)
	c.Check(err, jc.Satisfies, isInvalidArgument)
	c.Check(s.leaseNames(c), gc.HasLen, 0)

	c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	_, err = manager.CheckLeadership("redis", "mysql/0")
	c.Check(err, jc.Satisfies, isInvalidArgument)
	err = manager.(leadership.Revoker).RevokeLeadership("redis", "mysql/0")
	c.Check(err, jc.Satisfies, isInvalidArgument)
	_, err = manager.CheckLeadership("redis", "redis/0")
	c.Check(err, jc.ErrorIsNil)
}

// TimeRangeSuite: with the clock at 2026-11-29, a claim for 250 years, or
// for math.MaxInt64 as "forever", through a manager over lease.NewClient,
// ends after the store's range (as int64 nanoseconds, a wrapped expiry
// would read as 1692, or 1734, and another controller would grant the
// service at once). The caller gets lease.ErrTimeOutOfRange, nothing is
// written, and the manager stays up (startManager's clean-up checks that
// it stops cleanly).
type TimeRangeSuite struct {
	mongoSuite
	// fences counts fenced transactions, to give each its own id.
	fences int
}

var _ = gc.Suite(&TimeRangeSuite{})

// issueNow is a clock reading in 2026, in an odd zone.
var issueNow = rangetest.Now

// checkOutOfRange checks that err is the error of r's claim of service for
// unit.
func checkOutOfRange(c *gc.C, err error, service, unit string, r rangetest.Request) {
	c.Check(err, jc.Satisfies, func(err error) bool { return errors.Is(err, lease.ErrTimeOutOfRange) })
	c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(
		`cannot claim leadership of "`+service+`" for "`+unit+`": `+r.Message(service)))
}

// fenced reports which of the units the managers say lead service can
// commit a transaction with their tokens.
func (s *TimeRangeSuite) fenced(c *gc.C, service string, units map[string]leadership.Manager) []string {
	var committed []string
	for unit, manager := range units {
		token, err := manager.CheckLeadership(service, unit)
		if err != nil {
			continue
		}
		s.fences++
		if s.runFenced(token, fmt.Sprintf("%s#%d", unit, s.fences)) == nil {
			committed = append(committed, unit)
		}
	}
	return committed
}

func (s *TimeRangeSuite) TestClaim(c *gc.C) {
	clockA := clocktest.NewClock(issueNow)
	managerA := s.startManager(c, "machine-0", clockA)
	for _, r := range rangetest.Requests {
		c.Logf("claim for %v", r.Duration)
		err := managerA.ClaimLeadership("redis", "redis/0", r.Duration)
		checkOutOfRange(c, err, "redis", "redis/0", r)
		_, err = managerA.CheckLeadership("redis", "redis/0")
		c.Check(err, gc.NotNil)
	}

	// redis/0 was never leader, so a second controller a minute later
	// may grant redis to redis/1; then only redis/1 can use its token.
	clockB := clocktest.NewClock(issueNow.Add(time.Minute))
	managerB := s.startManager(c, "machine-1", clockB)
	c.Assert(managerB.ClaimLeadership("redis", "redis/1", time.Minute), jc.ErrorIsNil)
	c.Check(managerA.ClaimLeadership("redis", "redis/0", time.Minute), gc.Equals, leadership.ErrClaimDenied)
	c.Check(s.fenced(c, "redis", map[string]leadership.Manager{"redis/0": managerA, "redis/1": managerB}),
		jc.DeepEquals, []string{"redis/1"})

	// Manager A is still up, and grants other claims.
	c.Check(managerA.ClaimLeadership("mysql", "mysql/0", time.Minute), jc.ErrorIsNil)
}

func (s *TimeRangeSuite) TestExtend(c *gc.C) {
	clockA := clocktest.NewClock(issueNow)
	managerA := s.startManager(c, "machine-0", clockA)
	c.Assert(managerA.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	for _, r := range rangetest.Requests {
		c.Logf("extend for %v", r.Duration)
		err := managerA.ClaimLeadership("redis", "redis/0", r.Duration)
		checkOutOfRange(c, err, "redis", "redis/0", r)
	}

	// The refused extensions wrote nothing: the lease still runs for its
	// minute, so a second controller started a minute later does not see
	// redis leaderless, and cannot grant it to redis/1.
	clockB := clocktest.NewClock(issueNow.Add(time.Minute))
	managerB := s.startManager(c, "machine-1", clockB)
	c.Check(managerB.ClaimLeadership("redis", "redis/1", time.Minute), gc.Equals, leadership.ErrClaimDenied)
	c.Check(s.fenced(c, "redis", map[string]leadership.Manager{"redis/0": managerA, "redis/1": managerB}),
		jc.DeepEquals, []string{"redis/0"})

	// Manager A is still up, and redis/0 extends by a sane duration.
	c.Check(managerA.ClaimLeadership("redis", "redis/0", time.Hour), jc.ErrorIsNil)
}
