package leadership_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// These benchmarks time wakes: a lease runs out, the manager wakes,
// reads the leases that are due (leasetest is a lease.SingleRefresher),
// expires them and releases the callers blocked on them. Only a wake at
// MaxSleep (a day here, so never) reads every lease.

// stormSize is how many leases run out at one instant in BenchmarkExpiryStorm.
const stormSize = 10000

// blockedLeaseDuration is how long the leases that waiters block on last.
const blockedLeaseDuration = time.Minute

// readWatcher is the in-memory client with a hook on lease.Reader: it
// tells the benchmark when the manager has read a given number of leases
// whose names start with prefix. The manager reads a lease in
// handleBlock and records the block in the same step, so once every
// waiter's lease has been read, every waiter is blocked, and moving the
// clock then cannot race with the blocks.
type readWatcher struct {
	*leasetest.Client
	prefix string

	mu     sync.Mutex
	reads  int
	target int
	done   chan struct{}
}

// Lease is part of the lease.Reader interface.
func (w *readWatcher) Lease(name string) (lease.Info, bool) {
	if strings.HasPrefix(name, w.prefix) {
		w.mu.Lock()
		w.reads++
		if w.done != nil && w.reads >= w.target {
			close(w.done)
			w.done = nil
		}
		w.mu.Unlock()
	}
	return w.Client.Lease(name)
}

// expect returns a channel closed once n more reads have happened.
func (w *readWatcher) expect(n int) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.target = w.reads + n
	w.done = make(chan struct{})
	return w.done
}

// wakeEnv is a manager with n leases held by others until far beyond any
// time the benchmark reaches, whose client reports reads of leases named
// "blocked...".
type wakeEnv struct {
	clock   *clocktest.Clock
	client  *readWatcher
	manager leadership.ManagerWorker
	next    int
}

func newWakeEnv(b *testing.B, n int) *wakeEnv {
	clock, store, _ := seededStore(b, n)
	client := &readWatcher{Client: store.MustNewClient("controller-0"), prefix: "blocked"}
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client:   client,
		Clock:    clock,
		MaxSleep: 24 * time.Hour,
	})
	if err != nil {
		b.Fatal(err)
	}
	return &wakeEnv{clock: clock, client: client, manager: manager}
}

// blockOn claims k new leases through the manager, all expiring
// blockedLeaseDuration from now, and starts a waiter on each. It returns
// once the manager has recorded every waiter, and a WaitGroup that is done
// once all of them have been released.
func (env *wakeEnv) blockOn(b *testing.B, k int) *sync.WaitGroup {
	names := make([]string, k)
	for i := range names {
		names[i] = fmt.Sprintf("blocked%09d", env.next)
		env.next++
		if err := env.manager.ClaimLeadership(names[i], names[i]+"/0", blockedLeaseDuration); err != nil {
			b.Fatal(err)
		}
	}
	read := env.client.expect(k)
	var released sync.WaitGroup
	released.Add(k)
	for _, name := range names {
		go func(name string) {
			defer released.Done()
			if err := env.manager.BlockUntilLeadershipReleased(name); err != nil {
				b.Error(err)
			}
		}(name)
	}
	<-read
	return &released
}

// expire moves the clock past the expiry of the leases blockOn claimed.
func (env *wakeEnv) expire() {
	env.clock.Advance(blockedLeaseDuration + time.Nanosecond)
}

// BenchmarkBlockRelease times one blocked caller's release: from the
// moment the lease it waits on runs out to its return, through one wake.
func BenchmarkBlockRelease(b *testing.B) {
	runSizes(b, func(b *testing.B, n int) {
		benchWakes(b, newWakeEnv(b, n), 1)
	})
}

// BenchmarkExpiryStorm times 10,000 leases running out at one instant,
// each with a caller blocked on it: from that instant until every lease is
// expired and every caller released. One op is one storm.
func BenchmarkExpiryStorm(b *testing.B) {
	runSizes(b, func(b *testing.B, n int) {
		benchWakes(b, newWakeEnv(b, n), stormSize)
	})
}

// benchWakes times b.N wakes on env, each releasing k blocked callers:
// from the instant their k leases run out until every caller returns.
func benchWakes(b *testing.B, env *wakeEnv, k int) {
	defer stopBenchManager(b, env.manager)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		released := env.blockOn(b, k)
		b.StartTimer()
		env.expire()
		released.Wait()
	}
}
