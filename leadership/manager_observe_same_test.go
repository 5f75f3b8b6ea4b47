package leadership_test

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

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
func TestObserveMakesSameDecisionsOnSteppingClock(t *testing.T) {
	for _, observed := range []bool{false, true} {
		t.Run(fmt.Sprintf("observed=%v", observed), func(t *testing.T) {
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
			manager, err := leadership.NewManager(config)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				manager.Kill()
				if err := manager.Wait(); err != nil {
					t.Error(err)
				}
			}()
			if err := manager.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
				t.Fatal(err)
			}
			client.Wait(t)
			// The loop takes this request once it has set its alarm
			// after the claim.
			if err := manager.BlockUntilLeadershipReleased("sync"); err != nil {
				t.Fatal(err)
			}
			for _, at := range clock.Alarms() {
				if !at.Equal(offset(defaultMaxSleep)) {
					t.Errorf("alarm at %v, want only %v (MaxSleep after the start)", at, offset(defaultMaxSleep))
				}
			}
		})
	}
}

// TestObserveClaimCutShortByKill: a claim that the manager gives up
// because it is being killed (cleanly) is answered ErrStopped, and its
// EventClaim says so; but a clean stop is normal operation, and must log
// nothing at warn or above but the store call's contention.
func TestObserveClaimCutShortByKill(t *testing.T) {
	clock := clocktest.NewClock(defaultClockStart)
	var om *observedManager
	om = startObserved(t, clock, nil, false, call{
		method: "ClaimLease",
		args:   []interface{}{"redis", redis0},
		err:    lease.ErrInvalid,
		// Killed during the first attempt, the manager sees it before
		// the second.
		callback: func(map[string]lease.Info) { om.Kill() },
	})
	if err := om.ClaimLeadership("redis", "redis/0", time.Minute); err != leadership.ErrStopped {
		t.Fatalf("got %v, want ErrStopped", err)
	}
	if err := om.Wait(); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	om.checkOnly(t, leadership.Event{Kind: leadership.EventClaim, Result: leadership.ResultError,
		Service: "redis", Unit: "redis/0", Err: leadership.ErrStopped})
	om.checkOnly(t, leadership.Event{Kind: leadership.EventStop})
	for _, line := range om.logs.Records() {
		if line.Level >= slog.LevelWarn && line.Message != "lease changed under a store call; retrying" {
			t.Errorf("a clean stop logged %v", line)
		}
	}
}
