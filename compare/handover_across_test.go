package compare_test

import (
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/mgo.v2"

	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// BenchmarkHandoverAcross times, on the real clock, a graceful handover
// to a unit that is already waiting on another controller, with the
// library's default configuration (ClockPoll 200ms, MaxSleep one minute),
// and reports the median and the 99th percentile of the b.N handovers
// (p50-ms, p99-ms) besides their mean:
//
//   - etcd: one session's campaign Resigns; another session's Campaign,
//     already waiting with its watch synced, returns (as in
//     BenchmarkHandover).
//   - ours, mongo and memory: RevokeLeadership through controller-0; the
//     unit waiting on controller-1 (denied, then blocked, then claiming
//     again once released) leads: controller-1 sees the release at its
//     next poll, at most ClockPoll later, then claims (mongo: two mgo/txn
//     transactions on mongotest, and the poll's reads; memory: the
//     in-memory store, so that what is left is the wait for the poll).
//   - ours, mongo-samecontroller, for reference: both units on
//     controller-0, which releases the waiter as soon as the revoke is
//     done; the difference from mongo is the wait for the poll and its
//     reads.
//
// Each handover starts at a random point of controller-1's poll cycle, so
// the wait for the poll is spread over 0 to ClockPoll. Run it with
// -benchtime 100x or more, so that p99 means something.
func BenchmarkHandoverAcross(b *testing.B) {
	b.Run("impl=etcd", func(b *testing.B) {
		env := newEtcdEnv(b)
		elections := env.twoElections(b)
		var times durations
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			times = append(times, env.handOver(b, elections, i))
		}
		b.StopTimer()
		times.report(b)
	})
	for _, impl := range []struct {
		name        string
		mongo, same bool
	}{{"mongo", true, false}, {"memory", false, false}, {"mongo-samecontroller", true, true}} {
		mongo, same := impl.mongo, impl.same
		b.Run("impl="+impl.name, func(b *testing.B) {
			var env *acrossEnv
			b.Cleanup(func() { env.stop(b) })
			var times durations
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				if env == nil || (mongo && env.handovers >= acrossFreshEvery) {
					env.stop(b)
					env = startAcrossEnv(b, mongo, same)
				}
				done := env.prepare(b)
				b.StartTimer()
				began := time.Now()
				if err := env.managers[0].(leadership.Revoker).RevokeLeadership(service, unit); err != nil {
					b.Fatal(err)
				}
				if err := <-done; err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(began))
				b.StopTimer()
				env.reset(b)
			}
			times.report(b)
		})
	}
}

// acrossFreshEvery is how many handovers (four transactions each) run on
// one embedded server before the benchmark, untimed, starts a fresh one
// (see freshEvery).
const acrossFreshEvery = 10

// acrossEnv is two controllers, each a manager with the default
// configuration on the real clock, over one store: mongotest, or the
// in-memory store.
type acrossEnv struct {
	managers [2]leadership.ManagerWorker
	// blocks receives, from controller-1's observer, the services of its
	// reads of single leases and the units of the claims it denied.
	blocks    chan leadership.Event
	server    *mongotest.Server
	session   *mgo.Session
	handovers int
	// same is true if both units use controller-0 (managers[1] is
	// managers[0]), for reference: the handover without the poll.
	same bool
}

func startAcrossEnv(tb testing.TB, mongo, same bool) *acrossEnv {
	env := &acrossEnv{blocks: make(chan leadership.Event, 1000), same: same}
	var newClient func(id string) lease.Client
	if mongo {
		var err error
		if env.server, err = mongotest.Start(); err != nil {
			tb.Fatal(err)
		}
		if env.session, err = env.server.Dial(); err != nil {
			tb.Fatal(err)
		}
		db := env.session.DB("")
		newClient = func(id string) lease.Client {
			client, err := lease.NewClient(lease.ClientConfig{
				Id:         id,
				Namespace:  "service-leadership",
				Collection: "leases",
				Mongo:      lease.NewMongo(db, txnCollection),
				Clock:      lease.SystemClock{},
			})
			if err != nil {
				tb.Fatal(err)
			}
			return client
		}
	} else {
		store := leasetest.NewStore(lease.SystemClock{})
		newClient = func(id string) lease.Client {
			return store.MustNewClient(id)
		}
	}
	for i, id := range []string{"controller-0", "controller-1"} {
		if i == 1 && same {
			env.managers[1] = env.managers[0]
			break
		}
		config := leadership.ManagerConfig{Client: newClient(id), Clock: lease.SystemClock{}}
		if i == 1 || same {
			config.Observer = leadership.ObserverFunc(func(e leadership.Event) {
				denied := e.Kind == leadership.EventClaim && e.Result == leadership.ResultDenied
				read := e.Kind == leadership.EventRefresh && e.Call == leadership.CallRefreshLease
				if denied || read {
					select {
					case env.blocks <- e:
					default:
					}
				}
			})
		}
		manager, err := leadership.NewManager(config)
		if err != nil {
			tb.Fatal(err)
		}
		env.managers[i] = manager
	}
	return env
}

// prepare sets up one handover, untimed: the unit leads through
// controller-0, and the waiter, on controller-1, has been denied and is
// blocked. It returns the channel on which the waiter reports its
// successful claim.
func (env *acrossEnv) prepare(tb testing.TB) <-chan error {
	if err := env.managers[0].ClaimLeadership(service, unit, leaseDuration); err != nil {
		tb.Fatal(err)
	}
	for len(env.blocks) > 0 {
		<-env.blocks
	}
	done := make(chan error, 1)
	go func() { done <- waitAndClaimThrough(env.managers[1]) }()
	// The block's read of the lease follows the denial.
	deadline := time.After(time.Minute)
	for denied := false; ; {
		select {
		case e := <-env.blocks:
			if e.Kind == leadership.EventClaim {
				denied = true
				continue
			}
			if !denied {
				continue
			}
		case err := <-done:
			tb.Fatalf("waiter finished before the handover: %v", err)
		case <-deadline:
			tb.Fatal("waiter never blocked")
		}
		break
	}
	// A round trip through controller-1's loop: the waiter is recorded.
	if _, err := env.managers[1].CheckLeadership(service, waiter); err == nil {
		tb.Fatal("the waiter leads already")
	}
	return done
}

// waitAndClaimThrough is the waiting unit: it claims through m and, while
// denied, waits for a release and claims again.
func waitAndClaimThrough(m leadership.Manager) error {
	for {
		err := m.ClaimLeadership(service, waiter, leaseDuration)
		if !errors.Is(err, leadership.ErrClaimDenied) {
			return err
		}
		if err := m.BlockUntilLeadershipReleased(service); err != nil {
			return err
		}
	}
}

// reset ends a handover, untimed: the waiter, now leader, gives up.
func (env *acrossEnv) reset(tb testing.TB) {
	env.handovers++
	if err := env.managers[1].(leadership.Revoker).RevokeLeadership(service, waiter); err != nil {
		tb.Fatal(err)
	}
}

// stop stops everything env runs; env may be nil.
func (env *acrossEnv) stop(tb testing.TB) {
	if env == nil {
		return
	}
	for i, m := range env.managers {
		if i == 1 && env.same {
			break
		}
		m.Kill()
		if err := m.Wait(); err != nil {
			tb.Fatal(err)
		}
	}
	if env.session != nil {
		env.session.Close()
	}
	if env.server != nil {
		if err := env.server.Close(); err != nil {
			tb.Fatal(err)
		}
	}
}

// durations are the times of a benchmark's operations.
type durations []time.Duration

// report reports the median and the 99th percentile, in milliseconds,
// and logs every sample (see log).
func (d durations) report(b *testing.B) {
	if len(d) == 0 {
		return
	}
	d.log(b, "handover")
	d.sort()
	b.ReportMetric(d.ms(0.50), "p50-ms")
	b.ReportMetric(d.ms(0.99), "p99-ms")
}

// log logs d in milliseconds, in the order measured, on one line
// "samples <what>-ms N=<b.N>: <ms> <ms> ...", from which bench/report
// draws their distribution; go test prints a benchmark's log after its
// result line.
func (d durations) log(b *testing.B, what string) {
	ms := make([]string, len(d))
	for i, x := range d {
		ms[i] = strconv.FormatFloat(float64(x)/float64(time.Millisecond), 'f', 1, 64)
	}
	b.Logf("samples %s-ms N=%d: %s", what, b.N, strings.Join(ms, " "))
}

// sort sorts d, shortest first.
func (d durations) sort() {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
}

// ms returns the q quantile (0 < q <= 1) of d, which is sorted and not
// empty, in milliseconds: the shortest duration that at least a fraction
// q of d is no longer than.
func (d durations) ms(q float64) float64 {
	i := int(math.Ceil(q*float64(len(d)))) - 1
	if i < 0 {
		i = 0
	}
	return float64(d[i]) / float64(time.Millisecond)
}
