package endtoend_test

import (
	"fmt"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
)

// TwoControllersSuite runs two managers, with clients of different Ids
// on one namespace, whose clocks are an hour apart, and moves both clocks
// in step.
type TwoControllersSuite struct {
	mongoSuite
}

var _ = gc.Suite(&TwoControllersSuite{})

// unit is a unit that asks one controller's manager for leadership.
type unit struct {
	manager leadership.Manager
	service string
	name    string
}

// term is the time a successful claim guarantees its unit leadership,
// counted in time elapsed since the test started.
type term struct {
	unit     string
	from, to time.Duration
}

func (t term) String() string {
	return fmt.Sprintf("%s [%v, %v)", t.unit, t.from, t.to)
}

func (s *TwoControllersSuite) TestNeverTwoLeaders(c *gc.C) {
	const (
		step     = 10 * time.Second
		duration = time.Minute
	)
	clockA := clocktest.NewClock(start)
	clockB := clocktest.NewClock(start.Add(time.Hour))
	managerA, managerB := s.startPair(c, clockA, clockB)
	redis0 := unit{managerA, "redis", "redis/0"}
	redis1 := unit{managerB, "redis", "redis/1"}
	mysql0 := unit{managerA, "mysql", "mysql/0"}
	mysql1 := unit{managerB, "mysql", "mysql/1"}
	units := []unit{redis0, redis1, mysql0, mysql1}

	var elapsed time.Duration
	terms := map[string][]term{}
	claim := func(u unit) bool {
		err := u.manager.ClaimLeadership(u.service, u.name, duration)
		if err == nil {
			terms[u.service] = append(terms[u.service], term{u.name, elapsed, elapsed + duration})
			return true
		}
		c.Check(err, gc.Equals, leadership.ErrClaimDenied, gc.Commentf("%s at %v", u.name, elapsed))
		return false
	}
	// fence checks that, of all the units a manager says lead, at most
	// one per service can commit a transaction with its token.
	fence := func() {
		committed := map[string][]string{}
		for _, u := range units {
			token, err := u.manager.CheckLeadership(u.service, u.name)
			if err != nil {
				continue
			}
			id := fmt.Sprintf("%s@%v", u.name, elapsed)
			if s.runFenced(token, id) == nil {
				committed[u.service] = append(committed[u.service], u.name)
			}
		}
		for service, names := range committed {
			c.Check(names, gc.HasLen, 1, gc.Commentf("%s at %v", service, elapsed))
		}
	}
	advance := func() {
		clockA.Advance(step)
		clockB.Advance(step)
		elapsed += step
	}

	// redis/0 (through A) and mysql/1 (through B) lead and extend; the
	// units of the other controller are denied.
	for i := 0; i < 3; i++ {
		c.Check(claim(redis0), jc.IsTrue)
		c.Check(claim(mysql1), jc.IsTrue)
		c.Check(claim(redis1), jc.IsFalse)
		c.Check(claim(mysql0), jc.IsFalse)
		fence()
		advance()
	}

	// The leaders stop extending. Each controller must see the other's
	// lease expire, so that its own unit can take over.
	redisTaken, mysqlTaken := false, false
	for i := 0; i < 30 && !(redisTaken && mysqlTaken); i++ {
		if !redisTaken {
			redisTaken = claim(redis1)
		}
		if !mysqlTaken {
			mysqlTaken = claim(mysql0)
		}
		fence()
		advance()
	}
	c.Check(redisTaken, jc.IsTrue, gc.Commentf("B never saw redis/0's lease expire"))
	c.Check(mysqlTaken, jc.IsTrue, gc.Commentf("A never saw mysql/1's lease expire"))

	// No two units' guaranteed terms overlap.
	for service, ts := range terms {
		c.Logf("%s: %v", service, ts)
		for i := 1; i < len(ts); i++ {
			prev, next := ts[i-1], ts[i]
			if prev.unit != next.unit {
				c.Check(next.from >= prev.to, jc.IsTrue,
					gc.Commentf("%s claimed %s at %v, but %s was guaranteed it until %v",
						next.unit, service, next.from, prev.unit, prev.to))
			}
		}
	}
}
