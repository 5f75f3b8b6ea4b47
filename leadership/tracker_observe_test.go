package leadership_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// TrackerObserveSuite checks what an observed tracker reports and logs.
type TrackerObserveSuite struct {
	observeFixture
}

var _ = gc.Suite(&TrackerObserveSuite{})

// observedTracker is a tracker with a recording Observer and Logger.
type observedTracker struct {
	leadership.Tracker
	observation
}

// startObservedTracker starts an observed tracker of unit, of redis, on
// manager.
func (f *observeFixture) startObservedTracker(c *gc.C, manager leadership.Manager, clock *clocktest.Clock, unit string) *observedTracker {
	ot := &observedTracker{observation: newObservation(slog.LevelDebug)}
	config := trackerConfig(manager, clock, unit, time.Minute)
	config.Observer, config.Logger = ot.events, slog.New(ot.logs)
	tracker, err := leadership.NewTracker(config)
	if err != nil {
		c.Fatal(err)
	}
	ot.Tracker = tracker
	f.addCleanup(func(*gc.C) {
		tracker.Kill()
		tracker.Wait()
	})
	return ot
}

// waitLeading waits until the tracker has reported n leader/minion
// changes, and checks that the last is want.
func (ot *observedTracker) waitLeading(c *gc.C, n int, want leadership.Result) {
	count := 0
	_, ok := ot.events.WaitFor(func(e leadership.Event) bool {
		if e.Kind == leadership.EventLeading {
			count++
		}
		return count == n
	}, LongWait)
	if !ok {
		c.Fatalf("no %d leading events within %v: %+v", n, LongWait, ot.events.Events())
	}
	leading := ot.events.Match(func(e leadership.Event) bool { return e.Kind == leadership.EventLeading })
	checkEvent(c, leading[n-1], leadership.Event{Kind: leadership.EventLeading, Result: want,
		Service: "redis", Unit: leading[n-1].Unit, FromTracker: true})
}

func (s *TrackerObserveSuite) TestObserveTracker(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	manager := s.startManager(c, storeConfig(clock))
	leader := s.startObservedTracker(c, manager, clock, "redis/0")
	leader.waitLeading(c, 1, leadership.ResultLeader)
	minion := s.startObservedTracker(c, manager, clock, "redis/1")
	minion.waitLeading(c, 1, leadership.ResultMinion)

	// The leader stops: it revokes, and the minion takes over.
	leader.Kill()
	if err := leader.Wait(); err != nil {
		c.Fatal(err)
	}
	minion.waitLeading(c, 2, leadership.ResultLeader)
	events := leader.events.Events()
	if len(events) != 3 {
		c.Fatalf("want leader, minion, stop; got %+v", events)
	}
	checkEvent(c, events[1], leadership.Event{Kind: leadership.EventLeading, Result: leadership.ResultMinion,
		Service: "redis", Unit: "redis/0", FromTracker: true})
	checkEvent(c, events[2], leadership.Event{Kind: leadership.EventStop, Service: "redis", Unit: "redis/0", FromTracker: true})
	if events[2].At.IsZero() {
		c.Errorf("stop event without At")
	}
	checkLog(c, leader.logs, slog.LevelInfo, leadership.LogBecameLeader, map[string]interface{}{"service": "redis", "unit": "redis/0"})
	checkLog(c, leader.logs, slog.LevelInfo, leadership.LogBecameMinion, map[string]interface{}{"service": "redis", "unit": "redis/0"})
	checkLog(c, leader.logs, slog.LevelInfo, leadership.LogTrackerStopped, map[string]interface{}{"unit": "redis/0"})

	// The manager stops under the remaining tracker: at its renewal, half
	// a term after its claim, it stops with ErrStopped, logged as an
	// error.
	manager.Kill()
	advanceToAlarm(c, clock, 30*time.Second)
	if err := minion.Wait(); !errors.Is(err, leadership.ErrStopped) {
		c.Fatalf("got %v, want ErrStopped", err)
	}
	stops := minion.events.Match(func(e leadership.Event) bool { return e.Kind == leadership.EventStop })
	if len(stops) != 1 || !errors.Is(stops[0].Err, leadership.ErrStopped) {
		c.Fatalf("want one stop event with ErrStopped, got %+v", stops)
	}
	minion.waitLeading(c, 3, leadership.ResultMinion)
	// A tracker logs each change after reporting it: only once the
	// tracker has stopped are its lines all there.
	checkLog(c, minion.logs, slog.LevelInfo, leadership.LogBecameLeader, map[string]interface{}{"unit": "redis/1"})
	lines := minion.logs.Find(string(leadership.LogTrackerStopped))
	if len(lines) != 1 || lines[0].Level != slog.LevelError {
		c.Errorf("want one error-level stop line, got %v", lines)
	}
}

func (s *TrackerObserveSuite) TestTrackerObserverValidation(c *gc.C) {
	var nilFunc leadership.ObserverFunc
	err := leadership.TrackerConfig{
		Manager:     newStubManager(),
		ServiceName: "redis",
		UnitName:    "redis/0",
		Duration:    time.Minute,
		Clock:       clocktest.NewClock(defaultClockStart),
		Observer:    nilFunc,
	}.Validate()
	if err == nil || err.Error() != "invalid Observer: nil leadership.ObserverFunc" {
		c.Errorf("got %v, want the nil ObserverFunc refused", err)
	}
}

// failFirstClaim is a Manager whose first claim fails with contention.
type failFirstClaim struct {
	leadership.Manager
	failed atomic.Bool
}

func (m *failFirstClaim) ClaimLeadership(service, unit string, duration time.Duration) error {
	if !m.failed.Swap(true) {
		return lease.ErrExcessiveContention
	}
	return m.Manager.ClaimLeadership(service, unit, duration)
}

func (s *TrackerObserveSuite) TestObserveTrackerRetry(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	manager := s.startManager(c, storeConfig(clock))
	ot := s.startObservedTracker(c, &failFirstClaim{Manager: manager}, clock, "redis/0")
	// The retry comes Duration/16 after the failure.
	if err := clock.WaitAlarmFor(offset(time.Minute/16), LongWait); err != nil {
		c.Fatal(err)
	}
	checkLog(c, ot.logs, slog.LevelWarn, leadership.LogCallRetrying, map[string]interface{}{
		"service": "redis", "unit": "redis/0", "retry": time.Minute / 16, "error": lease.ErrExcessiveContention.Error(),
	})
	// A failed first claim decides the tracker: a minion, until the retry.
	ot.waitLeading(c, 1, leadership.ResultMinion)
	clock.Advance(time.Minute / 16)
	ot.waitLeading(c, 2, leadership.ResultLeader)
}

// TestObserveTrackerKilledWaiting: a minion killed while it waits for a
// release reports only its stop (it was never leader), and the manager
// reports the wait given up, as an EventBlock error with the context's
// error, logged at no level (it is normal operation).
func (s *TrackerObserveSuite) TestObserveTrackerKilledWaiting(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	obs := newObservation(slog.LevelInfo)
	events, logs := obs.events, obs.logs
	manager := s.startManager(c, obs.observe(storeConfig(clock)))
	leader := s.startObservedTracker(c, manager, clock, "redis/0")
	leader.waitLeading(c, 1, leadership.ResultLeader)
	minion := s.startObservedTracker(c, manager, clock, "redis/1")
	minion.waitLeading(c, 1, leadership.ResultMinion)
	// The minion's wait reaches the manager after its denied claim: the
	// manager reads the lease for it, its second RefreshLease (the
	// first was the denial's).
	reads := 0
	blocked := func(e leadership.Event) bool {
		if e.Kind == leadership.EventRefresh && e.Call == leadership.CallRefreshLease {
			reads++
		}
		return reads == 2
	}
	if _, ok := events.WaitFor(blocked, LongWait); !ok {
		c.Fatalf("the minion's wait did not reach the manager: %+v", events.Events())
	}

	minion.Kill()
	if err := minion.Wait(); err != nil {
		c.Fatal(err)
	}
	got := minion.events.Events()
	if len(got) != 2 {
		c.Fatalf("want minion, stop; got %+v", got)
	}
	checkEvent(c, got[1], leadership.Event{Kind: leadership.EventStop, Service: "redis", Unit: "redis/1", FromTracker: true})
	given, ok := events.WaitFor(func(e leadership.Event) bool { return e.Kind == leadership.EventBlock }, LongWait)
	if !ok {
		c.Fatalf("no block event: %+v", events.Events())
	}
	checkEvent(c, given, leadership.Event{Kind: leadership.EventBlock, Result: leadership.ResultError,
		Service: "redis", Known: 1, Held: 1, Err: context.Canceled})
	if lines := logs.Records(); len(lines) != 0 {
		c.Errorf("manager logged at info or above: %v", lines)
	}
}
