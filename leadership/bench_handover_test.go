package leadership_test

import (
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease/leasetest"
	"github.com/seed07a61904/leadership/worker"
)

// handoverSleep is the managers' MaxSleep in BenchmarkHandover.
const handoverSleep = time.Second

// BenchmarkHandover times a graceful handover between two units' trackers
// on the in-memory store: from the leader's tracker's Kill (which revokes)
// until the waiting tracker says it leads.
//
//   - via=same: both trackers use one manager, which releases the waiter
//     as soon as the revocation is done.
//   - via=other: each unit uses its own manager (controller). The waiter's
//     manager sees the revocation at its next read of the store, its wake:
//     the fake clock is moved by MaxSleep to bring it at once. In real
//     time, a handover via another controller also waits for that wake,
//     up to its MaxSleep.
func BenchmarkHandover(b *testing.B) {
	for _, via := range []string{"same", "other"} {
		b.Run("via="+via, func(b *testing.B) {
			env := newHandoverEnv(b, via == "other")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				env.handover(b)
			}
			b.StopTimer()
		})
	}
}

// handoverEnv holds two units' trackers, one leading and one waiting, on
// one manager or one each.
type handoverEnv struct {
	clock    *clocktest.Clock
	managers [2]leadership.ManagerWorker
	trackers [2]leadership.Tracker
	leader   int // index of the leading unit
}

func newHandoverEnv(b *testing.B, separate bool) *handoverEnv {
	env := &handoverEnv{clock: clocktest.NewClock(defaultClockStart)}
	store := leasetest.NewStore(env.clock)
	for i, id := range []string{"controller-0", "controller-1"} {
		if i == 1 && !separate {
			env.managers[1] = env.managers[0]
			break
		}
		m, err := leadership.NewManager(leadership.ManagerConfig{
			Client:   store.MustNewClient(id),
			Clock:    env.clock,
			MaxSleep: handoverSleep,
		})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { worker.Stop(m) })
		env.managers[i] = m
	}
	env.start(b, 0)
	if !env.trackers[0].WaitLeader().Wait() {
		b.Fatal("first tracker does not lead")
	}
	env.start(b, 1)
	return env
}

// start starts unit i's tracker on its manager, and waits until it knows
// it is not leader (it then waits for a release).
func (env *handoverEnv) start(b *testing.B, i int) {
	units := [2]string{"redis/0", "redis/1"}
	t, err := leadership.NewTracker(leadership.TrackerConfig{
		Manager:     env.managers[i],
		ServiceName: "redis",
		UnitName:    units[i],
		Duration:    time.Hour,
		Clock:       env.clock,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { worker.Stop(t) })
	env.trackers[i] = t
	if i != env.leader && !t.WaitMinion().Wait() {
		b.Fatalf("%s's tracker stopped", units[i])
	}
}

// handover stops the leader's tracker and waits until the other unit's
// tracker leads; then, untimed, it restarts the old leader's tracker, now
// the waiter.
func (env *handoverEnv) handover(b *testing.B) {
	old, next := env.leader, 1-env.leader
	leading := env.trackers[next].WaitLeader()
	if err := worker.Stop(env.trackers[old]); err != nil {
		b.Fatal(err)
	}
	if env.managers[0] != env.managers[1] {
		env.clock.Advance(handoverSleep)
	}
	if !leading.Wait() {
		b.Fatal("waiting tracker stopped")
	}
	b.StopTimer()
	env.leader = next
	env.start(b, old)
	b.StartTimer()
}
