package bench_test

import (
	"testing"
	"time"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// handoverMaxSleep is the managers' MaxSleep in BenchmarkHandover: the
// longest a waiter on another controller waits to see a revocation.
const handoverMaxSleep = 100 * time.Millisecond

// BenchmarkHandover measures, on the real clock and mongotest, a graceful
// handover between two units' trackers: from the leader's tracker's Kill
// (which revokes: one mgo/txn transaction) until the waiting tracker says
// it leads (its claim: another).
//
//   - via=same: both trackers use one manager, which releases the waiter
//     as soon as the revocation is done.
//   - via=other: each unit uses its own manager (controller), with a
//     MaxSleep of handoverMaxSleep; the waiter's manager sees the
//     revocation at its next wake, on average half of that later.
//
// Every freshEvery handovers, untimed, it starts again on a fresh server.
func BenchmarkHandover(b *testing.B) {
	for _, via := range []string{"same", "other"} {
		b.Run("via="+via, func(b *testing.B) {
			var env *handoverEnv
			defer func() { env.stop(b) }()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				if env == nil || env.handovers >= freshEvery {
					env.stop(b)
					env = startHandoverEnv(b, via == "other")
				}
				b.StartTimer()
				env.handover(b)
			}
			b.StopTimer()
		})
	}
}

// handoverEnv is two units' trackers on one or two managers over one
// fresh server, one unit leading and the other waiting.
type handoverEnv struct {
	db         *db
	managers   [2]leadership.ManagerWorker
	trackers   [2]leadership.Tracker
	leader     int
	handovers  int
	separately bool
}

func startHandoverEnv(b *testing.B, separately bool) *handoverEnv {
	env := &handoverEnv{db: startDB(b), separately: separately}
	for i, id := range []string{"controller-0", "controller-1"} {
		if i == 1 && !separately {
			env.managers[1] = env.managers[0]
			break
		}
		var err error
		env.managers[i], err = leadership.NewManager(leadership.ManagerConfig{
			Client:   env.db.newClientAs(b, id, lease.SystemClock{}),
			Clock:    lease.SystemClock{},
			MaxSleep: handoverMaxSleep,
		})
		check(b, err)
	}
	env.startTracker(b, 0)
	if !env.trackers[0].WaitLeader().Wait() {
		b.Fatal("first tracker stopped")
	}
	env.startTracker(b, 1)
	return env
}

// startTracker starts unit i's tracker, and waits, unless it is to lead,
// until it knows that it does not.
func (env *handoverEnv) startTracker(b *testing.B, i int) {
	t, err := leadership.NewTracker(leadership.TrackerConfig{
		Manager:     env.managers[i],
		ServiceName: "redis",
		UnitName:    [2]string{"redis/0", "redis/1"}[i],
		Duration:    10 * time.Second,
		Clock:       lease.SystemClock{},
	})
	check(b, err)
	env.trackers[i] = t
	if i != env.leader && !t.WaitMinion().Wait() {
		b.Fatal("waiting tracker stopped")
	}
}

// handover stops the leader's tracker, and waits until the other's leads;
// then, untimed, it restarts the old leader's tracker as the waiter.
func (env *handoverEnv) handover(b *testing.B) {
	old, next := env.leader, 1-env.leader
	leading := env.trackers[next].WaitLeader()
	env.trackers[old].Kill()
	if err := env.trackers[old].Wait(); err != nil {
		b.Fatal(err)
	}
	if !leading.Wait() {
		b.Fatal("waiting tracker stopped")
	}
	b.StopTimer()
	env.handovers++
	env.leader = next
	env.startTracker(b, old)
	b.StartTimer()
}

// stop stops everything env runs; env may be nil.
func (env *handoverEnv) stop(b *testing.B) {
	if env == nil {
		return
	}
	for _, t := range env.trackers {
		t.Kill()
		if err := t.Wait(); err != nil {
			b.Fatal(err)
		}
	}
	for i, m := range env.managers {
		if i == 1 && !env.separately {
			break
		}
		m.Kill()
		if err := m.Wait(); err != nil {
			b.Fatal(err)
		}
	}
	env.db.close(b)
}
