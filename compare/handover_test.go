package compare_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/seed07a61904/leadership/leadership"
)

const (
	// waiter is the unit that waits to take over.
	waiter = "service/1"
	// otherSleep is the MaxSleep of the waiting unit's controller: it
	// reads the store at least that often, and so sees a revocation made
	// through another controller at most that late.
	otherSleep = time.Second
)

// BenchmarkHandover times a graceful handover to a unit that is already
// waiting: from the leader's giving up to the waiting unit's becoming
// leader.
//
//   - etcd: one session's campaign Resigns; another session's Campaign,
//     already waiting (its watch on the key before it synced), returns.
//   - ours: RevokeLeadership through controller-0 (one mgo/txn
//     transaction on mongo); the unit waiting on controller-1 is released
//     at that manager's next read of the store, here its wake, made to
//     come at once by moving the fake clock by its MaxSleep (a Refresh);
//     it then claims through controller-1 (one transaction).
//
// In real time, ours adds the wait for controller-1's next poll, at most
// its ClockPoll (200ms by default; BenchmarkHandoverAcross times it). A
// waiter on the leader's own controller is released at once, without it.
func BenchmarkHandover(b *testing.B) {
	b.Run("impl=etcd", func(b *testing.B) {
		env := newEtcdEnv(b)
		elections := env.twoElections(b)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			env.handOver(b, elections, i)
		}
		b.StopTimer()
	})
	forOurImpls(b, func(b *testing.B, mongo bool) {
		env := newOursEnvWith(b, &oursEnv{mongo: mongo, otherSleep: otherSleep})
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			done := env.startHandover(b)
			b.StartTimer()
			env.handover(b, done)
		}
		b.StopTimer()
	})
}

// waitForCandidates waits until n campaigns have put their keys under
// prefix.
func (env *etcdEnv) waitForCandidates(tb testing.TB, prefix string, n int64) {
	deadline := time.Now().Add(etcdReadyWait)
	for {
		resp, err := env.client.Get(context.Background(), prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err != nil {
			tb.Fatal(err)
		}
		if resp.Count >= n {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%d campaigns under %s, want %d", resp.Count, prefix, n)
		}
	}
}

// waitForWatchers waits until done, given the embedded etcd server's
// watcher gauges (all watchers, and those not yet synced), returns true.
// The gauges are registered with Prometheus's default registry by etcd's
// mvcc package.
func waitForWatchers(tb testing.TB, done func(total, slow float64) bool) {
	deadline := time.Now().Add(etcdReadyWait)
	for {
		total, slow := watcherGauges(tb)
		if done(total, slow) {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("etcd watchers: %v, %v unsynced", total, slow)
		}
	}
}

// watcherGauges returns etcd's watcher_total and slow_watcher_total.
func watcherGauges(tb testing.TB) (total, slow float64) {
	families, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	found := 0
	for _, f := range families {
		switch f.GetName() {
		case "etcd_debugging_mvcc_watcher_total":
			total = f.GetMetric()[0].GetGauge().GetValue()
			found++
		case "etcd_debugging_mvcc_slow_watcher_total":
			slow = f.GetMetric()[0].GetGauge().GetValue()
			found++
		}
	}
	if found != 2 {
		tb.Fatal("etcd's watcher gauges are not registered")
	}
	return total, slow
}

// startHandover sets up, untimed, one handover: the unit leads through
// controller-0, and the waiter, on controller-1, has been denied once and
// is waiting for the release. It returns the channel on which the waiter
// reports its successful claim. The environment may start afresh first.
func (env *oursEnv) startHandover(tb testing.TB) <-chan error {
	env.ops += 3 // claim, revoke and the waiter's claim, besides tick's
	env.tick(tb)
	if err := env.other.(leadership.Revoker).RevokeLeadership(service, waiter); err != nil &&
		!errors.Is(err, leadership.ErrNotLeader) {
		tb.Fatal(err)
	}
	env.claim(tb)
	denied := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- env.waitAndClaim(denied) }()
	select {
	case <-denied:
	case err := <-done:
		tb.Fatalf("waiter finished before the handover: %v", err)
	}
	// Controller-1's next wake is otherSleep after its last.
	if err := env.clock.WaitAlarmFor(env.clock.Now().Add(otherSleep), time.Minute); err != nil {
		tb.Fatal(err)
	}
	return done
}

// waitAndClaim is the waiting unit: it claims through controller-1 and,
// while denied, waits for a release and claims again. It closes denied
// after its first denial.
func (env *oursEnv) waitAndClaim(denied chan<- struct{}) error {
	blocker := env.other.(leadership.ContextBlocker)
	for first := true; ; first = false {
		err := env.other.ClaimLeadership(service, waiter, leaseDuration)
		if !errors.Is(err, leadership.ErrClaimDenied) {
			return err
		}
		if first {
			close(denied)
		}
		if err := blocker.BlockUntilLeadershipReleasedContext(context.Background(), service); err != nil {
			return err
		}
	}
}

// handover is the timed part: the revoke through controller-0, then
// controller-1's wake, until the waiter's claim has returned.
func (env *oursEnv) handover(tb testing.TB, done <-chan error) {
	if err := env.manager.(leadership.Revoker).RevokeLeadership(service, unit); err != nil {
		tb.Fatal(err)
	}
	env.clock.Advance(otherSleep)
	if err := <-done; err != nil {
		tb.Fatal(err)
	}
}
