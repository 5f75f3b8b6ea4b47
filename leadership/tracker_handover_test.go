package leadership_test

import (
	"errors"
	"math"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/worker"
)

// TrackerHandoverSuite runs trackers on real managers over one in-memory
// store. It is run by TestTracker.
type TrackerHandoverSuite struct {
	storeFixture
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

// checkLeaders checks that manager reports want as the leaders.
func checkLeaders(c *gc.C, manager leadership.Manager, want map[string]string) {
	leaders, err := manager.(leadership.LeaderReader).Leaders()
	c.Assert(err, jc.ErrorIsNil)
	c.Check(leaders, jc.DeepEquals, want)
}

func (s *TrackerHandoverSuite) tracker(c *gc.C, m leadership.Manager, unit string) leadership.Tracker {
	return newTrackerFor(c, m, s.clock, unit, trackDuration)
}

// leaderAndMinion starts redis/0's tracker on a and waits until it leads,
// then redis/1's on b and waits until it is a minion.
func (s *TrackerHandoverSuite) leaderAndMinion(c *gc.C, a, b leadership.Manager) (leader, minion leadership.Tracker) {
	leader = s.tracker(c, a, "redis/0")
	assertTicket(c, leader.WaitLeader(), true)
	minion = s.tracker(c, b, "redis/1")
	assertTicket(c, minion.WaitMinion(), true)
	return leader, minion
}

// Two trackers on one manager: killing the leader revokes its lease, and
// the waiting unit claims at once, without the clock moving.
func (s *TrackerHandoverSuite) TestHandoverOnOneManager(c *gc.C) {
	m := s.manager(c, "a", time.Hour)
	first, second := s.leaderAndMinion(c, m, m)
	defer worker.Stop(second)
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
	first, second := s.leaderAndMinion(c, a, b)
	defer worker.Stop(second)
	leaderTicket := second.WaitLeader()

	c.Check(worker.Stop(first), jc.ErrorIsNil)
	select {
	case <-leaderTicket.Ready():
	default:
		advanceToAlarm(c, s.clock, time.Second)
	}
	assertTicket(c, leaderTicket, true)
}

// A unit whose tracker is killed while minion does not disturb the leader.
func (s *TrackerHandoverSuite) TestKillMinion(c *gc.C) {
	m := s.manager(c, "a", time.Hour)
	first, second := s.leaderAndMinion(c, m, m)
	defer worker.Stop(first)
	c.Check(worker.Stop(second), jc.ErrorIsNil)
	assertTicket(c, first.ClaimLeader(), true)
	checkLeaders(c, m, map[string]string{"redis": "redis/0"})
}

// A Duration of math.MaxInt64 passes Validate, but every claim for it
// ends after 2262 and the store refuses it: the tracker stops with the
// error rather than staying up as a minion that retries every 18 years.
func (s *TrackerHandoverSuite) TestOutOfRangeDurationStops(c *gc.C) {
	m := s.manager(c, "a", time.Hour)
	tracker := newTrackerFor(c, m, s.clock, "redis/0", math.MaxInt64)
	err := receive(c, waitChan(tracker), "tracker with Duration math.MaxInt64 still running")
	c.Check(errors.Is(err, lease.ErrTimeOutOfRange), jc.IsTrue, gc.Commentf("stopped with %v", err))
	assertTicket(c, tracker.ClaimLeader(), false)
	assertTicket(c, tracker.WaitMinion(), false)
}
