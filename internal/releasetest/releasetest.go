// Package releasetest is the suite of releases across controllers, run on
// every lease store that a leadership manager can use: two managers, two
// controllers, each over a client of its own of one store, with a MaxSleep
// of one hour and the default ClockPoll. A release through one (a
// revocation, or a lease that one expires) reaches the units blocked
// through the other at that one's next poll, whatever the lease's length;
// a poll reads the count of releases alone when none was counted, and
// then the leases someone waits on; after a poll that failed because the
// store was down, the manager reads every lease again; a watch of a
// lease through one follows, poll by poll, what is done through the
// other.
//
// [Suite] is a gocheck suite. A store's tests register it with the
// function that makes the store for each test, as package storetest's
// conformance suite takes one:
//
//	var _ = gc.Suite(&releasetest.Suite{NewStore: releasetest.NewMemoryStore})
//
// The in-memory store of package leasetest runs it so in package
// leadership's tests, and the MongoDB client in integration/endtoend
// (with a NewStore of mongofixture's). A
// case that needs more than a [storetest.Store] ([storetest.StopStore]
// for an outage, [storetest.ClockStore] for a store that bounds each
// writer's clock) is skipped on a store without it, saying so.
//
// Tests only: nothing in the library imports it.
package releasetest

import (
	"context"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/internal/memstore"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest/storetest"
	"github.com/seed07a61904/leadership/worker"
)

const (
	// LongWait is the real time a test waits for something that must
	// happen before it fails.
	LongWait = 10 * time.Second

	// ShortWait is the real time a test watches for something that must
	// not happen.
	ShortWait = 50 * time.Millisecond

	// ClockPoll is [leadership.ManagerConfig.ClockPoll]'s default, which
	// the suite's managers use.
	ClockPoll = 200 * time.Millisecond
)

// Suite runs the cases of the package on the stores that NewStore makes.
type Suite struct {
	// NewStore returns an empty store for one test, whose clients read
	// clock, and a function that the suite calls at the end of the test,
	// once every manager has stopped, to close it (nil: nothing to close).
	NewStore func(c *gc.C, clock lease.Clock) (storetest.Store, func())

	clock *clocktest.Clock
	store storetest.Store
	close func()
	stop  []worker.Worker
	// cancel ends the test's watches.
	cancel []context.CancelFunc
	// poll is the store read of a manager's poll: RefreshClocks if the
	// store's clients are lease.ClockRefreshers, RefreshReleases if not.
	poll leadership.Call
}

// NewMemoryStore is a Suite's NewStore for the in-memory store of package
// leasetest ([memstore.Store]), which needs no closing.
func NewMemoryStore(_ *gc.C, clock lease.Clock) (storetest.Store, func()) {
	return memstore.New(clock), nil
}

// SetUpTest gives the test a fake clock at [clocktest.Start] and a store.
func (s *Suite) SetUpTest(c *gc.C) {
	s.clock = clocktest.NewClock(clocktest.Start)
	s.store, s.close = s.NewStore(c, s.clock)
	s.stop = nil
}

// TearDownTest ends the test's watches, stops, last first, its trackers
// and managers, checking that each stopped cleanly, and then closes the
// store.
func (s *Suite) TearDownTest(c *gc.C) {
	for _, cancel := range s.cancel {
		cancel()
	}
	s.cancel = nil
	for i := len(s.stop) - 1; i >= 0; i-- {
		c.Check(worker.Stop(s.stop[i]), jc.ErrorIsNil)
	}
	s.stop = nil
	if s.close != nil {
		s.close()
	}
}

// manager starts a manager over a new client of the store, with the id
// given, and returns it with a channel that receives each of its events.
func (s *Suite) manager(c *gc.C, id string) (leadership.ManagerWorker, <-chan leadership.Event) {
	client, err := s.store.NewClient(id)
	c.Assert(err, jc.ErrorIsNil)
	s.poll = leadership.CallRefreshReleases
	if _, ok := client.(lease.ClockRefresher); ok {
		s.poll = leadership.CallRefreshClocks
	}
	events := make(chan leadership.Event, 10000)
	m, err := leadership.NewManager(leadership.ManagerConfig{
		Client:   client,
		Clock:    s.clock,
		MaxSleep: time.Hour,
		Observer: leadership.ObserverFunc(func(e leadership.Event) { events <- e }),
	})
	c.Assert(err, jc.ErrorIsNil)
	s.stop = append(s.stop, m)
	return m, events
}

// managers starts the managers of controllers a and b, as manager does,
// and returns them with the channel of b's events.
func (s *Suite) managers(c *gc.C) (a, b leadership.ManagerWorker, eventsB <-chan leadership.Event) {
	a, _ = s.manager(c, "a")
	b, eventsB = s.manager(c, "b")
	return a, b, eventsB
}

// tracker starts a tracker of unit's, in redis, on m, with terms of a
// minute, which the test stops at its end.
func (s *Suite) tracker(c *gc.C, m leadership.Manager, unit string) leadership.Tracker {
	t, err := leadership.NewTracker(leadership.TrackerConfig{
		Manager: m, ServiceName: "redis", UnitName: unit, Duration: time.Minute, Clock: s.clock,
	})
	c.Assert(err, jc.ErrorIsNil)
	s.stop = append(s.stop, t)
	return t
}
