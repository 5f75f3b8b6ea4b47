package endtoend_test

import (
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
)

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
