package bench_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// partsFreshEvery is how many handovers (two transactions each, and a
// tracker's first claim, denied) run on one embedded server before
// BenchmarkHandoverParts, untimed, starts a fresh one.
const partsFreshEvery = 10

// BenchmarkHandoverParts times, on the real clock and mongotest, a
// graceful handover across controllers between two units' trackers, with
// the managers' default configuration (ManagerConfig{Client, Clock,
// Observer}: ClockPoll 200ms, MaxSleep one minute) and trackers of one
// minute: from the leading tracker's Kill, on controller c0, until the
// tracker waiting on controller c1 says it leads (its WaitLeader). The
// next handover goes back the other way. It reports the p50 and p99 of
// the whole (handover-*) and of its parts, from the managers' events, in
// milliseconds:
//
//   - revoke: Kill until c0 has revoked (its EventRevoke: one mgo/txn
//     transaction, after a read of the lease if c0's copy may be stale);
//   - poll-wait: the revoke's end until c1's next poll begins (its
//     RefreshClocks): up to ClockPoll;
//   - poll: that poll until c1 releases the waiter (its EventBlock): the
//     read of the clocks and the count of releases, then of the lease;
//   - to-claim: the release until c1 takes the waiter's claim (the
//     tracker's reaction, and c1's loop being busy);
//   - claim: c1's claim (EventClaim: one mgo/txn transaction);
//   - to-leader: the claim's answer until the tracker says it leads.
//
// Every partsFreshEvery handovers, untimed, it starts again on a fresh
// server. Run it with -benchtime 100x or more, so that p99 means
// something.
func BenchmarkHandoverParts(b *testing.B) {
	parts := map[string][]time.Duration{}
	var env *partsEnv
	runHandovers(b, partsFreshEvery, func() *trackerPair {
		env = startPartsEnv(b)
		return &env.trackerPair
	}, func() { env.handover(b, parts) })
	for _, part := range []string{"handover", "revoke", "poll-wait", "poll", "to-claim", "claim", "to-leader"} {
		reportP50P99(b, part, parts[part])
	}
}

// reportP50P99 reports the median and the p99 (nearest rank) of ds, in
// milliseconds, as what-p50-ms and what-p99-ms.
func reportP50P99(b *testing.B, what string, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	at := quantilesMs(ds)
	b.ReportMetric(at(0.5), what+"-p50-ms")
	b.ReportMetric(at(0.99), what+"-p99-ms")
}

// partsEnv is two controllers over one fresh server, each with one unit's
// tracker: one unit leads, the other waits.
type partsEnv struct {
	trackerPair
	events [2]*eventLog
}

func startPartsEnv(b *testing.B) *partsEnv {
	env := &partsEnv{trackerPair: trackerPair{db: startDB(b)}}
	clock := lease.SystemClock{}
	for i := range env.managers {
		env.events[i] = &eventLog{}
		m, err := leadership.NewManager(leadership.ManagerConfig{
			Client:   env.db.newClientAs(b, fmt.Sprintf("controller-%d", i), clock),
			Clock:    clock,
			Observer: env.events[i],
		})
		check(b, err)
		env.managers[i] = m
	}
	env.startTrackers(b, env.startTracker)
	return env
}

// startTracker starts unit i's tracker on controller i, and waits, unless
// it is to lead, until it knows that it does not, and c1 holds its wait.
func (env *partsEnv) startTracker(b *testing.B, i int) {
	env.events[i].reset()
	env.newTracker(b, i, time.Minute)
	if i == env.leader {
		return
	}
	// The wait for the release follows the denial; once the manager
	// has taken it in (its read of the lease), the waiter is blocked.
	deadline := time.Now().Add(time.Minute)
	for !env.events[i].blockedAfterDenial() {
		if time.Now().After(deadline) {
			b.Fatal("the waiter never blocked")
		}
		time.Sleep(time.Millisecond)
	}
	// A round trip through the loop: the wait is recorded.
	if _, err := env.managers[i].CheckLeadership("redis", fmt.Sprintf("redis/%d", i)); err == nil {
		b.Fatal("the waiter leads already")
	}
}

// handover kills the leader's tracker and waits until the other's leads,
// then, untimed, works out the parts and starts the old leader's tracker
// again as the waiter.
func (env *partsEnv) handover(b *testing.B, parts map[string][]time.Duration) {
	old, next := env.leader, 1-env.leader
	env.events[old].reset()
	env.events[next].reset()
	leading := env.trackers[next].WaitLeader()
	began := time.Now()
	env.trackers[old].Kill()
	if !leading.Wait() {
		b.Fatal("waiting tracker stopped")
	}
	led := time.Now()
	b.StopTimer()
	check(b, env.trackers[old].Wait())
	env.handovers++
	env.leader = next

	revoked, ok := env.events[old].last(func(e leadership.Event) bool {
		return e.Kind == leadership.EventRevoke && e.Result == leadership.ResultRevoked
	})
	released, ok2 := env.events[next].last(func(e leadership.Event) bool {
		return e.Kind == leadership.EventBlock && e.Result == leadership.ResultReleased
	})
	claimed, ok3 := env.events[next].last(func(e leadership.Event) bool {
		return e.Kind == leadership.EventClaim && e.Result == leadership.ResultGranted
	})
	polled, ok4 := env.events[next].lastBefore(released.At, func(e leadership.Event) bool {
		return e.Kind == leadership.EventRefresh && e.Call == "RefreshClocks"
	})
	if !ok || !ok2 || !ok3 || !ok4 {
		b.Fatalf("missing events: revoke %v, release %v, claim %v, poll %v", ok, ok2, ok3, ok4)
	}
	pollStart := polled.At.Add(-polled.Duration)
	claimStart := claimed.At.Add(-claimed.Duration)
	for part, d := range map[string]time.Duration{
		"handover":  led.Sub(began),
		"revoke":    revoked.At.Sub(began),
		"poll-wait": pollStart.Sub(revoked.At),
		"poll":      released.At.Sub(pollStart),
		"to-claim":  claimStart.Sub(released.At),
		"claim":     claimed.Duration,
		"to-leader": led.Sub(claimed.At),
	} {
		parts[part] = append(parts[part], d)
	}
	env.startTracker(b, old)
	b.StartTimer()
}

// eventLog is a manager's Observer that keeps its events.
type eventLog struct {
	mu     sync.Mutex
	events []leadership.Event
}

// Observe is part of the leadership.Observer interface.
func (l *eventLog) Observe(e leadership.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = nil
}

// blockedAfterDenial reports whether the log holds a denied claim and,
// after it, a read of one lease: the wait's.
func (l *eventLog) blockedAfterDenial() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	denied := false
	for _, e := range l.events {
		switch {
		case e.Kind == leadership.EventClaim && e.Result == leadership.ResultDenied:
			denied = true
		case denied && e.Kind == leadership.EventRefresh && e.Call == "RefreshLease":
			return true
		}
	}
	return false
}

// last returns the latest event that matches.
func (l *eventLog) last(match func(leadership.Event) bool) (leadership.Event, bool) {
	return l.lastBefore(time.Time{}, match)
}

// lastBefore returns the latest event that matches and happened no later
// than at (any time if at is zero).
func (l *eventLog) lastBefore(at time.Time, match func(leadership.Event) bool) (leadership.Event, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.events) - 1; i >= 0; i-- {
		e := l.events[i]
		if (at.IsZero() || !e.At.After(at)) && match(e) {
			return e, true
		}
	}
	return leadership.Event{}, false
}
