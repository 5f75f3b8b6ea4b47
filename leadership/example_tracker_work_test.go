package leadership_test

import (
	"context"
	"fmt"
	"time"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/worker"
)

// Leader-only work runs under a leader context: RunAsLeader waits until
// the unit leads, and the context ends with its leadership. Kill ends the
// context, waits for the work to return, and only then revokes: the next
// unit leads only once this one has stopped acting.
func ExampleLeaderRunner() {
	manager, clock := newExampleManager()
	defer worker.Stop(manager)
	first := newExampleTracker(manager, clock, "redis/0")
	fmt.Println("redis/0 leader:", first.WaitLeader().Wait())
	second := newExampleTracker(manager, clock, "redis/1")
	defer worker.Stop(second)
	fmt.Println("redis/1 minion:", second.WaitMinion().Wait())

	working := make(chan struct{})
	result := make(chan error, 1)
	go func() {
		result <- first.(leadership.LeaderRunner).RunAsLeader(context.Background(), func(ctx context.Context) error {
			deadline, _ := ctx.Deadline()
			fmt.Println("redis/0 works as leader; its term ends at", deadline.Format("15:04:05"))
			close(working)
			// Leader-only work checks ctx before each action.
			<-ctx.Done()
			fmt.Println("redis/0 stops working:", context.Cause(ctx))
			fmt.Println("redis/1 leader meanwhile:", second.ClaimLeader().Wait())
			return nil
		})
	}()
	<-working
	fmt.Println("redis/0 stopped:", worker.Stop(first))
	fmt.Println("redis/0 work returned:", <-result)
	fmt.Println("redis/1 leader:", second.WaitLeader().Wait())
	// Output:
	// redis/0 leader: true
	// redis/1 minion: true
	// redis/0 works as leader; its term ends at 01:01:00
	// redis/0 stops working: leadership tracker killed
	// redis/1 leader meanwhile: false
	// redis/0 stopped: <nil>
	// redis/0 work returned: <nil>
	// redis/1 leader: true
}

// A leader context ends at the end of the unit's last term when renewals
// fail, here because the store is down; the tracker goes on, and its
// manager too.
func ExampleLeaderRunner_LeaderContext() {
	clock, store := newExampleStore()
	manager := newExampleManagerOn(store, clock, "controller-0")
	defer worker.Stop(manager)
	tracker := newExampleTracker(manager, clock, "redis/0")
	defer worker.Stop(tracker)

	ctx, cancel, err := tracker.(leadership.LeaderRunner).LeaderContext(context.Background())
	if err != nil {
		panic(err)
	}
	// cancel says the work under ctx has stopped: Kill and Resign wait
	// for it before they revoke.
	defer cancel()
	deadline, _ := ctx.Deadline()
	fmt.Println("leader until", deadline.Format("15:04:05"))

	store.Stop()
	for i := 0; i < 2; i++ {
		if err := clock.AdvanceSettled(30*time.Second, 10*time.Second); err != nil {
			panic(err)
		}
		fmt.Printf("%s: leader context done: %v\n", clock.Now().Format("15:04:05"), context.Cause(ctx))
	}
	store.Restart()
	// Output:
	// leader until 01:01:00
	// 01:00:30: leader context done: <nil>
	// 01:01:00: leader context done: leadership term ended without a renewal
}

// Resigning: the leader gives up leadership and its tracker keeps running.
// The waiting unit takes over at once; the resigned one claims again
// after its pause (Duration by default), and leads again if no other unit
// does by then.
func ExampleResigner() {
	manager, clock := newExampleManager()
	defer worker.Stop(manager)
	first := newExampleTracker(manager, clock, "redis/0")
	defer worker.Stop(first)
	fmt.Println("redis/0 leader:", first.WaitLeader().Wait())
	second := newExampleTracker(manager, clock, "redis/1")
	fmt.Println("redis/1 minion:", second.WaitMinion().Wait())

	fmt.Println("redis/0 resigns:", first.(leadership.Resigner).Resign(context.Background()))
	fmt.Println("redis/1 leader:", second.WaitLeader().Wait())
	fmt.Println("redis/0 minion:", first.WaitMinion().Wait())

	fmt.Println("redis/1 stopped:", worker.Stop(second))
	if err := clock.AdvanceSettled(time.Minute, 10*time.Second); err != nil {
		panic(err)
	}
	fmt.Println(clock.Now().Format("15:04:05"), "redis/0 leader again:", first.ClaimLeader().Wait())
	// Output:
	// redis/0 leader: true
	// redis/1 minion: true
	// redis/0 resigns: <nil>
	// redis/1 leader: true
	// redis/0 minion: true
	// redis/1 stopped: <nil>
	// 01:01:00 redis/0 leader again: true
}

// The timing knobs, as a client-go user knows them: Duration is the lease
// duration; RenewAfter says when the leader renews; ClaimDuration, how
// long a true ClaimLeader guarantees; RetryPeriod and MaxRetryPeriod
// bound the back-off. Zero means the default, a fraction of Duration.
// Validate checks them against each other.
func ExampleTrackerConfig_timing() {
	manager, clock := newExampleManager()
	defer worker.Stop(manager)
	config := leadership.TrackerConfig{
		Manager:        manager,
		ServiceName:    "redis",
		UnitName:       "redis/0",
		Clock:          clock,
		Duration:       15 * time.Second,
		RenewAfter:     5 * time.Second,
		ClaimDuration:  10 * time.Second,
		RetryPeriod:    time.Second,
		MaxRetryPeriod: 4 * time.Second,
	}
	fmt.Println(config.Validate())
	config.ClaimDuration = 12 * time.Second
	fmt.Println(config.Validate())
	// Output:
	// <nil>
	// invalid ClaimDuration 12s: RenewAfter (5s) plus ClaimDuration must be at most Duration (15s), so that the term still covers a true ClaimLeader's guarantee when the renewal is due
}
