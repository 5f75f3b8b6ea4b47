package leadership_test

import (
	"errors"
	"math"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
	"github.com/seed07a61904/leadership/worker"
)

// TrackerHandoverSuite runs trackers on real managers over one in-memory
// store. It is run by TestTracker.
type TrackerHandoverSuite struct {
	clock *clocktest.Clock
	store *leasetest.Store
	stop  []worker.Worker
}

func (s *TrackerHandoverSuite) SetUpTest(c *gc.C) {
	s.clock = clocktest.NewClock(defaultClockStart)
	s.store = leasetest.NewStore(s.clock)
	s.stop = nil
}

func (s *TrackerHandoverSuite) TearDownTest(c *gc.C) {
	for i := len(s.stop) - 1; i >= 0; i-- {
		c.Check(worker.Stop(s.stop[i]), jc.ErrorIsNil)
	}
}

func (s *TrackerHandoverSuite) manager(c *gc.C, id string, maxSleep time.Duration) leadership.ManagerWorker {
	m, err := leadership.NewManager(leadership.ManagerConfig{
		Client:   s.store.MustNewClient(id),
		Clock:    s.clock,
		MaxSleep: maxSleep,
	})
	c.Assert(err, jc.ErrorIsNil)
	s.stop = append(s.stop, m)
	return m
}

func (s *TrackerHandoverSuite) tracker(c *gc.C, m leadership.Manager, unit string) leadership.Tracker {
	t, err := leadership.NewTracker(leadership.TrackerConfig{
		Manager:     m,
		ServiceName: "redis",
		UnitName:    unit,
		Duration:    trackDuration,
		Clock:       s.clock,
	})
	c.Assert(err, jc.ErrorIsNil)
	return t
}

// Two trackers on one manager: killing the leader revokes its lease, and
// the waiting unit claims at once, without the clock moving.
func (s *TrackerHandoverSuite) TestHandoverOnOneManager(c *gc.C) {
	m := s.manager(c, "a", time.Hour)
	first := s.tracker(c, m, "redis/0")
	assertTicket(c, first.WaitLeader(), true)
	second := s.tracker(c, m, "redis/1")
	defer worker.Stop(second)
	assertTicket(c, second.WaitMinion(), true)
	leaderTicket := second.WaitLeader()
	assertNotReady(c, leaderTicket)

	c.Check(worker.Stop(first), jc.ErrorIsNil)
	assertTicket(c, leaderTicket, true)
	assertTicket(c, second.ClaimLeader(), true)
}

// Across managers: the waiting unit's manager sees the revocation at its
// next read of that lease (which a manager over a SingleRefresher may
// make before its wake), its MaxSleep wake at the
// latest, long before the lease would have expired.
func (s *TrackerHandoverSuite) TestHandoverAcrossManagers(c *gc.C) {
	a := s.manager(c, "a", time.Hour)
	b := s.manager(c, "b", time.Second)
	first := s.tracker(c, a, "redis/0")
	assertTicket(c, first.WaitLeader(), true)
	second := s.tracker(c, b, "redis/1")
	defer worker.Stop(second)
	assertTicket(c, second.WaitMinion(), true)
	leaderTicket := second.WaitLeader()

	c.Check(worker.Stop(first), jc.ErrorIsNil)
	select {
	case <-leaderTicket.Ready():
	default:
		c.Assert(s.clock.WaitAlarmFor(offset(time.Second), LongWait), jc.ErrorIsNil)
		s.clock.Advance(time.Second)
	}
	assertTicket(c, leaderTicket, true)
}

// A unit whose tracker is killed while minion does not disturb the leader.
func (s *TrackerHandoverSuite) TestKillMinion(c *gc.C) {
	m := s.manager(c, "a", time.Hour)
	first := s.tracker(c, m, "redis/0")
	defer worker.Stop(first)
	assertTicket(c, first.WaitLeader(), true)
	second := s.tracker(c, m, "redis/1")
	assertTicket(c, second.WaitMinion(), true)
	c.Check(worker.Stop(second), jc.ErrorIsNil)
	assertTicket(c, first.ClaimLeader(), true)
	leaders, err := m.(leadership.LeaderReader).Leaders()
	c.Assert(err, jc.ErrorIsNil)
	c.Check(leaders, jc.DeepEquals, map[string]string{"redis": "redis/0"})
}

// A Duration of math.MaxInt64 passes Validate, but every claim for it
// ends after 2262 and the store refuses it: the tracker stops with the
// error rather than staying up as a minion that retries every 18 years.
func (s *TrackerHandoverSuite) TestOutOfRangeDurationStops(c *gc.C) {
	m := s.manager(c, "a", time.Hour)
	tracker, err := leadership.NewTracker(leadership.TrackerConfig{
		Manager: m, ServiceName: "redis", UnitName: "redis/0",
		Duration: math.MaxInt64, Clock: s.clock,
	})
	c.Assert(err, jc.ErrorIsNil)
	waited := make(chan error, 1)
	go func() { waited <- tracker.Wait() }()
	select {
	case err := <-waited:
		c.Check(errors.Is(err, lease.ErrTimeOutOfRange), jc.IsTrue, gc.Commentf("stopped with %v", err))
	case <-time.After(LongWait):
		c.Fatalf("tracker with Duration math.MaxInt64 still running")
	}
	assertTicket(c, tracker.ClaimLeader(), false)
	assertTicket(c, tracker.WaitMinion(), false)
}
