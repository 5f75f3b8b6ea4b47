package leasetest_test

import (
	"math"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease/leasetest"
)

const (
	// longWait is the deadline for something that must happen.
	longWait = 10 * time.Second
	// shortWait is how long to watch for something that must not happen.
	shortWait = 50 * time.Millisecond
)

type ClockSuite struct{}

var _ = gc.Suite(&ClockSuite{})

func fired(ch <-chan time.Time) (time.Time, bool) {
	select {
	case t := <-ch:
		return t, true
	default:
		return time.Time{}, false
	}
}

func (s *ClockSuite) TestNow(c *gc.C) {
	clock := leasetest.NewClock(start)
	c.Check(clock.Now(), jc.DeepEquals, start)
	clock.Advance(time.Second)
	c.Check(clock.Now(), jc.DeepEquals, start.Add(time.Second))
}

func (s *ClockSuite) TestAlarmNotAfterNowFiresAtOnce(c *gc.C) {
	clock := leasetest.NewClock(start)
	for _, at := range []time.Time{start, start.Add(-time.Hour)} {
		t, ok := fired(clock.Alarm(at))
		c.Check(ok, jc.IsTrue)
		c.Check(t, jc.DeepEquals, start)
	}
	c.Check(clock.Alarms(), gc.HasLen, 0)
}

func (s *ClockSuite) TestAdvanceFiresDueAlarmsInOrder(c *gc.C) {
	clock := leasetest.NewClock(start)
	late := clock.Alarm(start.Add(3 * time.Second))
	early := clock.Alarm(start.Add(time.Second))
	exact := clock.Alarm(start.Add(2 * time.Second))
	c.Check(clock.Alarms(), jc.DeepEquals, []time.Time{
		start.Add(time.Second), start.Add(2 * time.Second), start.Add(3 * time.Second),
	})

	clock.Advance(2*time.Second - 1)
	_, ok := fired(exact)
	c.Check(ok, jc.IsFalse)
	t, ok := fired(early)
	c.Check(ok, jc.IsTrue)
	c.Check(t, jc.DeepEquals, start.Add(2*time.Second-1))

	clock.Advance(1)
	_, ok = fired(exact)
	c.Check(ok, jc.IsTrue)
	_, ok = fired(late)
	c.Check(ok, jc.IsFalse)
	c.Check(clock.Alarms(), jc.DeepEquals, []time.Time{start.Add(3 * time.Second)})
}

func (s *ClockSuite) TestAdvanceNegativePanics(c *gc.C) {
	clock := leasetest.NewClock(start)
	c.Check(func() { clock.Advance(-1) }, gc.PanicMatches, `leasetest: Advance\(-1ns\): negative duration`)
}

func (s *ClockSuite) TestSetBackwardsKeepsAlarms(c *gc.C) {
	clock := leasetest.NewClock(start)
	ch := clock.Alarm(start.Add(time.Second))
	clock.Set(start.Add(-time.Hour))
	c.Check(clock.Now(), jc.DeepEquals, start.Add(-time.Hour))
	_, ok := fired(ch)
	c.Check(ok, jc.IsFalse)
	clock.Set(start.Add(time.Second))
	_, ok = fired(ch)
	c.Check(ok, jc.IsTrue)
}

func (s *ClockSuite) TestWaitAlarms(c *gc.C) {
	clock := leasetest.NewClock(start)
	done := make(chan error, 1)
	go func() { done <- clock.WaitAlarms(2, longWait) }()
	clock.Alarm(start.Add(time.Second))
	select {
	case err := <-done:
		c.Fatalf("WaitAlarms returned %v with one alarm pending", err)
	case <-time.After(shortWait):
	}
	clock.Alarm(start.Add(time.Minute))
	select {
	case err := <-done:
		c.Check(err, jc.ErrorIsNil)
	case <-time.After(longWait):
		c.Fatalf("WaitAlarms did not return")
	}
}

func (s *ClockSuite) TestWaitAlarmsTimeoutNamesPendingAlarms(c *gc.C) {
	clock := leasetest.NewClock(start)
	clock.Alarm(start.Add(time.Second))
	err := clock.WaitAlarms(2, time.Millisecond)
	c.Check(err, gc.ErrorMatches, `leasetest: timed out after 1ms: 2 pending alarms wanted; `+
		`now 2073-03-03T01:00:00.000000005-08:40; pending alarms: 2073-03-03T01:00:01.000000005-08:40`)
}

func (s *ClockSuite) TestWaitAlarmForSeesFiredAlarms(c *gc.C) {
	clock := leasetest.NewClock(start)
	clock.Alarm(start.Add(-time.Second))
	c.Check(clock.WaitAlarmFor(start.Add(-time.Second), longWait), jc.ErrorIsNil)
	err := clock.WaitAlarmFor(start.Add(time.Second), time.Millisecond)
	c.Check(err, gc.ErrorMatches, `leasetest: timed out after 1ms: an alarm for 2073-03-03T01:00:01.000000005-08:40 wanted; .*pending alarms: none`)
}

// TestWaitAlarmForOutsideUnixNano: alarms are told apart even where
// UnixNano overflows: an alarm a nanosecond after 2262-04-11T23:47:16.854775807Z
// is not one at 1677-09-21T00:12:43.145224192Z.
func (s *ClockSuite) TestWaitAlarmForOutsideUnixNano(c *gc.C) {
	clock := leasetest.NewClock(start)
	late := time.Unix(0, math.MaxInt64).Add(time.Nanosecond)
	clock.Alarm(late)
	c.Check(clock.WaitAlarmFor(late, longWait), jc.ErrorIsNil)
	err := clock.WaitAlarmFor(time.Unix(0, math.MinInt64), time.Millisecond)
	c.Check(err, gc.ErrorMatches, `leasetest: timed out after 1ms: an alarm for 1677-09-21T.* wanted; .*`)
}

// The monotonic time moves with Advance and with Set forward, not with a
// step back; a monotonic alarm fires after as much Advance as when it was
// set, whatever steps back come in between.
func (s *ClockSuite) TestMonotonicIgnoresStepsBack(c *gc.C) {
	clock := leasetest.NewClock(start)
	c.Check(clock.Monotonic().Equal(start), jc.IsTrue)
	alarm := clock.MonotonicAlarm(start.Add(30 * time.Second))
	wall := clock.Alarm(start.Add(30 * time.Second))
	c.Assert(clock.WaitAlarmFor(start.Add(30*time.Second), longWait), jc.ErrorIsNil)
	clock.Advance(10 * time.Second)
	clock.Set(start.Add(-time.Hour))
	c.Check(clock.Monotonic().Equal(start.Add(10*time.Second)), jc.IsTrue)
	// The monotonic alarm now fires when Now reads -1h+20s; the other at
	// 30s, as before.
	c.Check(clock.Alarms(), jc.DeepEquals, []time.Time{start.Add(-time.Hour + 20*time.Second), start.Add(30 * time.Second)})
	clock.Advance(20*time.Second - time.Nanosecond)
	_, ok := fired(alarm)
	c.Check(ok, jc.IsFalse)
	clock.Advance(time.Nanosecond)
	t, ok := fired(alarm)
	c.Check(ok, jc.IsTrue)
	c.Check(t.Equal(start.Add(-time.Hour+20*time.Second)), jc.IsTrue)
	_, ok = fired(wall)
	c.Check(ok, jc.IsFalse)
	// Set forward counts as time passing.
	clock.Set(start.Add(time.Hour))
	c.Check(clock.Monotonic().Equal(start.Add(2*time.Hour+10*time.Second)), jc.IsTrue)
	_, ok = fired(wall)
	c.Check(ok, jc.IsTrue)
}

// A step back of more than a time.Duration counts (about 292 years) moves
// a monotonic alarm back by exactly the step.
func (s *ClockSuite) TestMonotonicAlarmAfterCenturiesBack(c *gc.C) {
	clock := leasetest.NewClock(start)
	alarm := clock.MonotonicAlarm(start.Add(time.Minute))
	back := start.AddDate(-300, 0, 0)
	clock.Set(back)
	c.Check(clock.Alarms(), jc.DeepEquals, []time.Time{back.Add(time.Minute)})
	clock.Advance(time.Minute - time.Nanosecond)
	_, ok := fired(alarm)
	c.Check(ok, jc.IsFalse)
	clock.Advance(time.Nanosecond)
	_, ok = fired(alarm)
	c.Check(ok, jc.IsTrue)
	// Set forward counts, exactly, as time passing.
	clock.Set(start)
	mono := clock.Monotonic()
	c.Check(mono.Unix()-start.Unix(), gc.Equals, start.Unix()-back.Unix())
	c.Check(mono.Nanosecond(), gc.Equals, start.Nanosecond())
}
