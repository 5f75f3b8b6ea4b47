package leadership_test

import (
	"errors"
	"log/slog"
	"time"

	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/internal/observetest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// TestObserveMakesSameDecisionsOnSteppingClock: the clock jumps forward
// during one store call and back during the next, within one claim. An
// unobserved manager reads its clock before and after the claim only, and
// sees no step; an observed one must set the same alarm (observation reads
// the clock more often, but must not make the manager see a step that it
// would not have seen, and move its MaxSleep wake back by it).
func (s *ObserveSuite) TestObserveMakesSameDecisionsOnSteppingClock(c *gc.C) {
	for _, observed := range []bool{false, true} {
		c.Logf("observed=%v", observed)
		clock := clocktest.NewClock(defaultClockStart)
		client := NewClient(nil, []call{{
			method:   "ClaimLease",
			args:     []interface{}{"redis", redis0},
			err:      lease.ErrInvalid,
			callback: advance(clock, 10*time.Second, nil),
		}, {
			method: "ClaimLease",
			args:   []interface{}{"redis", redis0},
			callback: func(leases map[string]lease.Info) {
				clock.Set(offset(0))
				setRedis("redis/0", 2*defaultMaxSleep)(leases)
			},
		}})
		config := leadership.ManagerConfig{Client: client, Clock: clock, MaxSleep: defaultMaxSleep, ClockPoll: -1}
		if observed {
			config.Observer = &observetest.Recorder[leadership.Event]{}
		}
		manager := s.startManager(c, config)
		if err := manager.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
			c.Fatal(err)
		}
		client.Wait(c)
		// The loop takes this request once it has set its alarm
		// after the claim.
		if err := manager.BlockUntilLeadershipReleased("sync"); err != nil {
			c.Fatal(err)
		}
		for _, at := range clock.Alarms() {
			if !at.Equal(offset(defaultMaxSleep)) {
				c.Errorf("alarm at %v, want only %v (MaxSleep after the start)", at, offset(defaultMaxSleep))
			}
		}
	}
}

// TestObserveClaimCutShortByKill: a claim that the manager gives up
// because it is being killed (cleanly) is answered ErrStopped, and its
// EventClaim says so; but a clean stop is normal operation, and must log
// nothing at warn or above but the store call's contention.
func (s *ObserveSuite) TestObserveClaimCutShortByKill(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	var om *observedManager
	om = s.startObserved(c, clock, nil, false, call{
		method: "ClaimLease",
		args:   []interface{}{"redis", redis0},
		err:    lease.ErrInvalid,
		// Killed during the first attempt, the manager sees it before
		// the second.
		callback: func(map[string]lease.Info) { om.Kill() },
	})
	if err := om.ClaimLeadership("redis", "redis/0", time.Minute); err != leadership.ErrStopped {
		c.Fatalf("got %v, want ErrStopped", err)
	}
	if err := om.Wait(); err != nil {
		c.Fatalf("Wait: %v", err)
	}
	om.checkOnly(c, leadership.Event{Kind: leadership.EventClaim, Result: leadership.ResultError,
		Service: "redis", Unit: "redis/0", Err: leadership.ErrStopped})
	om.checkOnly(c, leadership.Event{Kind: leadership.EventStop})
	for _, line := range om.logs.Records() {
		if line.Level >= slog.LevelWarn && line.Message != string(leadership.LogStoreRace) {
			c.Errorf("a clean stop logged %v", line)
		}
	}
}

// TestObserveLostOnFullRefresh: a lease claimed through the manager that
// another manager has since given to another unit is seen as lost at the
// wake's full refresh: Held drops to 0 there, while Known keeps the lease.
func (s *ObserveSuite) TestObserveLostOnFullRefresh(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	om := s.startLost(c, clock)
	advanceToAlarm(c, clock, time.Minute)
	wake := om.waitEvent(c, leadership.EventWake, leadership.ResultOK)
	checkEvent(c, wake, leadership.Event{Kind: leadership.EventWake, Result: leadership.ResultOK, Known: 1, Held: 0})
	om.checkOnly(c, leadership.Event{Kind: leadership.EventRefresh, Result: leadership.ResultOK, Call: leadership.CallRefresh, Known: 1, Held: 1})
	checkLog(c, om.logs, slog.LevelDebug, leadership.LogLost, map[string]interface{}{
		"service": "redis", "unit": "redis/0", "holder": "redis/1",
	})
	if got := om.kind(leadership.EventExpire); len(got) != 0 {
		c.Errorf("unexpected expiries: %+v", got)
	}
}

// TestObserveRevokeNotSupported: a revocation through a manager whose
// client cannot revoke is answered ErrRevokeNotSupported, an EventRevoke
// error with it, and a "revoke failed" warning (a misconfiguration, not
// normal operation); the store is not called.
func (s *ObserveSuite) TestObserveRevokeNotSupported(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	obs := newObservation(slog.LevelDebug)
	events, logs := obs.events, obs.logs
	manager := s.startManager(c, obs.observe(leadership.ManagerConfig{
		Client:    clientOnly{NewClient(redisHeld("redis/0", time.Minute), nil)},
		Clock:     clock,
		MaxSleep:  defaultMaxSleep,
		ClockPoll: -1,
	}))
	err := manager.(leadership.Revoker).RevokeLeadership("redis", "redis/0")
	if !errors.Is(err, leadership.ErrRevokeNotSupported) {
		c.Fatalf("got %v, want ErrRevokeNotSupported", err)
	}
	got := events.Match(func(e leadership.Event) bool { return e.Kind == leadership.EventRevoke })
	if len(got) != 1 {
		c.Fatalf("want one revoke event, got %+v", events.Events())
	}
	checkEvent(c, got[0], leadership.Event{Kind: leadership.EventRevoke, Result: leadership.ResultError,
		Service: "redis", Unit: "redis/0", Known: 1, Err: leadership.ErrRevokeNotSupported})
	checkLog(c, logs, slog.LevelWarn, leadership.LogRevokeFailed, map[string]interface{}{"service": "redis", "unit": "redis/0"})
}

// TestObserveSteadyStateQuiet: a leader extending its lease term after
// term, and the wakes that refresh every lease in between, are normal
// operation: the manager logs nothing at info or above.
func (s *ObserveSuite) TestObserveSteadyStateQuiet(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	obs := newObservation(slog.LevelInfo)
	events, logs := obs.events, obs.logs
	config := obs.observe(storeConfig(clock))
	config.MaxSleep, config.ClockPoll = time.Minute, -1
	manager := s.startManager(c, config)
	const terms = 10
	for i := 1; i <= terms; i++ {
		if err := manager.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
			c.Fatal(err)
		}
		clock.Advance(30 * time.Second)
		if i%2 != 0 {
			continue
		}
		// Every MaxSleep, a wake that refreshes every lease; the clock
		// stands still until it is done.
		at := offset(time.Duration(i) * 30 * time.Second)
		if _, ok := events.WaitFor(func(e leadership.Event) bool {
			return e.Kind == leadership.EventWake && e.At.Equal(at)
		}, LongWait); !ok {
			c.Fatalf("no wake at %v: %+v", at, events.Events())
		}
	}
	if got := events.Match(func(e leadership.Event) bool {
		return e.Kind == leadership.EventClaim && e.Result == leadership.ResultExtended
	}); len(got) != terms-1 {
		c.Errorf("%d extensions, want %d", len(got), terms-1)
	}
	if lines := logs.Records(); len(lines) != 0 {
		c.Errorf("manager logged at info or above: %v", lines)
	}
}

// TestObserveWakeOutage: a wake that cannot reach the store backs off, and
// says so; the manager keeps running.
func (s *ObserveSuite) TestObserveWakeOutage(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	failure := unavailable("store unreachable")
	om := s.startObserved(c, clock, redisHeld("redis/0", time.Second), false, call{method: "Refresh", err: failure})
	advanceToAlarm(c, clock, time.Second)
	wake := om.waitEvent(c, leadership.EventWake, leadership.ResultError)
	checkEvent(c, wake, leadership.Event{Kind: leadership.EventWake, Result: leadership.ResultError, Known: 1, Err: failure})
	checkLog(c, om.logs, slog.LevelWarn, leadership.LogWakeBackingOff, map[string]interface{}{
		"error": "store unreachable: lease store unavailable", "retry": 50 * time.Millisecond,
	})
	checkNoLog(c, om.logs, leadership.LogManagerStopped)
}
