package leadership_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
	"github.com/seed07a61904/leadership/worker"
)

// defaultClockStart is clocktest.Start, a hostile instant.
var defaultClockStart = clocktest.Start

// defaultMaxSleep is so long that, unless a test asks for less, the
// manager's MaxSleep wake never comes into a test.
const defaultMaxSleep = 1000 * time.Hour

// offset returns the time d after the clock's start.
func offset(d time.Duration) time.Time {
	return defaultClockStart.Add(d)
}

// almostSeconds returns a nanosecond less than n seconds.
func almostSeconds(n int) time.Duration {
	return time.Duration(n)*time.Second - time.Nanosecond
}

const almostOneSecond = time.Second - time.Nanosecond

// redis0 is the request that claiming redis for redis/0 for a minute makes.
var redis0 = lease.Request{Holder: "redis/0", Duration: time.Minute}

// redisHeld returns a lease held by holder, expiring d after the clock's
// start.
func redisHeld(holder string, d time.Duration) map[string]lease.Info {
	return map[string]lease.Info{"redis": {Holder: holder, Expiry: offset(d)}}
}

// setRedis returns a callback that makes holder hold redis until d after
// the clock's start; "" removes the lease.
func setRedis(holder string, d time.Duration) func(map[string]lease.Info) {
	return func(leases map[string]lease.Info) {
		if holder == "" {
			delete(leases, "redis")
			return
		}
		leases["redis"] = lease.Info{Holder: holder, Expiry: offset(d)}
	}
}

// redisCall is the scripted call method("redis", redis0) (ClaimLease or
// ExtendLease), answered err after then, if not nil, has run.
func redisCall(method string, err error, then func(map[string]lease.Info)) call {
	return call{method: method, args: []interface{}{"redis", redis0}, err: err, callback: then}
}

// expireRedis is what a wake that finds redis run out calls: Refresh, then
// ExpireLease("redis"), answered err after callback, if not nil, has run.
func expireRedis(err error, callback func(map[string]lease.Info)) []call {
	return []call{{method: "Refresh"}, {
		method:   "ExpireLease",
		args:     []interface{}{"redis"},
		err:      err,
		callback: callback,
	}}
}

// holdingRefresh is a scripted Refresh that holds the manager's loop: it
// closes entered, then waits until release is closed.
func holdingRefresh(entered chan<- struct{}, release <-chan struct{}) call {
	return call{method: "Refresh", callback: func(map[string]lease.Info) {
		close(entered)
		<-release
	}}
}

// readRedis is the scripted call RefreshLease("redis"), answered err
// after then, if not nil, has run (it plays what the store holds).
func readRedis(err error, then func(map[string]lease.Info)) call {
	return call{method: "RefreshLease", args: []interface{}{"redis"}, err: err, callback: then}
}

// expireCall is the scripted call ExpireLease(name), answered err; if err
// is nil, the lease is gone after it.
func expireCall(name string, err error) call {
	if err != nil {
		return call{method: "ExpireLease", args: []interface{}{name}, err: err}
	}
	return call{method: "ExpireLease", args: []interface{}{name}, callback: deleteLease(name)}
}

// deleteLease returns a callback that removes the named lease.
func deleteLease(name string) func(map[string]lease.Info) {
	return func(leases map[string]lease.Info) { delete(leases, name) }
}

// dueFixture is a fixture in which redis/0's lease on redis ran out a
// second before the start, with the manager's maxSleep (zero: the
// default) and the expected calls.
func dueFixture(maxSleep time.Duration, calls ...call) *fixture {
	return &fixture{leases: redisHeld("redis/0", -time.Second), maxSleep: maxSleep, expectCalls: calls}
}

// refreshingFixture is a fixture over a RefreshingClient (which reads
// single leases and the clocks) that never polls the clocks, with leases
// and the expected calls.
func refreshingFixture(leases map[string]lease.Info, calls ...call) *fixture {
	return &fixture{refreshing: true, clockPoll: -1, leases: leases, expectCalls: calls}
}

// advanceToAlarm waits until an alarm is set d after the clock's start,
// then moves the clock (forward) to it.
func advanceToAlarm(c *gc.C, clock *clocktest.Clock, d time.Duration) {
	c.Assert(clock.WaitAlarmFor(offset(d), LongWait), jc.ErrorIsNil)
	clock.Set(offset(d))
}

// claimRedis runs fix, claims redis for redis/0 for a minute through its
// manager, and returns the answer.
func claimRedis(c *gc.C, fix *fixture) (err error) {
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err = manager.ClaimLeadership("redis", "redis/0", time.Minute)
	})
	return err
}

// storeFixture is embedded by the suites that run real managers over one
// in-memory store on one fake clock; TearDownTest stops, last first, the
// workers a test adds to stop, and checks that each stopped cleanly.
type storeFixture struct {
	clock *clocktest.Clock
	store *leasetest.Store
	stop  []worker.Worker
}

// SetUpTest gives the test a new clock and store.
func (f *storeFixture) SetUpTest(c *gc.C) {
	f.clock = clocktest.NewClock(defaultClockStart)
	f.store = leasetest.NewStore(f.clock)
	f.stop = nil
}

// TearDownTest stops the test's workers.
func (f *storeFixture) TearDownTest(c *gc.C) {
	for i := len(f.stop) - 1; i >= 0; i-- {
		c.Check(worker.Stop(f.stop[i]), jc.ErrorIsNil)
	}
}

// fixture runs a manager on a scripted Client and a fake clock.
type fixture struct {
	leases      map[string]lease.Info
	expectCalls []call
	// expectDirty means the manager is expected to stop with an error.
	expectDirty bool
	// maxSleep is the manager's MaxSleep; zero means defaultMaxSleep.
	maxSleep time.Duration
	// noRevoker hides the scripted client's RevokeLease from the manager.
	noRevoker bool
	// refreshing gives the manager a RefreshingClient, which reads single
	// leases and the clocks, rather than a plain Client.
	refreshing bool
	// clockPoll is the manager's ClockPoll (zero: the default).
	clockPoll time.Duration
	// batching makes the scripted client a lease.Batcher too
	// (BatchingClient, or RefreshingBatchingClient if refreshing).
	batching bool
	// maxBatch is the manager's MaxBatch (zero: the default).
	maxBatch int
	// steps, if not nil, makes the scripted client a StepClient (over a
	// RefreshingClient) whose stepped refreshes it plays.
	steps *stepScript
	// client is the scripted client of the running test.
	client *Client
}

// waitCalls waits until the scripted client has had every expected call,
// and fails the test if it had an unexpected one.
func (f *fixture) waitCalls(c *gc.C) {
	f.client.Wait(c)
}

// clientOnly hides every method of a client but lease.Client's.
type clientOnly struct {
	lease.Client
}

// RunTest starts a manager and runs test with it. Afterwards it checks
// that every expected call was made, then kills the manager and, unless
// the fixture expects a dirty stop, checks that it stopped cleanly.
func (f *fixture) RunTest(c *gc.C, test func(leadership.ManagerWorker, *clocktest.Clock)) {
	clock := clocktest.NewClock(defaultClockStart)
	client := NewClient(f.leases, f.expectCalls)
	f.client = client
	maxSleep := f.maxSleep
	if maxSleep == 0 {
		maxSleep = defaultMaxSleep
	}
	var managed lease.Client = client
	switch {
	case f.steps != nil:
		f.steps.client = client
		managed = StepClient{RefreshingClient{client}, f.steps}
	case f.noRevoker:
		managed = clientOnly{client}
	case f.refreshing && f.batching:
		managed = RefreshingBatchingClient{RefreshingClient{client}}
	case f.refreshing:
		managed = RefreshingClient{client}
	case f.batching:
		managed = BatchingClient{client}
	}
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client:    managed,
		Clock:     clock,
		MaxSleep:  maxSleep,
		ClockPoll: f.clockPoll,
		MaxBatch:  f.maxBatch,
	})
	c.Assert(err, jc.ErrorIsNil)
	defer func() {
		manager.Kill()
		err := manager.Wait()
		if !f.expectDirty {
			c.Check(err, jc.ErrorIsNil)
		}
	}()
	defer client.Wait(c)
	test(manager, clock)
}
