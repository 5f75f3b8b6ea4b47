package leadership_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease/leasetest"
	"github.com/seed07a61904/leadership/worker"
)

// newExampleTracker returns a tracker for unit on manager, reading clock.
func newExampleTracker(manager leadership.Manager, clock *leasetest.Clock, unit string) leadership.Tracker {
	tracker, err := leadership.NewTracker(leadership.TrackerConfig{
		Manager:     manager,
		ServiceName: "redis",
		UnitName:    unit,
		Duration:    time.Minute,
		Clock:       clock,
	})
	if err != nil {
		panic(err)
	}
	return tracker
}

// A unit agent runs a Tracker instead of calling the manager itself. The
// first unit becomes leader and stays leader, renewing every 30 seconds;
// the second waits. When the leader stops, it revokes its leadership, and
// the waiting unit takes over without waiting for the lease to run out.
func ExampleTracker() {
	manager, clock := newExampleManager()
	defer stopExampleManager(manager)

	first := newExampleTracker(manager, clock, "redis/0")
	fmt.Println("redis/0 leader:", first.WaitLeader().Wait())
	second := newExampleTracker(manager, clock, "redis/1")
	defer func() {
		// Stop returns why second stopped, if it stopped by itself.
		if err := worker.Stop(second); err != nil {
			fmt.Println("second stopped:", err)
		}
	}()
	fmt.Println("redis/1 minion:", second.WaitMinion().Wait())

	// Before acting as leader, a unit asks for a guarantee: true means
	// leader for at least ClaimDuration from the call.
	if first.ClaimLeader().Wait() {
		fmt.Println("redis/0 may act as leader for", first.ClaimDuration())
	}

	fmt.Println("redis/0 stopped:", worker.Stop(first))
	fmt.Println("redis/1 leader:", second.WaitLeader().Wait())
	// The clock has not moved: see ExampleTracker_renewals for renewals.
	// Output:
	// redis/0 leader: true
	// redis/1 minion: true
	// redis/0 may act as leader for 30s
	// redis/0 stopped: <nil>
	// redis/1 leader: true
}

// Testing unit agents on the fake clock: AdvanceSettled moves the clock as
// real time would pass, firing each alarm at its own time and waiting, after
// each, until the manager and the trackers have settled (every renewal
// answered and the next one scheduled). Here the leader renews every 30
// seconds, five times, and the lease always ends a minute after the last
// renewal; when the leader stops, the other unit takes over at once.
func ExampleTracker_renewals() {
	clock := leasetest.NewClock(time.Date(2073, 3, 3, 1, 0, 0, 0, time.UTC))
	store := leasetest.NewStore(clock)
	renewals := 0
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client: store.MustNewClient("controller-0"),
		Clock:  clock,
		// Called on the manager's goroutine; Settle orders it before
		// the test's reads.
		Observer: leadership.ObserverFunc(func(e leadership.Event) {
			if e.Kind == leadership.EventClaim && e.Result == leadership.ResultExtended {
				renewals++
			}
		}),
	})
	if err != nil {
		panic(err)
	}
	defer worker.Stop(manager)
	reader := store.MustNewClient("reader")
	show := func() {
		if err := reader.Refresh(); err != nil {
			panic(err)
		}
		info := reader.Leases()["redis"]
		fmt.Printf("%v: %s leads until %v; renewals %d\n",
			clock.Now().Format("15:04:05"), info.Holder, info.Expiry.Format("15:04:05"), renewals)
	}

	first := newExampleTracker(manager, clock, "redis/0")
	if err := clock.Settle(10 * time.Second); err != nil {
		panic(err) // names what has not settled
	}
	second := newExampleTracker(manager, clock, "redis/1")
	defer worker.Stop(second)
	if err := clock.Settle(10 * time.Second); err != nil {
		panic(err)
	}
	show()
	for i := 0; i < 5; i++ {
		if err := clock.AdvanceSettled(30*time.Second, 10*time.Second); err != nil {
			panic(err)
		}
		show()
	}
	fmt.Println("redis/0 may act as leader:", first.ClaimLeader().Wait())
	fmt.Println("redis/0 stopped:", worker.Stop(first))
	if err := clock.Settle(10 * time.Second); err != nil {
		panic(err)
	}
	show()
	fmt.Println("redis/1 may act as leader:", second.ClaimLeader().Wait())
	// Output:
	// 01:00:00: redis/0 leads until 01:01:00; renewals 0
	// 01:00:30: redis/0 leads until 01:01:30; renewals 1
	// 01:01:00: redis/0 leads until 01:02:00; renewals 2
	// 01:01:30: redis/0 leads until 01:02:30; renewals 3
	// 01:02:00: redis/0 leads until 01:03:00; renewals 4
	// 01:02:30: redis/0 leads until 01:03:30; renewals 5
	// redis/0 may act as leader: true
	// redis/0 stopped: <nil>
	// 01:02:30: redis/1 leads until 01:03:30; renewals 5
	// redis/1 may act as leader: true
}

// Revoking: a leader that stops hands over at once instead of letting its
// lease run out. Its tokens no longer hold (until it leads again), and
// waiters are released.
func ExampleRevoker() {
	manager, _ := newExampleManager()
	defer stopExampleManager(manager)

	if err := manager.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		panic(err)
	}
	revoker, ok := manager.(leadership.Revoker)
	if !ok {
		panic("manager cannot revoke")
	}
	fmt.Println(revoker.RevokeLeadership("redis", "redis/0"))
	err := revoker.RevokeLeadership("redis", "redis/0")
	fmt.Println(err, errors.Is(err, leadership.ErrNotLeader))
	fmt.Println(manager.ClaimLeadership("redis", "redis/1", time.Minute))
	// Output:
	// <nil>
	// "redis/0" is not leader of "redis" true
	// <nil>
}

// Waiting with a context: the wait gives up when the context is done, and
// leaves nothing behind in the manager.
func ExampleContextBlocker() {
	manager, _ := newExampleManager()
	defer stopExampleManager(manager)

	if err := manager.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		panic(err)
	}
	blocker := manager.(leadership.ContextBlocker)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // as when an agent shuts down
	err := blocker.BlockUntilLeadershipReleasedContext(ctx, "redis")
	fmt.Println(err)
	fmt.Println(errors.Is(err, context.Canceled))
	fmt.Println(blocker.BlockUntilLeadershipReleasedContext(context.Background(), "mysql"))
	// Output:
	// waiting for leaderlessness of "redis": context canceled
	// true
	// <nil>
}

// Asking who leads: Leaders reads the store, so it sees leaders claimed
// through other managers too.
func ExampleLeaderReader() {
	clock, store := newExampleStore()
	var managers []leadership.ManagerWorker
	for _, id := range []string{"controller-0", "controller-1"} {
		manager := newExampleManagerOn(store, clock, id)
		defer stopExampleManager(manager)
		managers = append(managers, manager)
	}
	if err := managers[0].ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		panic(err)
	}
	if err := managers[1].ClaimLeadership("mysql", "mysql/2", time.Minute); err != nil {
		panic(err)
	}

	leaders, err := managers[0].(leadership.LeaderReader).Leaders()
	if err != nil {
		panic(err)
	}
	services := make([]string, 0, len(leaders))
	for service := range leaders {
		services = append(services, service)
	}
	sort.Strings(services)
	for _, service := range services {
		fmt.Println(service, leaders[service])
	}
	// Output:
	// mysql mysql/2
	// redis redis/0
}
