package leadership_test

import (
	"errors"
	"sync"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
	"github.com/seed07a61904/leadership/worker"
)

// TrackerSettleSuite drives real managers and trackers on one in-memory
// store through renewals, a handover and a failover, moving the fake clock
// only with AdvanceSettled and Settle, as users are told to. It is run by
// TestTracker, not by TestPackage.
type TrackerSettleSuite struct {
	clock    *leasetest.Clock
	store    *leasetest.Store
	managers []leadership.ManagerWorker
	trackers []leadership.Tracker
	// extended counts, by unit, the claims that extended a term.
	mu       sync.Mutex
	extended map[string]int
}

// settleDuration is every tracker's Duration in these tests.
const settleDuration = time.Minute

func (s *TrackerSettleSuite) SetUpTest(c *gc.C) {
	s.clock = leasetest.NewClock(leasetest.Start)
	s.store = leasetest.NewStore(s.clock)
	s.managers, s.trackers = nil, nil
	s.extended = make(map[string]int)
	for _, id := range []string{"controller-0", "controller-1"} {
		manager, err := leadership.NewManager(leadership.ManagerConfig{
			Client:   s.store.MustNewClient(id),
			Clock:    s.clock,
			Observer: leadership.ObserverFunc(s.observe),
		})
		c.Assert(err, jc.ErrorIsNil)
		s.managers = append(s.managers, manager)
	}
}

func (s *TrackerSettleSuite) TearDownTest(c *gc.C) {
	for _, w := range s.trackers {
		w.Kill()
	}
	for _, w := range s.managers {
		w.Kill()
	}
	for _, w := range s.trackers {
		// A tracker whose manager was killed stops with ErrStopped.
		if err := w.Wait(); err != nil {
			c.Check(err, jc.Satisfies, isStopped)
		}
	}
	for _, w := range s.managers {
		c.Check(w.Wait(), jc.ErrorIsNil)
	}
}

func isStopped(err error) bool {
	return leadership.ErrStopped == err || errors.Is(err, leadership.ErrStopped)
}

func (s *TrackerSettleSuite) observe(e leadership.Event) {
	if e.Kind == leadership.EventClaim && e.Result == leadership.ResultExtended {
		s.mu.Lock()
		s.extended[e.Unit]++
		s.mu.Unlock()
	}
}

func (s *TrackerSettleSuite) renewals(unit string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.extended[unit]
}

// track starts a tracker for unit of "redis" on the i-th manager.
func (s *TrackerSettleSuite) track(c *gc.C, i int, unit string) leadership.Tracker {
	tracker := newTrackerFor(c, s.managers[i], s.clock, unit, settleDuration)
	s.trackers = append(s.trackers, tracker)
	return tracker
}

// lease returns what the store holds of redis's lease.
func (s *TrackerSettleSuite) lease(c *gc.C) (lease.Info, bool) {
	reader := s.store.MustNewClient("reader")
	c.Assert(reader.Refresh(), jc.ErrorIsNil)
	info, ok := reader.Leases()["redis"]
	return info, ok
}

// settled moves the clock by d with AdvanceSettled.
func (s *TrackerSettleSuite) advance(c *gc.C, d time.Duration) {
	c.Assert(s.clock.AdvanceSettled(d, LongWait), jc.ErrorIsNil)
}

// answer returns the answer of a ticket that must already be answered:
// after Settle, nothing is left for the tracker to wait for.
func answer(c *gc.C, t leadership.Ticket) bool {
	receive(c, t.Ready(), "ticket not answered after settling")
	return t.Wait()
}

func (s *TrackerSettleSuite) TestRenewsEveryHalfTerm(c *gc.C) {
	leader := s.track(c, 0, "redis/0")
	c.Assert(s.clock.Settle(LongWait), jc.ErrorIsNil)
	minion := s.track(c, 1, "redis/1")
	c.Assert(s.clock.Settle(LongWait), jc.ErrorIsNil)
	c.Assert(answer(c, leader.WaitLeader()), jc.IsTrue)
	c.Assert(answer(c, minion.WaitMinion()), jc.IsTrue)

	// Each step reaches the renewal's instant exactly; the renewal has
	// been answered and the next one scheduled when AdvanceSettled
	// returns, so the lease then ends a whole Duration later.
	for i := 1; i <= 6; i++ {
		s.advance(c, settleDuration/2)
		c.Check(s.renewals("redis/0"), gc.Equals, i)
		info, ok := s.lease(c)
		c.Assert(ok, jc.IsTrue)
		c.Check(info.Holder, gc.Equals, "redis/0")
		c.Check(info.Expiry.Equal(s.clock.Now().Add(settleDuration)), jc.IsTrue,
			gc.Commentf("renewal %d: expiry %s, now %s", i, info.Expiry, s.clock.Now()))
		c.Check(answer(c, leader.ClaimLeader()), jc.IsTrue)
		c.Check(answer(c, minion.ClaimLeader()), jc.IsFalse)
	}

	// One long step: every renewal still fires at its own time.
	s.advance(c, 5*settleDuration)
	c.Check(s.renewals("redis/0"), gc.Equals, 16)
	c.Check(answer(c, leader.ClaimLeader()), jc.IsTrue)
	c.Check(s.renewals("redis/1"), gc.Equals, 0)
}

// handoverPair starts redis/0's tracker on manager 0 and settles, then
// redis/1's on manager m, and moves the clock on until redis/1 is a
// minion.
func (s *TrackerSettleSuite) handoverPair(c *gc.C, m int) (leader, minion leadership.Tracker) {
	leader = s.track(c, 0, "redis/0")
	c.Assert(s.clock.Settle(LongWait), jc.ErrorIsNil)
	minion = s.track(c, m, "redis/1")
	s.advance(c, 3*settleDuration/2)
	c.Assert(answer(c, minion.WaitMinion()), jc.IsTrue)
	return leader, minion
}

func (s *TrackerSettleSuite) TestHandoverOnStop(c *gc.C) {
	leader, minion := s.handoverPair(c, 0)

	// The leader revokes as it stops; on the same manager, the minion's
	// wait for a release returns at once, and its claim is answered
	// before Settle returns.
	c.Assert(worker.Stop(leader), jc.ErrorIsNil)
	c.Assert(s.clock.Settle(LongWait), jc.ErrorIsNil)
	c.Check(answer(c, minion.ClaimLeader()), jc.IsTrue)
	info, ok := s.lease(c)
	c.Assert(ok, jc.IsTrue)
	c.Check(info.Holder, gc.Equals, "redis/1")

	s.advance(c, 5*settleDuration/2)
	c.Check(s.renewals("redis/1"), gc.Equals, 5)
	c.Check(answer(c, minion.ClaimLeader()), jc.IsTrue)
}

func (s *TrackerSettleSuite) TestHandoverOnStopAcrossManagers(c *gc.C) {
	leader, minion := s.handoverPair(c, 1)
	before, ok := s.lease(c)
	c.Assert(ok, jc.IsTrue)

	// The leader revokes as it stops, but the minion's manager learns of
	// it only when it next reads the store: at the latest, when the
	// revoked lease would have ended. Until then nothing happens.
	c.Assert(worker.Stop(leader), jc.ErrorIsNil)
	c.Assert(s.clock.Settle(LongWait), jc.ErrorIsNil)
	_, ok = s.lease(c)
	c.Check(ok, jc.IsFalse)
	c.Check(answer(c, minion.ClaimLeader()), jc.IsFalse)

	s.advance(c, before.Expiry.Sub(s.clock.Now()))
	c.Check(answer(c, minion.ClaimLeader()), jc.IsTrue)
	info, ok := s.lease(c)
	c.Assert(ok, jc.IsTrue)
	c.Check(info.Holder, gc.Equals, "redis/1")
}

func (s *TrackerSettleSuite) TestFailoverWhenLeadersManagerStops(c *gc.C) {
	s.track(c, 0, "redis/0")
	c.Assert(s.clock.Settle(LongWait), jc.ErrorIsNil)
	minion := s.track(c, 1, "redis/1")
	s.advance(c, settleDuration/4)
	c.Assert(answer(c, minion.WaitMinion()), jc.IsTrue)
	claimed := s.clock.Now().Add(-settleDuration / 4)

	// The leader's manager stops (its tracker with it): nobody renews,
	// and nobody revokes. The lease runs out at the end of the term;
	// the other manager expires it just after (a lease can be expired
	// only when the clock is past its expiry: the manager's retry comes
	// a nanosecond later), and the minion takes over at that instant.
	c.Assert(worker.Stop(s.managers[0]), jc.ErrorIsNil)
	c.Assert(s.clock.Settle(LongWait), jc.ErrorIsNil)
	info, ok := s.lease(c)
	c.Assert(ok, jc.IsTrue)
	c.Check(info.Holder, gc.Equals, "redis/0")

	s.advance(c, settleDuration)
	info, ok = s.lease(c)
	c.Assert(ok, jc.IsTrue)
	c.Check(info.Holder, gc.Equals, "redis/1")
	c.Check(info.Expiry.Equal(claimed.Add(2*settleDuration+time.Nanosecond)), jc.IsTrue,
		gc.Commentf("expiry %s, claimed %s", info.Expiry, claimed))
	c.Check(answer(c, minion.ClaimLeader()), jc.IsTrue)
}

// TestClockOutOfStoreRangeAndBack: the clock steps to the year 2300, past
// the last time the store holds, for a while, and then back: every claim
// and every wake fails meanwhile, but neither the managers nor the
// tracker stop, and the tracker leads again once the clock is back.
func (s *TrackerSettleSuite) TestClockOutOfStoreRangeAndBack(c *gc.C) {
	leader := s.track(c, 0, "redis/0")
	c.Assert(s.clock.Settle(LongWait), jc.ErrorIsNil)
	c.Assert(answer(c, leader.WaitLeader()), jc.IsTrue)
	back := s.clock.Now()
	s.clock.Set(time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC))
	s.advance(c, settleDuration)
	c.Check(answer(c, leader.ClaimLeader()), jc.IsFalse)
	s.clock.Set(back)
	s.advance(c, settleDuration)
	c.Check(answer(c, leader.ClaimLeader()), jc.IsTrue)
	info, ok := s.lease(c)
	c.Assert(ok, jc.IsTrue)
	c.Check(info.Holder, gc.Equals, "redis/0")
	for _, w := range s.managers {
		select {
		case <-w.(leadership.Stopping).Dying():
			c.Fatalf("a manager stopped")
		default:
		}
	}
}
