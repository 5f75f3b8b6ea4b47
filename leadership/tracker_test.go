package leadership_test

import (
	"errors"
	"fmt"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/internal/stored"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

type TrackerSuite struct {
	clock   *clocktest.Clock
	manager *stubManager
	tracker leadership.Tracker
}

// TrackerSuite is run by TestTracker, not by TestPackage.

// trackDuration is every tracker's Duration in these tests.
const trackDuration = 30 * time.Second

func (s *TrackerSuite) SetUpTest(c *gc.C) {
	s.clock = clocktest.NewClock(defaultClockStart)
	s.manager = newStubManager()
	s.tracker = nil
}

// TearDownTest stops the tracker, answering whatever it still asks of
// the manager with ErrStopped.
func (s *TrackerSuite) TearDownTest(c *gc.C) {
	if s.tracker == nil {
		return
	}
	s.tracker.Kill()
	waited := make(chan error, 1)
	go func() { waited <- s.tracker.Wait() }()
	deadline := time.After(LongWait)
	for {
		select {
		case mc := <-s.manager.calls:
			mc.reply <- leadership.ErrStopped
		case <-waited:
			return
		case <-deadline:
			c.Fatalf("tracker still running after %v", LongWait)
		}
	}
}

// start starts a tracker for redis/0 on manager.
func (s *TrackerSuite) start(c *gc.C, manager leadership.Manager) leadership.Tracker {
	s.tracker = newTrackerFor(c, manager, s.clock, "redis/0", trackDuration)
	return s.tracker
}

// config is a valid config of a tracker for redis/0 on the suite's
// manager and clock, with one-minute terms.
func (s *TrackerSuite) config() leadership.TrackerConfig {
	return trackerConfig(s.manager, s.clock, "redis/0", time.Minute)
}

// startLeading starts a tracker for redis/0 on the suite's manager, and
// grants its first claim.
func (s *TrackerSuite) startLeading(c *gc.C) leadership.Tracker {
	tracker := s.start(c, s.manager)
	s.claim(c, nil)
	return tracker
}

// claim expects a claim for redis/0 and answers it with err.
func (s *TrackerSuite) claim(c *gc.C, err error) {
	mc := s.manager.expect(c, "ClaimLeadership")
	c.Check(mc.service, gc.Equals, "redis")
	c.Check(mc.unit, gc.Equals, "redis/0")
	c.Check(mc.duration, gc.Equals, trackDuration)
	mc.reply <- err
}

// termEndsAt sets the clock a nanosecond before d after its start and
// checks that tracker still leads there, then sets it to d and checks
// that tracker's term has ended.
func (s *TrackerSuite) termEndsAt(c *gc.C, tracker leadership.Tracker, d time.Duration) {
	s.clock.Set(offset(d - time.Nanosecond))
	assertTicket(c, tracker.WaitLeader(), true)
	s.clock.Set(offset(d))
	assertTicket(c, tracker.WaitMinion(), true)
}

// renewalHangsTermEndsAt takes the tracker's renewal and leaves it
// hanging while it checks that the term ends d after the clock's start
// (see termEndsAt) and that the tracker then answers claims false; then
// the renewal fails.
func (s *TrackerSuite) renewalHangsTermEndsAt(c *gc.C, tracker leadership.Tracker, d time.Duration) {
	renewal := s.manager.expect(c, "ClaimLeadership")
	s.termEndsAt(c, tracker, d)
	assertTicket(c, tracker.ClaimLeader(), false)
	renewal.reply <- leadership.ErrStopped
}

// advanceTo waits until the tracker has set an alarm for offset(d), then
// moves the clock there.
func (s *TrackerSuite) advanceTo(c *gc.C, d time.Duration) {
	advanceToAlarm(c, s.clock, d)
}

func (s *TrackerSuite) TestBasics(c *gc.C) {
	tracker := s.start(c, s.manager)
	c.Check(tracker.ServiceName(), gc.Equals, "redis")
	c.Check(tracker.ClaimDuration(), gc.Equals, trackDuration/2)
	s.claim(c, nil)
}

func (s *TrackerSuite) TestClaimOnStart(c *gc.C) {
	tracker := s.start(c, s.manager)
	// Before the first claim returns, nothing is known.
	claimTicket := tracker.ClaimLeader()
	minionTicket := tracker.WaitMinion()
	assertNotReady(c, claimTicket)
	s.claim(c, nil)
	assertTicket(c, claimTicket, true)
	assertTicket(c, tracker.WaitLeader(), true)
	assertNotReady(c, minionTicket)
}

func (s *TrackerSuite) TestRenewsEveryHalfDuration(c *gc.C) {
	tracker := s.startLeading(c)
	for i := 1; i <= 3; i++ {
		s.advanceTo(c, time.Duration(i)*trackDuration/2)
		s.claim(c, nil)
	}
	// Each renewal started a new term: at 2.5 Durations the unit is
	// still leader, with the last term to run until 2.5 Durations.
	assertTicket(c, tracker.ClaimLeader(), true)
}

func (s *TrackerSuite) TestDeniedWaitsForReleaseThenClaims(c *gc.C) {
	tracker := s.start(c, s.manager)
	leaderTicket := tracker.WaitLeader()
	s.claim(c, leadership.ErrClaimDenied)
	assertTicket(c, tracker.ClaimLeader(), false)
	assertTicket(c, tracker.WaitMinion(), true)
	assertNotReady(c, leaderTicket)

	mc := s.manager.expect(c, "BlockUntilLeadershipReleasedContext")
	c.Check(mc.service, gc.Equals, "redis")
	mc.reply <- nil
	s.claim(c, nil)
	assertTicket(c, leaderTicket, true)
	assertTicket(c, tracker.ClaimLeader(), true)
}

// The safety rule: a renewal that hangs leaves the unit leader only until
// the end of its last term, and not an instant longer.
func (s *TrackerSuite) TestRenewalHangs(c *gc.C) {
	tracker := s.startLeading(c)
	s.advanceTo(c, trackDuration/2)
	hung := s.manager.expect(c, "ClaimLeadership")

	// The term still covers ClaimDuration from now, exactly.
	assertTicket(c, tracker.ClaimLeader(), true)
	// A nanosecond later it does not: the answer waits.
	s.clock.Advance(time.Nanosecond)
	claimTicket := tracker.ClaimLeader()
	minionTicket := tracker.WaitMinion()
	assertNotReady(c, claimTicket)

	// A nanosecond before the term ends, the unit is still leader.
	c.Assert(s.clock.WaitAlarmFor(offset(trackDuration), LongWait), jc.ErrorIsNil)
	s.clock.Set(offset(trackDuration - time.Nanosecond))
	assertTicket(c, tracker.WaitLeader(), true)
	assertNotReady(c, minionTicket)

	// At the end of the term it is a minion.
	s.clock.Set(offset(trackDuration))
	assertTicket(c, minionTicket, true)
	assertTicket(c, claimTicket, false)
	assertTicket(c, tracker.ClaimLeader(), false)

	// The renewal comes back at last: its term counts from its start.
	leaderTicket := tracker.WaitLeader()
	hung.reply <- nil
	assertTicket(c, leaderTicket, true)
	assertTicket(c, tracker.ClaimLeader(), true)
}

// The safety rule again, with renewals that fail: they are retried with
// back-off while the term lasts, and the unit is a minion once it ends.
func (s *TrackerSuite) TestRenewalFails(c *gc.C) {
	tracker := s.startLeading(c)
	s.advanceTo(c, trackDuration/2)
	s.claim(c, errors.New("lol borken"))
	// Retries after D/16, then D/8 more, then D/4 more, all within the
	// term; the next, D/2 later, would come after its end.
	at := trackDuration / 2
	for _, wait := range []time.Duration{trackDuration / 16, trackDuration / 8, trackDuration / 4} {
		at += wait
		s.advanceTo(c, at)
		s.claim(c, errors.New("lol borken"))
	}
	minionTicket := tracker.WaitMinion()
	assertNotReady(c, minionTicket)
	s.advanceTo(c, trackDuration)
	assertTicket(c, minionTicket, true)
	assertTicket(c, tracker.ClaimLeader(), false)

	// The retries go on, at most D/2 apart, and one succeeds.
	s.advanceTo(c, at+trackDuration/2)
	s.claim(c, nil)
	// (A ClaimLeader asked before the loop has the claim's result would
	// be answered false: until then the unit is a minion.)
	assertTicket(c, tracker.WaitLeader(), true)
	assertTicket(c, tracker.ClaimLeader(), true)
}

func (s *TrackerSuite) TestFirstClaimFailsThenSucceeds(c *gc.C) {
	tracker := s.start(c, s.manager)
	s.claim(c, errors.New("lol borken"))
	assertTicket(c, tracker.WaitMinion(), true)
	s.advanceTo(c, trackDuration/16)
	s.claim(c, nil)
	assertTicket(c, tracker.WaitLeader(), true)
}

func (s *TrackerSuite) TestBlockFailsThenClaims(c *gc.C) {
	tracker := s.start(c, s.manager)
	s.claim(c, leadership.ErrClaimDenied)
	s.manager.expect(c, "BlockUntilLeadershipReleasedContext").reply <- errors.New("lol borken")
	s.advanceTo(c, trackDuration/16)
	s.claim(c, nil)
	assertTicket(c, tracker.WaitLeader(), true)
}

func (s *TrackerSuite) TestKillLeaderRevokesBeforeWaitReturns(c *gc.C) {
	tracker := s.startLeading(c)
	pending := tracker.WaitMinion()
	tracker.Kill()
	assertTicket(c, pending, false)

	waited := make(chan error, 1)
	go func() { waited <- tracker.Wait() }()
	mc := s.manager.expect(c, "RevokeLeadership")
	c.Check(mc.service, gc.Equals, "redis")
	c.Check(mc.unit, gc.Equals, "redis/0")
	select {
	case err := <-waited:
		c.Fatalf("Wait returned %v before the revoke did", err)
	case <-time.After(ShortWait):
	}
	mc.reply <- nil
	c.Check(receive(c, waited, "Wait did not return"), jc.ErrorIsNil)
}

// A revoke error that only reads like "not leader", without matching
// ErrNotLeader, is reported by Wait, annotated.
func (s *TrackerSuite) TestKillLeaderRevokeErrorNotMatchingErrNotLeaderIsReported(c *gc.C) {
	tracker := s.startLeading(c)
	tracker.Kill()
	s.manager.expect(c, "RevokeLeadership").reply <- errors.New(`"redis/0" is not leader of "redis"`)
	c.Check(tracker.Wait(), gc.ErrorMatches, `cannot revoke leadership of "redis" for "redis/0": "redis/0" is not leader of "redis"`)
}

func (s *TrackerSuite) TestKillMinionGivesUpWaitWithoutRevoking(c *gc.C) {
	tracker := s.start(c, s.manager)
	s.claim(c, leadership.ErrClaimDenied)
	s.manager.expect(c, "BlockUntilLeadershipReleasedContext")
	c.Check(stopTracker(c, tracker), jc.ErrorIsNil)
	s.manager.expectNone(c)
}

func (s *TrackerSuite) TestKillDuringClaimWaitsAndRevokes(c *gc.C) {
	tracker := s.start(c, s.manager)
	mc := s.manager.expect(c, "ClaimLeadership")
	tracker.Kill()
	mc.reply <- nil
	s.revokedThenStops(c, tracker)
}

func (s *TrackerSuite) TestStoppedAnswersFalse(c *gc.C) {
	tracker := s.start(c, s.manager)
	s.claim(c, leadership.ErrClaimDenied)
	s.manager.expect(c, "BlockUntilLeadershipReleasedContext")
	leaderTicket := tracker.WaitLeader()
	c.Check(stopTracker(c, tracker), jc.ErrorIsNil)
	assertTicket(c, leaderTicket, false)
	assertTicket(c, tracker.ClaimLeader(), false)
	assertTicket(c, tracker.WaitLeader(), false)
	assertTicket(c, tracker.WaitMinion(), false)
}

func (s *TrackerSuite) TestManagerStopped(c *gc.C) {
	tracker := s.start(c, s.manager)
	s.claim(c, leadership.ErrStopped)
	err := tracker.Wait()
	c.Check(errors.Is(err, leadership.ErrStopped), jc.IsTrue)
	c.Check(err, gc.ErrorMatches, `tracking leadership of "redis" for "redis/0": leadership manager stopped`)
	assertTicket(c, tracker.WaitMinion(), false)
}

// A claim whose expiry the store cannot hold stops the tracker with the
// error, without revoking: every retry would fail alike. Here the
// renewal starts 10s before the last time the store holds.
func (s *TrackerSuite) TestClaimTimeOutOfRangeStops(c *gc.C) {
	tracker := s.startLeading(c)
	c.Assert(s.clock.WaitAlarmFor(offset(trackDuration/2), LongWait), jc.ErrorIsNil)
	s.clock.Set(stored.MaxTime.Add(-10 * time.Second))
	s.claim(c, fmt.Errorf("cannot claim lease: %w", lease.ErrTimeOutOfRange))
	err := tracker.Wait()
	c.Check(errors.Is(err, lease.ErrTimeOutOfRange), jc.IsTrue, gc.Commentf("%v", err))
	c.Check(err, gc.ErrorMatches, `tracking leadership of "redis" for "redis/0": cannot claim lease: .*`)
	assertTicket(c, tracker.ClaimLeader(), false)
	assertTicket(c, tracker.WaitMinion(), false)
	s.manager.expectNone(c)
}

// A claim fails with lease.ErrTimeOutOfRange because the clock read a
// time the store cannot hold (it stepped to the year 2300): that says
// nothing of the claim's Duration, and a later claim may work, so the
// tracker retries after its back-off and leads again once the clock is
// set right.
func (s *TrackerSuite) TestClaimTimeOutOfRangeClockRetries(c *gc.C) {
	tracker := s.startLeading(c)
	c.Assert(s.clock.WaitAlarmFor(offset(trackDuration/2), LongWait), jc.ErrorIsNil)
	future := time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
	s.clock.Set(future)
	s.claim(c, fmt.Errorf("cannot claim lease: %w", lease.ErrTimeOutOfRange))
	assertTicket(c, tracker.WaitMinion(), true)
	s.clock.Set(offset(0))
	s.advanceTo(c, trackDuration/16)
	s.claim(c, nil)
	assertTicket(c, tracker.WaitLeader(), true)
}

// A claim fails with lease.ErrTimeOutOfRange although the tracker's
// reading plus Duration is in the store's range: the manager read its
// clock at another time (it stepped between the readings), so the
// tracker retries.
func (s *TrackerSuite) TestClaimTimeOutOfRangeManagerRetries(c *gc.C) {
	tracker := s.start(c, s.manager)
	s.claim(c, fmt.Errorf("cannot claim lease: %w", lease.ErrTimeOutOfRange))
	assertTicket(c, tracker.WaitMinion(), true)
	s.advanceTo(c, trackDuration/16)
	s.claim(c, nil)
	assertTicket(c, tracker.WaitLeader(), true)
}

// A manager without Revoker or ContextBlocker: the tracker stops without
// revoking, and waits for a release without a context.
func (s *TrackerSuite) TestPlainManager(c *gc.C) {
	tracker := s.start(c, plainManager{s.manager})
	s.claim(c, leadership.ErrClaimDenied)
	s.manager.expect(c, "BlockUntilLeadershipReleased").reply <- nil
	s.claim(c, nil)
	assertTicket(c, tracker.WaitLeader(), true)
	c.Check(stopTracker(c, tracker), jc.ErrorIsNil)
	s.manager.expectNone(c)
}

// nilManager is used as a nil pointer in TestValidation.
type nilManager struct{ leadership.Manager }

func (s *TrackerSuite) TestValidation(c *gc.C) {
	valid := s.config()
	c.Check(valid.Validate(), jc.ErrorIsNil)
	// A clock that is not a lease.MonotonicClock, but whose readings
	// carry Go's monotonic reading, is valid.
	monotonicReadings := valid
	monotonicReadings.Clock = wallClock{lease.SystemClock{}}
	c.Check(monotonicReadings.Validate(), jc.ErrorIsNil)
	atMinimum := valid
	atMinimum.Duration = time.Millisecond
	c.Check(atMinimum.Validate(), jc.ErrorIsNil)
	for i, t := range []struct {
		change func(*leadership.TrackerConfig)
		err    string
	}{
		{func(cfg *leadership.TrackerConfig) { cfg.Manager = nil }, "missing manager"},
		{func(cfg *leadership.TrackerConfig) { cfg.ServiceName = "Redis" }, `invalid service name "Redis": it has upper-case 'R' at byte 0; a service name is .*`},
		{func(cfg *leadership.TrackerConfig) { cfg.UnitName = "redis" }, `invalid unit name "redis": it has no "/" .*; a unit name is .*`},
		{func(cfg *leadership.TrackerConfig) { cfg.UnitName = "mysql/0" }, `unit "mysql/0" is not a unit of service "redis": it is a unit of "mysql"; .*`},
		{func(cfg *leadership.TrackerConfig) { cfg.Duration = 0 }, "invalid Duration 0: how long each claim is for must be at least 1ms \\(the tracker renews every Duration/2\\)"},
		{func(cfg *leadership.TrackerConfig) { cfg.Duration = -time.Second }, "invalid Duration -1s: how long each claim is for must be at least 1ms .*"},
		// A Duration of 1ns made ClaimDuration 0, and the tracker
		// renewed again and again at one reading.
		{func(cfg *leadership.TrackerConfig) { cfg.Duration = time.Nanosecond }, "invalid Duration 1ns: how long each claim is for must be at least 1ms .*"},
		{func(cfg *leadership.TrackerConfig) { cfg.Duration = time.Millisecond - 1 }, "invalid Duration 999.999µs: how long each claim is for must be at least 1ms .*"},
		{func(cfg *leadership.TrackerConfig) { cfg.Clock = nil }, `missing clock: set Clock to lease\.SystemClock\{\}, the wall clock \(in tests, a fake one such as leasetest\.NewClock\(leasetest\.Start\)\)`},
		// Typed nils: refused, rather than panicking on the tracker's
		// goroutine.
		{func(cfg *leadership.TrackerConfig) { cfg.Manager = (*nilManager)(nil) }, `invalid manager: nil \*leadership_test.nilManager`},
		{func(cfg *leadership.TrackerConfig) { cfg.Clock = (*clocktest.Clock)(nil) }, `invalid clock: nil \*leasetest.Clock`},
		// A clock that is not a lease.MonotonicClock, and whose readings
		// carry no monotonic reading: the tracker could not measure its
		// term across a step back.
		{func(cfg *leadership.TrackerConfig) { cfg.Clock = wallClock{s.clock} }, `invalid clock leadership_test.wallClock: ` +
			`it read 2073-03-03T01:00:00.000000005-08:40, which carries no monotonic reading, and it is not a lease.MonotonicClock: ` +
			`a tracker could not measure its term across a step of the clock`},
		{func(cfg *leadership.TrackerConfig) { cfg.Clock = utcClock{} }, `invalid clock leadership_test.utcClock: it read .*Z, which carries no monotonic reading, .*`},
	} {
		c.Logf("test %d: %s", i, t.err)
		config := valid
		t.change(&config)
		c.Check(config.Validate(), gc.ErrorMatches, t.err)
		tracker, err := leadership.NewTracker(config)
		c.Check(err, gc.ErrorMatches, t.err)
		c.Check(tracker, gc.IsNil)
	}
}

// wallClock hides every method of a clock but lease.Clock's: it is no
// lease.MonotonicClock.
type wallClock struct {
	lease.Clock
}

// utcClock reads the system's clock in UTC, which strips Go's monotonic
// reading.
type utcClock struct {
	wallClock
}

func (utcClock) Now() time.Time {
	return lease.SystemClock{}.Now().UTC()
}
