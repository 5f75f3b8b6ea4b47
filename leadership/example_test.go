package leadership_test

import (
	"fmt"
	"time"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease/leasetest"
	"github.com/seed07a61904/leadership/worker"
)

// newExampleManager returns a manager on an in-memory lease store, and the
// fake clock that it and the store read. Production code passes a MongoDB
// lease client and lease.SystemClock{} instead.
func newExampleManager() (leadership.ManagerWorker, *leasetest.Clock) {
	clock, store := newExampleStore()
	return newExampleManagerOn(store, clock, "controller-0"), clock
}

// newExampleStore returns a fake clock at 2073-03-03 01:00 UTC and an
// in-memory store on it.
func newExampleStore() (*leasetest.Clock, *leasetest.Store) {
	clock := leasetest.NewClock(time.Date(2073, 3, 3, 1, 0, 0, 0, time.UTC))
	return clock, leasetest.NewStore(clock)
}

// newExampleManagerOn starts a manager on clock whose client, of store,
// has the given id.
func newExampleManagerOn(store *leasetest.Store, clock *leasetest.Clock, id string) leadership.ManagerWorker {
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client: store.MustNewClient(id),
		Clock:  clock,
	})
	if err != nil {
		panic(err)
	}
	return manager
}

// stopExampleManager stops manager, and prints why it stopped if it
// stopped by itself (what worker.Stop returns then).
func stopExampleManager(manager leadership.ManagerWorker) {
	if err := worker.Stop(manager); err != nil {
		fmt.Println("manager stopped:", err)
	}
}

// Claiming leadership: the first unit to claim gets it; the same unit's
// next claim extends it; another unit's claim is denied.
func Example_claim() {
	manager, _ := newExampleManager()
	defer worker.Stop(manager)

	fmt.Println(manager.ClaimLeadership("redis", "redis/0", time.Minute))
	fmt.Println(manager.ClaimLeadership("redis", "redis/0", time.Minute))
	err := manager.ClaimLeadership("redis", "redis/1", time.Minute)
	fmt.Println(err, err == leadership.ErrClaimDenied)
	// Output:
	// <nil>
	// <nil>
	// leadership claim denied true
}

// Checking leadership: the token's AssertOps go into a later mgo/txn
// transaction, which then aborts unless the unit is still leader.
func Example_check() {
	manager, _ := newExampleManager()
	defer worker.Stop(manager)

	if err := manager.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		panic(err)
	}
	token, err := manager.CheckLeadership("redis", "redis/0")
	if err != nil {
		panic(err)
	}
	for _, op := range token.AssertOps() {
		fmt.Printf("collection %s, id %v, assert %v\n", op.C, op.Id, op.Assert)
	}

	_, err = manager.CheckLeadership("redis", "redis/1")
	fmt.Println(err)
	// Output:
	// collection leases, id redis, assert [{holder redis/0}]
	// "redis/1" is not leader of "redis"
}

// Waiting for leadership: a unit that was denied waits until the leader's
// lease has expired, and then claims.
func Example_block() {
	manager, clock := newExampleManager()
	defer worker.Stop(manager)

	if err := manager.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		panic(err)
	}
	released := make(chan error)
	go func() {
		released <- manager.BlockUntilLeadershipReleased("redis")
	}()

	// redis/0 does not extend its claim; once its minute is over, the
	// manager expires the lease and releases the waiter.
	clock.Advance(time.Minute + time.Second)
	fmt.Println(<-released)
	fmt.Println(manager.ClaimLeadership("redis", "redis/1", time.Minute))
	// Output:
	// <nil>
	// <nil>
}
