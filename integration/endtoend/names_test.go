package endtoend_test

import (
	"errors"
	"strings"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
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
