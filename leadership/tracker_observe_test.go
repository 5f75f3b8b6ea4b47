package leadership_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// observedTracker is a tracker with a recording Observer and Logger.
type observedTracker struct {
	leadership.Tracker
	observation
}

// startObservedTracker starts an observed tracker of unit, of redis, on
// manager.
func startObservedTracker(t *testing.T, manager leadership.Manager, clock *clocktest.Clock, unit string) *observedTracker {
	t.Helper()
	ot := &observedTracker{observation: newObservation(slog.LevelDebug)}
	tracker, err := leadership.NewTracker(leadership.TrackerConfig{
		Manager:     manager,
		ServiceName: "redis",
		UnitName:    unit,
		Duration:    time.Minute,
		Clock:       clock,
		Observer:    ot.events,
		Logger:      slog.New(ot.logs),
	})
	if err != nil {
		t.Fatal(err)
	}
	ot.Tracker = tracker
	t.Cleanup(func() {
		tracker.Kill()
		tracker.Wait()
	})
	return ot
}

// waitLeading waits until the tracker has reported n leader/minion
// changes, and checks that the last is want.
func (ot *observedTracker) waitLeading(t *testing.T, n int, want leadership.Result) {
	t.Helper()
	count := 0
	_, ok := ot.events.WaitFor(func(e leadership.Event) bool {
		if e.Kind == leadership.EventLeading {
			count++
		}
		return count == n
	}, LongWait)
	if !ok {
		t.Fatalf("no %d leading events within %v: %+v", n, LongWait, ot.events.Events())
	}
	leading := ot.events.Match(func(e leadership.Event) bool { return e.Kind == leadership.EventLeading })
	checkEvent(t, leading[n-1], leadership.Event{Kind: leadership.EventLeading, Result: want,
		Service: "redis", Unit: leading[n-1].Unit, FromTracker: true})
}

func TestObserveTracker(t *testing.T) {
	clock := clocktest.NewClock(defaultClockStart)
	manager := startManager(t, storeConfig(clock))
	leader := startObservedTracker(t, manager, clock, "redis/0")
	leader.waitLeading(t, 1, leadership.ResultLeader)
	minion := startObservedTracker(t, manager, clock, "redis/1")
	minion.waitLeading(t, 1, leadership.ResultMinion)

	// The leader stops: it revokes, and the minion takes over.
	leader.Kill()
	if err := leader.Wait(); err != nil {
		t.Fatal(err)
	}
	minion.waitLeading(t, 2, leadership.ResultLeader)
	events := leader.events.Events()
	if len(events) != 3 {
		t.Fatalf("want leader, minion, stop; got %+v", events)
	}
	checkEvent(t, events[1], leadership.Event{Kind: leadership.EventLeading, Result: leadership.ResultMinion,
		Service: "redis", Unit: "redis/0", FromTracker: true})
	checkEvent(t, events[2], leadership.Event{Kind: leadership.EventStop, Service: "redis", Unit: "redis/0", FromTracker: true})
	if events[2].At.IsZero() {
		t.Errorf("stop event without At")
	}
	checkLog(t, leader.logs, slog.LevelInfo, leadership.LogBecameLeader, map[string]interface{}{"service": "redis", "unit": "redis/0"})
	checkLog(t, leader.logs, slog.LevelInfo, leadership.LogBecameMinion, map[string]interface{}{"service": "redis", "unit": "redis/0"})
	checkLog(t, leader.logs, slog.LevelInfo, leadership.LogTrackerStopped, map[string]interface{}{"unit": "redis/0"})

	// The manager stops under the remaining tracker: at its renewal, half
	// a term after its claim, it stops with ErrStopped, logged as an
	// error.
	manager.Kill()
	advanceToAlarm(t, clock, 30*time.Second)
	if err := minion.Wait(); !errors.Is(err, leadership.ErrStopped) {
		t.Fatalf("got %v, want ErrStopped", err)
	}
	stops := minion.events.Match(func(e leadership.Event) bool { return e.Kind == leadership.EventStop })
	if len(stops) != 1 || !errors.Is(stops[0].Err, leadership.ErrStopped) {
		t.Fatalf("want one stop event with ErrStopped, got %+v", stops)
	}
	minion.waitLeading(t, 3, leadership.ResultMinion)
	// A tracker logs each change after reporting it: only once the
	// tracker has stopped are its lines all there.
	checkLog(t, minion.logs, slog.LevelInfo, leadership.LogBecameLeader, map[string]interface{}{"unit": "redis/1"})
	lines := minion.logs.Find(string(leadership.LogTrackerStopped))
	if len(lines) != 1 || lines[0].Level != slog.LevelError {
		t.Errorf("want one error-level stop line, got %v", lines)
	}
}

func TestTrackerObserverValidation(t *testing.T) {
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
		t.Errorf("got %v, want the nil ObserverFunc refused", err)
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

func TestObserveTrackerRetry(t *testing.T) {
	clock := clocktest.NewClock(defaultClockStart)
	manager := startManager(t, storeConfig(clock))
	ot := startObservedTracker(t, &failFirstClaim{Manager: manager}, clock, "redis/0")
	// The retry comes Duration/16 after the failure.
	if err := clock.WaitAlarmFor(offset(time.Minute/16), LongWait); err != nil {
		t.Fatal(err)
	}
	checkLog(t, ot.logs, slog.LevelWarn, leadership.LogCallRetrying, map[string]interface{}{
		"service": "redis", "unit": "redis/0", "retry": time.Minute / 16, "error": lease.ErrExcessiveContention.Error(),
	})
	// A failed first claim decides the tracker: a minion, until the retry.
	ot.waitLeading(t, 1, leadership.ResultMinion)
	clock.Advance(time.Minute / 16)
	ot.waitLeading(t, 2, leadership.ResultLeader)
}

// TestObserveTrackerKilledWaiting: a minion killed while it waits for a
// release reports only its stop (it was never leader), and the manager
// reports the wait given up, as an EventBlock error with the context's
// error, logged at no level (it is normal operation).
func TestObserveTrackerKilledWaiting(t *testing.T) {
	clock := clocktest.NewClock(defaultClockStart)
	obs := newObservation(slog.LevelInfo)
	events, logs := obs.events, obs.logs
	manager := startManager(t, obs.observe(storeConfig(clock)))
	leader := startObservedTracker(t, manager, clock, "redis/0")
	leader.waitLeading(t, 1, leadership.ResultLeader)
	minion := startObservedTracker(t, manager, clock, "redis/1")
	minion.waitLeading(t, 1, leadership.ResultMinion)
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
		t.Fatalf("the minion's wait did not reach the manager: %+v", events.Events())
	}

	minion.Kill()
	if err := minion.Wait(); err != nil {
		t.Fatal(err)
	}
	got := minion.events.Events()
	if len(got) != 2 {
		t.Fatalf("want minion, stop; got %+v", got)
	}
	checkEvent(t, got[1], leadership.Event{Kind: leadership.EventStop, Service: "redis", Unit: "redis/1", FromTracker: true})
	given, ok := events.WaitFor(func(e leadership.Event) bool { return e.Kind == leadership.EventBlock }, LongWait)
	if !ok {
		t.Fatalf("no block event: %+v", events.Events())
	}
	checkEvent(t, given, leadership.Event{Kind: leadership.EventBlock, Result: leadership.ResultError,
		Service: "redis", Known: 1, Held: 1, Err: context.Canceled})
	if lines := logs.Records(); len(lines) != 0 {
		t.Errorf("manager logged at info or above: %v", lines)
	}
}
