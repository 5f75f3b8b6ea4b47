package bench_test

import (
	"fmt"
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
			runHandovers(b, freshEvery, func() *trackerPair {
				env = startHandoverEnv(b, via == "other")
				return &env.trackerPair
			}, func() { env.handover(b) })
		})
	}
}

// handoverEnv is two units' trackers on one manager, or one each
// (separately), over one fresh server, one unit leading and the other
// waiting.
type handoverEnv struct {
	trackerPair
}

func startHandoverEnv(b *testing.B, separately bool) *handoverEnv {
	env := &handoverEnv{trackerPair{db: startDB(b)}}
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
	env.startTrackers(b, env.startTracker)
	return env
}

// startTracker starts unit i's tracker, with terms of 10s, and waits,
// unless it is to lead, until it knows that it does not.
func (env *handoverEnv) startTracker(b *testing.B, i int) {
	env.newTracker(b, i, 10*time.Second)
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

// runHandovers runs b.N handovers, each timed, by handover, on the
// trackerPair that start starts, untimed, at first and after each run of
// every handovers (a fresh server each time); it stops each pair when
// done with it, and the last one when b ends.
func runHandovers(b *testing.B, every int, start func() *trackerPair, handover func()) {
	var pair *trackerPair
	defer func() {
		if pair != nil {
			pair.stop(b)
		}
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if pair == nil || pair.handovers >= every {
			if pair != nil {
				pair.stop(b)
				pair = nil
			}
			pair = start()
		}
		b.StartTimer()
		handover()
	}
	b.StopTimer()
}

// trackerPair is the units redis/0 and redis/1 of one service, each with
// a tracker on its entry of managers (the two entries may be one
// manager), over one fresh server: the unit leader leads, the other
// waits.
type trackerPair struct {
	db        *db
	managers  [2]leadership.ManagerWorker
	trackers  [2]leadership.Tracker
	leader    int
	handovers int
}

// startTrackers starts unit 0's tracker with start, waits until it
// leads, then starts unit 1's.
func (p *trackerPair) startTrackers(b *testing.B, start func(b *testing.B, i int)) {
	start(b, 0)
	if !p.trackers[0].WaitLeader().Wait() {
		b.Fatal("first tracker stopped")
	}
	start(b, 1)
}

// newTracker starts unit i's tracker on managers[i], with terms of
// duration on the real clock, and waits, unless the unit is to lead,
// until it knows that it does not.
func (p *trackerPair) newTracker(b *testing.B, i int, duration time.Duration) {
	t, err := leadership.NewTracker(leadership.TrackerConfig{
		Manager:     p.managers[i],
		ServiceName: "redis",
		UnitName:    fmt.Sprintf("redis/%d", i),
		Duration:    duration,
		Clock:       lease.SystemClock{},
	})
	check(b, err)
	p.trackers[i] = t
	if i != p.leader && !t.WaitMinion().Wait() {
		b.Fatal("waiting tracker stopped")
	}
}

// stop stops the trackers, then each manager (once, if both units use
// one), then the server.
func (p *trackerPair) stop(b *testing.B) {
	stopAll(b, p.trackers[:])
	managers := p.managers[:]
	if managers[1] == managers[0] {
		managers = managers[:1]
	}
	stopAll(b, managers)
	p.db.close(b)
}
