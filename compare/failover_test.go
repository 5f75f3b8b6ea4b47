package compare_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"
)

// BenchmarkEtcdCrashFailover is etcd's side of the crash-failover
// benchmark (ours is integration/bench's BenchmarkCrashFailover): on the
// real clock, a campaign X leads through an etcd lease of the given TTL,
// renews it once by hand (KeepAliveOnce, its last renewal) and stops
// renewing, as a crashed client does; campaign Y waits in Campaign.
// Reported: the delay from the end of X's guaranteed term (the start of
// its last renewal plus the TTL) until Y's Campaign returns, p50, p99 and
// max (failover-*-ms). etcd expires leases on its own schedule (its lessor
// looks for expired leases every 500ms) and then deletes X's key, which
// wakes Y's watch. Each op is one failover: run with -benchtime=Nx; ns/op
// is meaningless.
func BenchmarkEtcdCrashFailover(b *testing.B) {
	for _, ttl := range []int64{2, 4, 10} {
		b.Run(fmt.Sprintf("ttl=%ds", ttl), func(b *testing.B) {
			env := newEtcdEnv(b)
			var delays durations
			for i := 0; i < b.N; i++ {
				delays = append(delays, etcdFailoverOnce(b, env, ttl, i))
			}
			delays.log(b, "failover")
			delays.sort()
			b.ReportMetric(delays.ms(0.5), "failover-p50-ms")
			b.ReportMetric(delays.ms(0.99), "failover-p99-ms")
			b.ReportMetric(delays.ms(1), "failover-max-ms")
		})
	}
}

// etcdFailoverOnce runs one failover on env's server (see
// BenchmarkEtcdCrashFailover) and returns its delay.
func etcdFailoverOnce(b *testing.B, env *etcdEnv, ttl int64, i int) time.Duration {
	ctx := context.Background()
	prefix := fmt.Sprintf("/failover/%d", i)
	grant, err := env.client.Grant(ctx, ttl)
	if err != nil {
		b.Fatal(err)
	}
	sessionX, err := concurrency.NewSession(env.client, concurrency.WithLease(grant.ID))
	if err != nil {
		b.Fatal(err)
	}
	x := concurrency.NewElection(sessionX, prefix)
	if err := x.Campaign(ctx, "x"); err != nil {
		b.Fatal(err)
	}
	// X stops renewing in the background; from here it renews only by hand.
	sessionX.Orphan()

	y := concurrency.NewElection(env.session, prefix)
	led := make(chan time.Time, 1)
	go func() {
		if err := y.Campaign(ctx, "y"); err != nil {
			b.Error(err)
		}
		led <- time.Now()
	}()

	time.Sleep(time.Duration(ttl) * time.Second / 2)
	renewed := time.Now()
	if _, err := env.client.KeepAliveOnce(ctx, grant.ID); err != nil {
		b.Fatal(err)
	}
	termEnd := renewed.Add(time.Duration(ttl) * time.Second)
	at := <-led
	if err := y.Resign(ctx); err != nil {
		b.Fatal(err)
	}
	delay := at.Sub(termEnd)
	if delay < 0 {
		b.Errorf("Y led %v before X's term ended", -delay)
	}
	return delay
}
