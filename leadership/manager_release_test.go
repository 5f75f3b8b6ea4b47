package leadership_test

import (
	"sync/atomic"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// ReleaseSuite tests, on a scripted client that counts releases
// (lease.ReleaseWatcher), how a manager follows releases made through
// other controllers: the leases someone is blocked on are read again when
// a poll finds the count changed, and a count is taken as seen only once
// those reads have succeeded.
type ReleaseSuite struct{}

var _ = gc.Suite(&ReleaseSuite{})

// watchingClient is a RefreshingClient whose count of releases the
// scripted calls' callbacks set, playing the store.
type watchingClient struct {
	RefreshingClient
	releases *atomic.Int64
}

var _ lease.ReleaseWatcher = watchingClient{}

// RefreshReleases is part of the lease.ReleaseWatcher interface.
func (c watchingClient) RefreshReleases() error {
	return c.call("RefreshReleases", nil)
}

// Releases is part of the lease.ReleaseWatcher interface.
func (c watchingClient) Releases() int64 {
	return c.releases.Load()
}

// runWatching runs test with a manager (default ClockPoll) over a
// watchingClient that expects calls, and checks that it made them all and
// stopped cleanly.
func runWatching(c *gc.C, calls []call, test func(leadership.ManagerWorker, *clocktest.Clock, *atomic.Int64)) {
	clock := clocktest.NewClock(defaultClockStart)
	client := NewClient(nil, calls)
	releases := &atomic.Int64{}
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client:   watchingClient{RefreshingClient{client}, releases},
		Clock:    clock,
		MaxSleep: defaultMaxSleep,
	})
	c.Assert(err, jc.ErrorIsNil)
	defer func() {
		manager.Kill()
		c.Check(manager.Wait(), jc.ErrorIsNil)
	}()
	defer client.Wait(c)
	test(manager, clock, releases)
}

// TestFollowRetriesAfterFailedRead: a poll finds the count changed, but
// reading the waited lease meets contention: the manager backs off (50ms)
// and, at its next poll, reads the lease again although the count has not
// changed since, and releases the waiter.
func (s *ReleaseSuite) TestFollowRetriesAfterFailedRead(c *gc.C) {
	var releases *atomic.Int64
	released := func(leases map[string]lease.Info) {
		delete(leases, "redis")
		releases.Add(1)
	}
	calls := []call{
		readRedis(nil, holdRedis("redis/0", time.Hour)), // the block
		{method: "RefreshClocks", callback: released},
		{method: "RefreshLease", args: []interface{}{"redis"}, err: lease.ErrExcessiveContention},
		{method: "RefreshClocks"},
		readRedis(nil, nil),
	}
	runWatching(c, calls, func(manager leadership.ManagerWorker, clock *clocktest.Clock, count *atomic.Int64) {
		releases = count
		bt := blockedOn(c, manager, "redis")
		advanceToAlarm(c, clock, 200*time.Millisecond)
		c.Assert(clock.WaitAlarmFor(offset(250*time.Millisecond), LongWait), jc.ErrorIsNil)
		bt.assertBlocked(c)
		clock.Advance(50 * time.Millisecond)
		c.Check(bt.assertUnblocked(c), jc.ErrorIsNil)
	})
}

// TestNoWaiterNoReads: with nobody blocked, a changed count costs no
// read: the poll reads the clocks alone.
func (s *ReleaseSuite) TestNoWaiterNoReads(c *gc.C) {
	var releases *atomic.Int64
	calls := []call{
		{method: "RefreshClocks", callback: func(map[string]lease.Info) { releases.Add(1) }},
		{method: "RefreshClocks"},
	}
	runWatching(c, calls, func(_ leadership.ManagerWorker, clock *clocktest.Clock, count *atomic.Int64) {
		releases = count
		for _, at := range []time.Duration{200 * time.Millisecond, 400 * time.Millisecond} {
			advanceToAlarm(c, clock, at)
		}
		c.Assert(clock.WaitAlarmFor(offset(600*time.Millisecond), LongWait), jc.ErrorIsNil)
	})
}
