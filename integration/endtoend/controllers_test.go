package endtoend_test

import (
	"errors"
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

// FailoverSuite is the fake-clock guard of the crash failover bound: a
// controller extends a 4s lease, dies, and the unit waiting on another
// controller is released within 500ms after the end of the dead leader's
// guaranteed term (never before it), because that controller reads the
// clocks every ClockPoll (200ms by default) and so bounds the dead
// controller's clock by a read soon after its last write.
type FailoverSuite struct {
	mongoSuite
}

var _ = gc.Suite(&FailoverSuite{})

// watchedClock is a fake clock that reports every alarm requested.
type watchedClock struct {
	*clocktest.Clock
	alarms chan time.Time
}

// Alarm is part of the lease.Clock interface.
func (w *watchedClock) Alarm(t time.Time) <-chan time.Time {
	ch := w.Clock.Alarm(t)
	w.alarms <- t
	return ch
}

// failover runs the scenario with the waiting controller's ClockPoll, and
// returns how long after the end of the dead leader's term the waiting
// unit leads, counted in steps of 100ms of both clocks.
func (s *FailoverSuite) failover(c *gc.C, poll time.Duration) time.Duration {
	const (
		duration = 4 * time.Second
		step     = 100 * time.Millisecond
	)
	clockX := clocktest.NewClock(start)
	startY := start.Add(time.Hour)
	clockY := &watchedClock{Clock: clocktest.NewClock(startY), alarms: make(chan time.Time, 10000)}
	managerX := s.startManager(c, "machine-0", clockX)
	managerY := s.startManagerPolling(c, "machine-1", clockY, poll)

	var next time.Time // Y's latest alarm
	waitAlarm := func() {
		select {
		case next = <-clockY.alarms:
		case <-time.After(longWait):
			c.Fatalf("no alarm from Y at %v", clockY.Now().Sub(startY))
		}
	}
	waitAlarm()
	var elapsed time.Duration
	// advance moves both clocks on by step, waits until Y has handled
	// any wake that fell due, and reports whether one did.
	advance := func() bool {
		elapsed += step
		clockX.Set(start.Add(elapsed))
		clockY.Set(startY.Add(elapsed))
		for drained := false; !drained; {
			select {
			case next = <-clockY.alarms:
			default:
				drained = true
			}
		}
		woke := false
		for !next.After(startY.Add(elapsed)) {
			waitAlarm()
			woke = true
		}
		return woke
	}

	c.Assert(managerX.ClaimLeadership("redis", "redis/0", duration), jc.ErrorIsNil)
	_, err := managerY.CheckLeadership("redis", "redis/1")
	c.Assert(err, gc.NotNil)
	if poll < 0 {
		// Y's next wake is now for the lease, not for MaxSleep.
		c.Assert(clockY.WaitAlarmFor(startY.Add(duration), longWait), jc.ErrorIsNil)
	}
	released := make(chan error, 1)
	go func() { released <- managerY.BlockUntilLeadershipReleased("redis") }()

	for elapsed < 2*time.Second {
		advance()
	}
	// X extends, so its guaranteed term ends at 6s, and dies.
	c.Assert(managerX.ClaimLeadership("redis", "redis/0", duration), jc.ErrorIsNil)
	termEnd := elapsed + duration
	managerX.Kill()
	c.Assert(managerX.Wait(), jc.ErrorIsNil)

	// After each of Y's wakes, its unit claims: the first success, at
	// the step of the wake that expired the lease, is when it leads.
	for elapsed < termEnd+10*time.Second {
		if !advance() {
			continue
		}
		err := managerY.ClaimLeadership("redis", "redis/1", duration)
		if errors.Is(err, leadership.ErrClaimDenied) {
			continue
		}
		c.Assert(err, jc.ErrorIsNil)
		c.Assert(elapsed > termEnd, jc.IsTrue, gc.Commentf("led at %v, before the term's end %v", elapsed, termEnd))
		select {
		case err := <-released:
			c.Check(err, jc.ErrorIsNil)
		case <-time.After(longWait):
			c.Fatalf("the block was never released")
		}
		return elapsed - termEnd
	}
	c.Fatalf("never led")
	panic("unreachable")
}

func (s *FailoverSuite) TestWithinHalfASecond(c *gc.C) {
	delay := s.failover(c, 0)
	c.Logf("led %v after the dead leader's term", delay)
	c.Check(delay <= 500*time.Millisecond, jc.IsTrue, gc.Commentf("led %v after the term's end", delay))
}

// TestWithoutPollsLater shows what the polls buy, and that the guard above
// can fail: without them, the waiting controller bounds the dead one's
// clock only when it wakes for the lease (at 4s, two seconds after the last
// write), and releases the unit about two seconds late.
func (s *FailoverSuite) TestWithoutPollsLater(c *gc.C) {
	delay := s.failover(c, -1)
	c.Logf("led %v after the dead leader's term", delay)
	c.Check(delay > time.Second, jc.IsTrue, gc.Commentf("led %v after the term's end", delay))
}
