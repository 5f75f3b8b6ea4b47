package leadership_test

import (
	"context"
	"fmt"
	"time"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/worker"
)

// Following who leads a service: the watch starts with the current leader
// (none here), then delivers each change the manager sees, in order: a
// grant, a revocation, another grant, an expiry. An extension is no
// change. Cancelling the context closes the channel.
func Example_watchLeader() {
	manager, clock := newExampleManager()
	defer worker.Stop(manager)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	leaders, err := manager.(leadership.LeaderWatcher).WatchLeader(ctx, "redis")
	if err != nil {
		panic(err)
	}
	show := func() {
		leader := <-leaders
		fmt.Printf("%d: %q leads %s\n", leader.Seq, leader.Unit, leader.Service)
	}
	show()

	if err := manager.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		panic(err)
	}
	show()
	if err := manager.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		panic(err) // an extension: nothing to show
	}
	if err := manager.(leadership.Revoker).RevokeLeadership("redis", "redis/0"); err != nil {
		panic(err)
	}
	show()
	if err := manager.ClaimLeadership("redis", "redis/1", time.Minute); err != nil {
		panic(err)
	}
	show()
	// redis/1 does not renew: once its minute has passed, the manager
	// expires its lease.
	if err := clock.AdvanceSettled(time.Minute+time.Second, 10*time.Second); err != nil {
		panic(err)
	}
	show()

	cancel()
	_, open := <-leaders
	fmt.Println("open:", open)
	// Output:
	// 1: "" leads redis
	// 2: "redis/0" leads redis
	// 3: "" leads redis
	// 4: "redis/1" leads redis
	// 5: "" leads redis
	// open: false
}
