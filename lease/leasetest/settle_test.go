package leasetest_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease/leasetest"
)

type SettleSuite struct{}

var _ = gc.Suite(&SettleSuite{})

func (s *SettleSuite) TestNothingTrackedIsSettled(c *gc.C) {
	clock := leasetest.NewClock(start)
	c.Check(clock.Settle(longWait), jc.ErrorIsNil)
}

func (s *SettleSuite) TestBusyActivityIsNotSettled(c *gc.C) {
	clock := leasetest.NewClock(start)
	a := clock.Track("worker one")
	err := clock.Settle(shortWait)
	c.Check(err, gc.ErrorMatches, `leasetest: timed out after 50ms: everything on the clock to settle; not settled: worker one: running; now .*`)
	a.Done()
	c.Check(clock.Settle(longWait), jc.ErrorIsNil)
}

func (s *SettleSuite) TestIdleOnPendingAlarmIsSettled(c *gc.C) {
	clock := leasetest.NewClock(start)
	a := clock.Track("loop")
	alarm := clock.Alarm(start.Add(time.Second))
	a.Idle(alarm, nil, nil)
	c.Check(clock.Settle(longWait), jc.ErrorIsNil)

	// Once its alarm has fired, the loop is about to run: not settled
	// until it says it runs and waits again.
	clock.Advance(time.Second)
	c.Check(clock.Settle(shortWait), gc.ErrorMatches, `.*not settled: loop: its alarm has fired; .*`)
	<-alarm
	a.Busy()
	c.Check(clock.Settle(shortWait), gc.ErrorMatches, `.*not settled: loop: running; .*`)
	a.Idle(nil, nil, nil)
	c.Check(clock.Settle(longWait), jc.ErrorIsNil)
}

func (s *SettleSuite) TestAlarmFiredAtRequestIsNotSettled(c *gc.C) {
	clock := leasetest.NewClock(start)
	a := clock.Track("loop")
	a.Idle(clock.Alarm(start), nil, nil)
	c.Check(clock.Settle(shortWait), gc.ErrorMatches, `.*loop: its alarm has fired; .*`)
}

func (s *SettleSuite) TestClosedChannelsAreNotSettled(c *gc.C) {
	clock := leasetest.NewClock(start)
	stop, wake := make(chan struct{}), make(chan struct{})
	a := clock.Track("loop")
	a.Idle(nil, stop, wake)
	c.Check(clock.Settle(longWait), jc.ErrorIsNil)
	close(wake)
	c.Check(clock.Settle(shortWait), gc.ErrorMatches, `.*loop: woken; .*`)
	a.Idle(nil, stop, nil)
	c.Check(clock.Settle(longWait), jc.ErrorIsNil)
	close(stop)
	c.Check(clock.Settle(shortWait), gc.ErrorMatches, `.*loop: told to stop; .*`)
	a.Done()
	a.Busy() // after Done: nothing
	c.Check(clock.Settle(longWait), jc.ErrorIsNil)
}

func (s *SettleSuite) TestSettleWaitsForTheLastChange(c *gc.C) {
	clock := leasetest.NewClock(start)
	a := clock.Track("loop")
	settled := make(chan error, 1)
	go func() { settled <- clock.Settle(longWait) }()
	select {
	case err := <-settled:
		c.Fatalf("settled while busy: %v", err)
	case <-time.After(shortWait):
	}
	a.Idle(nil, nil, nil)
	select {
	case err := <-settled:
		c.Check(err, jc.ErrorIsNil)
	case <-time.After(longWait):
		c.Fatalf("not settled once idle")
	}
}

// ticker is a loop on the clock that records the clock's reading each time
// its alarm fires, and sets the next one every period, reporting its work.
func ticker(clock *leasetest.Clock, period time.Duration, stop chan struct{}) <-chan []time.Time {
	a := clock.Track("ticker")
	out := make(chan []time.Time, 1)
	go func() {
		defer a.Done()
		var seen []time.Time
		alarm := clock.Alarm(clock.Now().Add(period))
		for {
			a.Idle(alarm, stop, nil)
			select {
			case <-stop:
				a.Busy()
				out <- seen
				return
			case <-alarm:
				a.Busy()
				now := clock.Now()
				seen = append(seen, now)
				alarm = clock.Alarm(now.Add(period))
			}
		}
	}()
	return out
}

func (s *SettleSuite) TestAdvanceSettledFiresEachAlarmAtItsTime(c *gc.C) {
	clock := leasetest.NewClock(start)
	stop := make(chan struct{})
	seen := ticker(clock, 10*time.Second, stop)
	c.Assert(clock.AdvanceSettled(35*time.Second, longWait), jc.ErrorIsNil)
	c.Check(clock.Now(), jc.DeepEquals, start.Add(35*time.Second))
	c.Assert(clock.AdvanceSettled(5*time.Second, longWait), jc.ErrorIsNil)
	close(stop)
	c.Check(<-seen, jc.DeepEquals, []time.Time{
		start.Add(10 * time.Second), start.Add(20 * time.Second),
		start.Add(30 * time.Second), start.Add(40 * time.Second),
	})
	c.Check(clock.Settle(longWait), jc.ErrorIsNil)
}

func (s *SettleSuite) TestAdvanceFiresAlarmsAtTheEndOnly(c *gc.C) {
	// The contrast: Advance fires every due alarm with the final time,
	// so a loop sees only one of them.
	clock := leasetest.NewClock(start)
	stop := make(chan struct{})
	seen := ticker(clock, 10*time.Second, stop)
	c.Assert(clock.Settle(longWait), jc.ErrorIsNil)
	clock.Advance(35 * time.Second)
	c.Assert(clock.Settle(longWait), jc.ErrorIsNil)
	close(stop)
	c.Check(<-seen, jc.DeepEquals, []time.Time{start.Add(35 * time.Second)})
}

func (s *SettleSuite) TestAdvanceSettledTimesOutOnBusy(c *gc.C) {
	clock := leasetest.NewClock(start)
	clock.Track("stuck")
	err := clock.AdvanceSettled(time.Second, shortWait)
	c.Check(err, gc.ErrorMatches, `.*not settled: stuck: running; .*`)
	c.Check(clock.Now(), jc.DeepEquals, start)
}

func (s *SettleSuite) TestAdvanceSettledNegativePanics(c *gc.C) {
	clock := leasetest.NewClock(start)
	c.Check(func() { clock.AdvanceSettled(-1, longWait) }, gc.PanicMatches,
		`leasetest: AdvanceSettled\(-1ns\): negative duration`)
}
