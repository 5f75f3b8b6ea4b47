package releasetest

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
)

// This file is the package's one reader of real time (the Makefile's
// WALLCLOCK_FILES): LongWait as a failure deadline, ShortWait as the
// window of a "must not happen" check.

// deadline returns a channel that receives once LongWait has passed.
func deadline() <-chan time.Time {
	return time.After(LongWait)
}

// notWithin fails the test with failure if ch receives, or is closed,
// within ShortWait.
func notWithin[T any](c *gc.C, ch <-chan T, failure string) {
	select {
	case v, ok := <-ch:
		c.Fatalf("%s: %+v (open: %v)", failure, v, ok)
	case <-time.After(ShortWait):
	}
}

// receive returns the first value sent on ch, or fails the test with
// failure (what did not happen) if none comes within LongWait.
func receive[T any](c *gc.C, ch <-chan T, failure string) T {
	v, _ := receiveOpen(c, ch, failure)
	return v
}

// receiveOpen is receive, which also returns false if ch was closed.
func receiveOpen[T any](c *gc.C, ch <-chan T, failure string) (T, bool) {
	select {
	case v, ok := <-ch:
		return v, ok
	case <-deadline():
		c.Fatalf("%s (waited %v)", failure, LongWait)
	}
	panic("unreachable")
}

// answer waits up to LongWait for the ticket, failing the test with
// failure if it is not answered, and returns its answer.
func answer(c *gc.C, tk leadership.Ticket, failure string) bool {
	receive(c, tk.Ready(), failure)
	return tk.Wait()
}

// waitBlocked waits until the manager has taken a block on the service:
// the first read of its lease after the event that after accepts (nil:
// any), which the manager makes as it takes the block, followed by a
// round trip through the manager's loop, which it answers only once it
// has recorded the waiter.
func waitBlocked(c *gc.C, m leadership.Manager, events <-chan leadership.Event, service string, after func(leadership.Event) bool) {
	isRead := func(e leadership.Event) bool {
		return e.Kind == leadership.EventRefresh && e.Call == leadership.CallRefreshLease && e.Service == service
	}
	if after != nil {
		waitEvent(c, events, after)
	}
	waitEvent(c, events, isRead)
	_, err := m.CheckLeadership(service, service+"/99")
	c.Assert(err, gc.NotNil)
}

// waitEvent returns the first event that want accepts, dropping those
// before it; it fails the test if none comes within LongWait.
func waitEvent(c *gc.C, events <-chan leadership.Event, want func(leadership.Event) bool) leadership.Event {
	timeout := deadline()
	for {
		select {
		case e := <-events:
			if want(e) {
				return e
			}
		case <-timeout:
			c.Fatalf("event never came")
		}
	}
}

// claimDenied accepts the event of a claim of unit's denied.
func claimDenied(unit string) func(leadership.Event) bool {
	return func(e leadership.Event) bool {
		return e.Kind == leadership.EventClaim && e.Unit == unit && e.Result == leadership.ResultDenied
	}
}

// blockedAcross starts a wait on b for redis's release, waits until b has
// taken it (see waitBlocked), and returns the channel its answer comes
// on.
func blockedAcross(c *gc.C, b leadership.Manager, eventsB <-chan leadership.Event) <-chan error {
	released := make(chan error, 1)
	go func() { released <- b.BlockUntilLeadershipReleased("redis") }()
	waitBlocked(c, b, eventsB, "redis", nil)
	return released
}

// readsUntilWake returns the store reads ("Call service", or "Call" for
// one without a service) of the manager's next wake, in order: those
// since the last event of another kind (an answered call, whose reads
// come before it).
func readsUntilWake(c *gc.C, events <-chan leadership.Event) []string {
	var reads []string
	timeout := deadline()
	for {
		select {
		case e := <-events:
			switch e.Kind {
			case leadership.EventRefresh:
				read := string(e.Call)
				if e.Service != "" {
					read += " " + e.Service
				}
				reads = append(reads, read)
			case leadership.EventWake:
				return reads
			default:
				reads = nil
			}
		case <-timeout:
			c.Fatalf("no wake; reads so far: %v", reads)
		}
	}
}

// checkLeaders checks that m reports want as the leaders.
func checkLeaders(c *gc.C, m leadership.Manager, want map[string]string) {
	leaders, err := m.(leadership.LeaderReader).Leaders()
	c.Assert(err, jc.ErrorIsNil)
	c.Check(leaders, jc.DeepEquals, want)
}
