package leadership_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// ClockBackSuite steps the manager's clock back (as NTP can, or a clock
// with no monotonic reading) at each point where the manager has counted
// from an earlier reading: MaxSleep, the last wake, and a back-off.
type ClockBackSuite struct{}

var _ = gc.Suite(&ClockBackSuite{})

// TestMaxSleepCountsFromSteppedBackClock: a clock stepped back an hour
// must not keep the manager from refreshing for an hour and a MaxSleep.
func (s *ClockBackSuite) TestMaxSleepCountsFromSteppedBackClock(c *gc.C) {
	fix := &fixture{
		maxSleep:    time.Minute,
		expectCalls: []call{{method: "Refresh"}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		stepBackAtAlarm(c, manager, clock, time.Minute, offset(-time.Hour), time.Minute)
		c.Assert(clock.WaitAlarmFor(offset(-time.Hour+2*time.Minute), LongWait), jc.ErrorIsNil)
	})
}

// TestMaxSleepAfterSmallStepBack: a step back shorter than the time since
// the last wake still moves the MaxSleep wake back by the step. (The
// manager sees a step only between two of its own readings.)
func (s *ClockBackSuite) TestMaxSleepAfterSmallStepBack(c *gc.C) {
	fix := &fixture{
		maxSleep:    time.Minute,
		expectCalls: []call{{method: "Refresh"}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		c.Assert(clock.WaitAlarmFor(offset(time.Minute), LongWait), jc.ErrorIsNil)
		// The manager reads the clock at 40s, then at 30s.
		clock.Advance(40 * time.Second)
		syncThenAlarm(c, manager, clock, offset(time.Minute))
		clock.Set(offset(30 * time.Second))
		syncThenAlarm(c, manager, clock, offset(50*time.Second))
		clock.Advance(20 * time.Second)
		c.Assert(clock.WaitAlarmFor(offset(110*time.Second), LongWait), jc.ErrorIsNil)
	})
}

// TestWakeAfterSteppedBackClock: after a wake, the manager does not wake
// again at that reading; a clock stepped back behind it must not push the
// next wake past a lease's expiry.
func (s *ClockBackSuite) TestWakeAfterSteppedBackClock(c *gc.C) {
	fix := &fixture{
		leases:   redisHeld("redis/0", time.Minute),
		maxSleep: time.Hour,
		// At the expiry, the client will not expire it yet (it is not
		// after the expiry); the manager must try again after.
		expectCalls: append(expireRedis(lease.ErrInvalid, nil), expireRedis(nil, deleteLease("redis"))...),
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		clock.Advance(time.Minute)
		stepBackAtAlarm(c, manager, clock, time.Minute+time.Nanosecond, offset(30*time.Second), 30*time.Second)
	})
}

// TestBackOffAfterSteppedBackClock: a back-off counts from the clock's
// reading after a step back, not from before it.
func (s *ClockBackSuite) TestBackOffAfterSteppedBackClock(c *gc.C) {
	fix := contendedExpiry()
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		stepBackAtAlarm(c, manager, clock, 50*time.Millisecond, offset(-time.Hour), 50*time.Millisecond)
		// On the clock as it reads now, the lease is not due yet: the
		// wake refreshes, and the next is at its expiry.
		c.Assert(clock.WaitAlarmFor(offset(-time.Second), LongWait), jc.ErrorIsNil)
	})
}

// contendedExpiry is a fixture in which redis ran out a second before
// the start and its expiry meets contention, so that the manager backs
// off (50ms); its next wake only refreshes.
func contendedExpiry() *fixture {
	return dueFixture(time.Hour, append(expireRedis(errContention, nil), call{method: "Refresh"})...)
}

// stepBackAtAlarm waits for the manager's alarm d after the clock's
// start, then steps the clock back to to, checks that the manager moves
// its wake to after after that reading (see syncThenAlarm), and moves the
// clock on to the wake.
func stepBackAtAlarm(c *gc.C, manager leadership.Manager, clock *clocktest.Clock, d time.Duration, to time.Time, after time.Duration) {
	c.Assert(clock.WaitAlarmFor(offset(d), LongWait), jc.ErrorIsNil)
	clock.Set(to)
	syncThenAlarm(c, manager, clock, to.Add(after))
	clock.Advance(after)
}

// syncThenAlarm makes sure that the manager's loop has read the clock and
// set its alarm since the test last changed the clock, and checks that an
// alarm was requested for at. (The alarm it replaced stays pending on the
// fake clock.) The loop reads the clock in setAlarm, before it takes the
// next request: the first request can be answered before that reading,
// the second is taken only after it. One was not enough: WaitAlarmFor
// also counts an alarm requested, and fired, before, so the test could
// move the clock on before the manager had seen a step back, and the
// manager, seeing none, kept a wake that the test never reached.
func syncThenAlarm(c *gc.C, manager leadership.Manager, clock *clocktest.Clock, at time.Time) {
	for i := 0; i < 2; i++ {
		c.Assert(manager.BlockUntilLeadershipReleased("sync"), jc.ErrorIsNil)
	}
	c.Assert(clock.WaitAlarmFor(at, LongWait), jc.ErrorIsNil)
}

// centuriesBack is a step back of 300 years from the fake clock's start:
// more than a time.Duration counts (time.Time.Sub saturates at about 292
// years).
var centuriesBack = defaultClockStart.AddDate(-300, 0, 0)

// TestMaxSleepAfterCenturiesBack: a step back of 300 years moves the
// MaxSleep wake back by exactly the step, not by the 292 years Sub would
// measure (which put the wake off by 8 years).
func (s *ClockBackSuite) TestMaxSleepAfterCenturiesBack(c *gc.C) {
	fix := &fixture{
		maxSleep:    time.Minute,
		expectCalls: []call{{method: "Refresh"}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		stepBackAtAlarm(c, manager, clock, time.Minute, centuriesBack, time.Minute)
		c.Assert(clock.WaitAlarmFor(centuriesBack.Add(2*time.Minute), LongWait), jc.ErrorIsNil)
	})
}

// TestBackOffAfterCenturiesBack: so does a back-off.
func (s *ClockBackSuite) TestBackOffAfterCenturiesBack(c *gc.C) {
	fix := contendedExpiry()
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		stepBackAtAlarm(c, manager, clock, 50*time.Millisecond, centuriesBack, 50*time.Millisecond)
		c.Assert(clock.WaitAlarmFor(centuriesBack.Add(50*time.Millisecond+time.Hour), LongWait), jc.ErrorIsNil)
	})
}
