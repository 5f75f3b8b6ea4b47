package leadership_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// ObserveSuite checks what an observed manager reports and logs.
type ObserveSuite struct {
	observeFixture
}

var _ = gc.Suite(&ObserveSuite{})

// startClaims starts an observed manager, with no leases, on a new clock
// at defaultClockStart, with a Client that expects calls.
func (s *ObserveSuite) startClaims(c *gc.C, calls ...call) *observedManager {
	return s.startObserved(c, clocktest.NewClock(defaultClockStart), nil, false, calls...)
}

func (s *ObserveSuite) TestObserveClaimGranted(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	om := s.startObserved(c, clock, nil, false, call{
		method:   "ClaimLease",
		args:     []interface{}{"redis", redis0},
		callback: advance(clock, 3*time.Second, setRedis("redis/0", time.Minute)),
	})
	if err := om.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		c.Fatal(err)
	}
	om.checkOnly(c, leadership.Event{Kind: leadership.EventStore, Result: leadership.ResultOK, Call: leadership.CallClaimLease,
		Service: "redis", Unit: "redis/0", Duration: 3 * time.Second, Known: 0, Held: 0})
	om.checkOnly(c, leadership.Event{Kind: leadership.EventClaim, Result: leadership.ResultGranted,
		Service: "redis", Unit: "redis/0", Duration: 3 * time.Second, Known: 1, Held: 1})
	if at := om.kind(leadership.EventClaim)[0].At; !at.Equal(offset(3 * time.Second)) {
		c.Errorf("claim event At %v, want %v", at, offset(3*time.Second))
	}
	checkLog(c, om.logs, slog.LevelDebug, leadership.LogGranted, map[string]interface{}{
		"service": "redis", "unit": "redis/0", "duration": 3 * time.Second, "known": int64(1), "held": int64(1),
	})
	// 3s is below the slow threshold, a tenth of the minute claimed.
	checkNoLog(c, om.logs, leadership.LogSlowStore)
}

func (s *ObserveSuite) TestObserveClaimExtendedSlow(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	om := s.startObserved(c, clock, redisHeld("redis/0", time.Second), false, call{
		method:   "ExtendLease",
		args:     []interface{}{"redis", redis0},
		callback: advance(clock, 7*time.Second, setRedis("redis/0", time.Minute)),
	})
	if err := om.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		c.Fatal(err)
	}
	om.checkOnly(c, leadership.Event{Kind: leadership.EventClaim, Result: leadership.ResultExtended,
		Service: "redis", Unit: "redis/0", Duration: 7 * time.Second, Known: 1, Held: 1})
	checkLog(c, om.logs, slog.LevelWarn, leadership.LogSlowStore, map[string]interface{}{
		"call": "ExtendLease", "service": "redis", "unit": "redis/0",
		"duration": 7 * time.Second, "threshold": 6 * time.Second,
	})
	checkNoLog(c, om.logs, leadership.LogGranted)
}

func (s *ObserveSuite) TestObserveClaimDenied(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	om := s.startObserved(c, clock, redisHeld("redis/1", time.Minute), false)
	if err := om.ClaimLeadership("redis", "redis/0", time.Minute); err != leadership.ErrClaimDenied {
		c.Fatalf("got %v, want ErrClaimDenied", err)
	}
	om.checkOnly(c, leadership.Event{Kind: leadership.EventClaim, Result: leadership.ResultDenied,
		Service: "redis", Unit: "redis/0", Known: 1, Held: 0})
	if n := len(om.logs.Records()); n != 0 {
		c.Errorf("a denial logged %d lines: %v", n, om.logs.Records())
	}
}

func (s *ObserveSuite) TestObserveClaimContention(c *gc.C) {
	om := s.startClaims(c, call{
		method: "ClaimLease",
		args:   []interface{}{"redis", redis0},
		err:    lease.ErrInvalid,
	}, call{
		method:   "ClaimLease",
		args:     []interface{}{"redis", redis0},
		callback: setRedis("redis/0", time.Minute),
	})
	if err := om.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		c.Fatal(err)
	}
	stores := om.kind(leadership.EventStore)
	if len(stores) != 2 {
		c.Fatalf("want 2 store events, got %+v", stores)
	}
	checkEvent(c, stores[0], leadership.Event{Kind: leadership.EventStore, Result: leadership.ResultDenied,
		Call: leadership.CallClaimLease, Service: "redis", Unit: "redis/0", Err: lease.ErrInvalid})
	checkEvent(c, stores[1], leadership.Event{Kind: leadership.EventStore, Result: leadership.ResultOK,
		Call: leadership.CallClaimLease, Service: "redis", Unit: "redis/0"})
	checkLog(c, om.logs, slog.LevelDebug, leadership.LogStoreRace, map[string]interface{}{
		"call": "ClaimLease", "service": "redis", "unit": "redis/0", "result": "denied",
	})
}

func (s *ObserveSuite) TestObserveClaimError(c *gc.C) {
	om := s.startClaims(c, call{
		method: "ClaimLease",
		args:   []interface{}{"redis", redis0},
		err:    lease.ErrExcessiveContention,
	})
	if err := om.ClaimLeadership("redis", "redis/0", time.Minute); !errors.Is(err, lease.ErrExcessiveContention) {
		c.Fatalf("got %v, want ErrExcessiveContention", err)
	}
	om.checkOnly(c, leadership.Event{Kind: leadership.EventClaim, Result: leadership.ResultError,
		Service: "redis", Unit: "redis/0", Err: lease.ErrExcessiveContention})
	checkLog(c, om.logs, slog.LevelWarn, leadership.LogClaimFailed, map[string]interface{}{
		"service": "redis", "unit": "redis/0", "result": "error",
	})
}

func (s *ObserveSuite) TestObserveCheck(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	om := s.startObserved(c, clock, redisHeld("redis/0", time.Minute), false, call{method: "Refresh", callback: advance(clock, 2*time.Second, nil)}, call{method: "Refresh", err: lease.ErrExcessiveContention})
	if _, err := om.CheckLeadership("redis", "redis/0"); err != nil {
		c.Fatal(err)
	}
	if _, err := om.CheckLeadership("redis", "redis/1"); err == nil {
		c.Fatal("redis/1 leads")
	}
	if _, err := om.CheckLeadership("redis", "redis/1"); !errors.Is(err, lease.ErrExcessiveContention) {
		c.Fatalf("got %v, want ErrExcessiveContention", err)
	}
	checks := om.kind(leadership.EventCheck)
	if len(checks) != 3 {
		c.Fatalf("want 3 check events, got %+v", checks)
	}
	checkEvent(c, checks[0], leadership.Event{Kind: leadership.EventCheck, Result: leadership.ResultHit,
		Service: "redis", Unit: "redis/0", Known: 1})
	checkEvent(c, checks[1], leadership.Event{Kind: leadership.EventCheck, Result: leadership.ResultMiss,
		Service: "redis", Unit: "redis/1", Duration: 2 * time.Second, Known: 1})
	checkEvent(c, checks[2], leadership.Event{Kind: leadership.EventCheck, Result: leadership.ResultError,
		Service: "redis", Unit: "redis/1", Known: 1, Err: lease.ErrExcessiveContention})
	refreshes := om.kind(leadership.EventRefresh)
	if len(refreshes) != 2 {
		c.Fatalf("want 2 refresh events, got %+v", refreshes)
	}
	checkEvent(c, refreshes[0], leadership.Event{Kind: leadership.EventRefresh, Result: leadership.ResultOK,
		Call: leadership.CallRefresh, Duration: 2 * time.Second, Known: 1})
	checkEvent(c, refreshes[1], leadership.Event{Kind: leadership.EventRefresh, Result: leadership.ResultError,
		Call: leadership.CallRefresh, Known: 1, Err: lease.ErrExcessiveContention})
	// Before any claim the slow threshold is a second: the 2s refresh is slow.
	checkLog(c, om.logs, slog.LevelWarn, leadership.LogSlowRefresh, map[string]interface{}{
		"call": "Refresh", "duration": 2 * time.Second, "threshold": time.Second,
	})
	checkLog(c, om.logs, slog.LevelWarn, leadership.LogCheckFailed, map[string]interface{}{
		"service": "redis", "unit": "redis/1", "error": "cannot check leadership of \"redis\" for \"redis/1\": " + lease.ErrExcessiveContention.Error(),
	})
}

func (s *ObserveSuite) TestObserveRevokeAndBlockReleased(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	registered := make(chan struct{})
	om := s.startObserved(c, clock, redisHeld("redis/0", time.Minute), true, call{
		// The block's read of the lease: the manager has the waiter
		// once this returns.
		method:   "RefreshLease",
		args:     []interface{}{"redis"},
		callback: func(map[string]lease.Info) { close(registered) },
	}, call{
		method:   "RevokeLease",
		args:     []interface{}{"redis", "redis/0"},
		callback: advance(clock, 2*time.Second, setRedis("", 0)),
	}, call{method: "Refresh"})
	blocked := make(chan error, 1)
	go func() { blocked <- om.BlockUntilLeadershipReleased("redis") }()
	<-registered
	revoker := om.ManagerWorker.(leadership.Revoker)
	if err := revoker.RevokeLeadership("redis", "redis/0"); err != nil {
		c.Fatal(err)
	}
	if err := <-blocked; err != nil {
		c.Fatal(err)
	}
	if err := revoker.RevokeLeadership("redis", "redis/0"); !errors.Is(err, leadership.ErrNotLeader) {
		c.Fatalf("got %v, want ErrNotLeader", err)
	}
	revokes := om.kind(leadership.EventRevoke)
	if len(revokes) != 2 {
		c.Fatalf("want 2 revoke events, got %+v", revokes)
	}
	checkEvent(c, revokes[0], leadership.Event{Kind: leadership.EventRevoke, Result: leadership.ResultRevoked,
		Service: "redis", Unit: "redis/0", Duration: 2 * time.Second})
	checkEvent(c, revokes[1], leadership.Event{Kind: leadership.EventRevoke, Result: leadership.ResultDenied,
		Service: "redis", Unit: "redis/0"})
	// The block waited from before the revoke to its end.
	om.checkOnly(c, leadership.Event{Kind: leadership.EventBlock, Result: leadership.ResultReleased,
		Service: "redis", Duration: 2 * time.Second})
	checkLog(c, om.logs, slog.LevelDebug, leadership.LogRevoked, map[string]interface{}{
		"service": "redis", "unit": "redis/0",
	})
}

func (s *ObserveSuite) TestObserveBlockCancelledAndStopped(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	registered := make(chan struct{}, 2)
	signal := func(map[string]lease.Info) { registered <- struct{}{} }
	om := s.startObserved(c, clock, redisHeld("redis/0", time.Minute), true,
		call{method: "RefreshLease", args: []interface{}{"redis"}, callback: signal},
		call{method: "RefreshLease", args: []interface{}{"redis"}, callback: signal},
	)
	blocker := om.ManagerWorker.(leadership.ContextBlocker)
	ctx, cancel := context.WithCancel(context.Background())
	cancelled := make(chan error, 1)
	go func() { cancelled <- blocker.BlockUntilLeadershipReleasedContext(ctx, "redis") }()
	<-registered
	clock.Advance(time.Second)
	cancel()
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		c.Fatalf("got %v, want context.Canceled", err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- om.BlockUntilLeadershipReleased("redis") }()
	<-registered
	clock.Advance(time.Second)
	om.Kill()
	if err := om.Wait(); err != nil {
		c.Fatal(err)
	}
	if err := <-stopped; err != leadership.ErrStopped {
		c.Fatalf("got %v, want ErrStopped", err)
	}
	blocks := om.kind(leadership.EventBlock)
	if len(blocks) != 2 {
		c.Fatalf("want 2 block events, got %+v", blocks)
	}
	// The cancelled wait is dropped when the loop next runs: by then the
	// clock has moved on 1s, or 2s.
	if d := blocks[0].Duration; d != time.Second && d != 2*time.Second {
		c.Errorf("cancelled block's Duration %v, want 1s or 2s", d)
	}
	blocks[0].Duration = 0
	checkEvent(c, blocks[0], leadership.Event{Kind: leadership.EventBlock, Result: leadership.ResultError,
		Service: "redis", Known: 1, Err: context.Canceled})
	checkEvent(c, blocks[1], leadership.Event{Kind: leadership.EventBlock, Result: leadership.ResultError,
		Service: "redis", Duration: time.Second, Known: 1, Err: leadership.ErrStopped})
	om.checkOnly(c, leadership.Event{Kind: leadership.EventStop, Known: 1})
	checkLog(c, om.logs, slog.LevelInfo, leadership.LogManagerStopped, map[string]interface{}{"known": int64(1)})
}

func (s *ObserveSuite) TestObserveWakeExpire(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	om := s.startObserved(c, clock, redisHeld("redis/0", time.Second), false, call{method: "Refresh", callback: advance(clock, 2*time.Second, nil)}, expireCall("redis", nil))
	advanceToAlarm(c, clock, time.Second)
	wake := om.waitEvent(c, leadership.EventWake, leadership.ResultOK)
	checkEvent(c, wake, leadership.Event{Kind: leadership.EventWake, Result: leadership.ResultOK, Duration: 2 * time.Second})
	om.checkOnly(c, leadership.Event{Kind: leadership.EventExpire, Result: leadership.ResultExpired, Service: "redis"})
	om.checkOnly(c, leadership.Event{Kind: leadership.EventStore, Result: leadership.ResultOK,
		Call: leadership.CallExpireLease, Service: "redis", Known: 1})
	checkLog(c, om.logs, slog.LevelDebug, leadership.LogExpired, map[string]interface{}{"service": "redis", "known": int64(0)})
	checkLog(c, om.logs, slog.LevelWarn, leadership.LogSlowWake, map[string]interface{}{
		"duration": 2 * time.Second, "threshold": time.Second,
	})
}

func (s *ObserveSuite) TestObserveWakeBackOff(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	om := s.startObserved(c, clock, redisHeld("redis/0", time.Second), false, call{method: "Refresh"}, call{
		method: "ExpireLease",
		args:   []interface{}{"redis"},
		err:    lease.ErrExcessiveContention,
	})
	advanceToAlarm(c, clock, time.Second)
	wake := om.waitEvent(c, leadership.EventWake, leadership.ResultError)
	checkEvent(c, wake, leadership.Event{Kind: leadership.EventWake, Result: leadership.ResultError,
		Known: 1, Err: lease.ErrExcessiveContention})
	om.checkOnly(c, leadership.Event{Kind: leadership.EventExpire, Result: leadership.ResultError,
		Service: "redis", Known: 1, Err: lease.ErrExcessiveContention})
	checkLog(c, om.logs, slog.LevelWarn, leadership.LogWakeBackingOff, map[string]interface{}{
		"retry": 50 * time.Millisecond, "error": lease.ErrExcessiveContention.Error(),
	})
	checkLog(c, om.logs, slog.LevelDebug, leadership.LogExpiryFailed, map[string]interface{}{"service": "redis"})
}

func (s *ObserveSuite) TestObserveLost(c *gc.C) {
	om := s.startLost(c, clocktest.NewClock(defaultClockStart))
	// redis/1's check misses the cache, reads the store, and finds that
	// redis/0 has lost its lease.
	if _, err := om.CheckLeadership("redis", "redis/1"); err != nil {
		c.Fatal(err)
	}
	om.checkOnly(c, leadership.Event{Kind: leadership.EventCheck, Result: leadership.ResultHit,
		Service: "redis", Unit: "redis/1", Known: 1, Held: 0})
	checkLog(c, om.logs, slog.LevelDebug, leadership.LogLost, map[string]interface{}{
		"service": "redis", "unit": "redis/0", "holder": "redis/1",
	})
}

func (s *ObserveSuite) TestObserveClockStepBack(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	om := s.startObserved(c, clock, nil, false, call{
		method: "ClaimLease",
		args:   []interface{}{"redis", redis0},
		callback: func(leases map[string]lease.Info) {
			clock.Set(offset(-5 * time.Second))
			setRedis("redis/0", time.Minute)(leases)
		},
	})
	if err := om.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		c.Fatal(err)
	}
	// The step back gives zero durations, never negative ones.
	om.checkOnly(c, leadership.Event{Kind: leadership.EventStore, Result: leadership.ResultOK, Call: leadership.CallClaimLease,
		Service: "redis", Unit: "redis/0"})
	om.checkOnly(c, leadership.Event{Kind: leadership.EventClaim, Result: leadership.ResultGranted,
		Service: "redis", Unit: "redis/0", Known: 1, Held: 1})
}

// TestObserveStoreUnavailable: a check that cannot reach the store is
// answered with the error, which the refresh's event reports as
// unavailable; the manager keeps running.
func (s *ObserveSuite) TestObserveStoreUnavailable(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	failure := unavailable("store unreachable")
	om := s.startObserved(c, clock, nil, false, call{method: "Refresh", err: failure})
	if _, err := om.CheckLeadership("redis", "redis/0"); !errors.Is(err, lease.ErrUnavailable) {
		c.Fatalf("got %v, want an error matching lease.ErrUnavailable", err)
	}
	om.checkOnly(c, leadership.Event{Kind: leadership.EventRefresh, Result: leadership.ResultUnavailable,
		Call: leadership.CallRefresh, Err: failure})
	om.checkOnly(c, leadership.Event{Kind: leadership.EventCheck, Result: leadership.ResultError,
		Service: "redis", Unit: "redis/0", Err: failure})
	checkLog(c, om.logs, slog.LevelWarn, leadership.LogCheckFailed, map[string]interface{}{
		"error": `cannot check leadership of "redis" for "redis/0": store unreachable: lease store unavailable`,
	})
	if n := len(om.kind(leadership.EventStop)); n != 0 {
		c.Fatalf("the manager stopped")
	}
}

// TestObserveStoreCorrupt: a read that meets a corrupt document is an
// error line and a "corrupt" result, and the call's error.
func (s *ObserveSuite) TestObserveStoreCorrupt(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	failure := fmt.Errorf("corrupt lease document %q: %w", "redis", lease.ErrCorrupt)
	om := s.startObserved(c, clock, nil, true, call{method: "RefreshLease", args: []interface{}{"redis"}, err: failure})
	if _, err := om.CheckLeadership("redis", "redis/0"); !errors.Is(err, lease.ErrCorrupt) {
		c.Fatalf("got %v, want an error matching lease.ErrCorrupt", err)
	}
	om.checkOnly(c, leadership.Event{Kind: leadership.EventRefresh, Result: leadership.ResultCorrupt,
		Call: leadership.CallRefreshLease, Service: "redis", Err: failure})
	checkLog(c, om.logs, slog.LevelError, leadership.LogStoreNeedsRepair, map[string]interface{}{
		"error": `corrupt lease document "redis": lease store holds a corrupt document`, "service": "redis",
	})
}

func (s *ObserveSuite) TestObserverValidation(c *gc.C) {
	var nilFunc leadership.ObserverFunc
	config := leadership.ManagerConfig{
		Client:   NewClient(nil, nil),
		Clock:    clocktest.NewClock(defaultClockStart),
		Observer: nilFunc,
	}
	err := config.Validate()
	if err == nil || err.Error() != "invalid Observer: nil leadership.ObserverFunc" {
		c.Errorf("got %v, want the nil ObserverFunc refused", err)
	}
}
