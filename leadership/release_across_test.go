package leadership_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/memstore"
	"github.com/seed07a61904/leadership/internal/releasetest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest/storetest"
)

// The suite of releases across controllers, on the in-memory store; the
// MongoDB client runs it in integration/endtoend.
var _ = gc.Suite(&releasetest.Suite{
	NewStore: func(c *gc.C, clock lease.Clock) (storetest.Store, func()) {
		return memstore.New(clock), nil
	},
})

// ReleaseAcrossSuite runs two managers, two controllers, over one
// in-memory store, with one-hour MaxSleep and the default ClockPoll, for
// the watches across controllers (release_across_watch_test.go).
type ReleaseAcrossSuite struct {
	storeFixture
}

var _ = gc.Suite(&ReleaseAcrossSuite{})

// defaultClockPoll is ManagerConfig.ClockPoll's default.
const defaultClockPoll = releasetest.ClockPoll

// manager starts a manager over a new client of the store, and returns it
// with a channel that receives each of its events.
func (s *ReleaseAcrossSuite) manager(c *gc.C, id string) (leadership.ManagerWorker, <-chan leadership.Event) {
	events := make(chan leadership.Event, 1000)
	m, err := leadership.NewManager(leadership.ManagerConfig{
		Client:   s.store.MustNewClient(id),
		Clock:    s.clock,
		MaxSleep: time.Hour,
		Observer: leadership.ObserverFunc(func(e leadership.Event) { events <- e }),
	})
	c.Assert(err, jc.ErrorIsNil)
	s.stop = append(s.stop, m)
	return m, events
}
