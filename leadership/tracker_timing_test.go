package leadership_test

import (
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
)

// TestTimingValidation checks each timing knob's rule: one error per
// field, naming the value in force (and its default), the rule and the
// other values the rule involves.
func (s *TrackerSuite) TestTimingValidation(c *gc.C) {
	base := s.config()
	for i, t := range []struct {
		change func(*leadership.TrackerConfig)
		err    string // "" for valid
	}{
		{func(cfg *leadership.TrackerConfig) {}, ""},
		{func(cfg *leadership.TrackerConfig) {
			cfg.RenewAfter, cfg.ClaimDuration, cfg.RetryPeriod, cfg.MaxRetryPeriod, cfg.ResignPause =
				20*time.Second, 40*time.Second, 5*time.Second, 10*time.Second, time.Nanosecond
		}, ""},
		// At the limits: a guarantee up to the term's end when the
		// renewal is due; a first retry just inside the term.
		{func(cfg *leadership.TrackerConfig) {
			cfg.RenewAfter, cfg.ClaimDuration = 10*time.Second, 50*time.Second
		}, ""},
		{func(cfg *leadership.TrackerConfig) { cfg.RetryPeriod = 30*time.Second - 1 }, ""},
		{func(cfg *leadership.TrackerConfig) {
			cfg.RetryPeriod, cfg.MaxRetryPeriod = 20*time.Second, 20*time.Second
		}, ""},

		{func(cfg *leadership.TrackerConfig) { cfg.RenewAfter = -time.Second },
			`invalid RenewAfter -1s: it must not be negative \(zero means Duration/2\)`},
		{func(cfg *leadership.TrackerConfig) { cfg.RenewAfter = time.Minute },
			`invalid RenewAfter 1m0s: the renewal must start before the term ends, less than Duration \(1m0s\) after the claim's start`},
		{func(cfg *leadership.TrackerConfig) { cfg.ClaimDuration = -time.Nanosecond },
			`invalid ClaimDuration -1ns: it must not be negative \(zero means Duration/2\)`},
		{func(cfg *leadership.TrackerConfig) { cfg.ClaimDuration = 31 * time.Second },
			`invalid ClaimDuration 31s: RenewAfter \(0, so Duration/2 = 30s\) plus ClaimDuration must be at most Duration \(1m0s\), ` +
				`so that the term still covers a true ClaimLeader's guarantee when the renewal is due`},
		// A RenewAfter that leaves the default guarantee uncovered.
		{func(cfg *leadership.TrackerConfig) { cfg.RenewAfter = 45 * time.Second },
			`invalid ClaimDuration 0, so Duration/2 = 30s: RenewAfter \(45s\) plus ClaimDuration must be at most Duration \(1m0s\), .*`},
		{func(cfg *leadership.TrackerConfig) { cfg.RetryPeriod = -time.Second },
			`invalid RetryPeriod -1s: it must not be negative \(zero means Duration/16\)`},
		{func(cfg *leadership.TrackerConfig) { cfg.RetryPeriod = 30 * time.Second },
			`invalid RetryPeriod 30s: RenewAfter \(0, so Duration/2 = 30s\) plus RetryPeriod must be less than Duration \(1m0s\), ` +
				`so that a failed renewal is retried within its term`},
		{func(cfg *leadership.TrackerConfig) { cfg.MaxRetryPeriod = -time.Second },
			`invalid MaxRetryPeriod -1s: it must not be negative \(zero means Duration/2\)`},
		{func(cfg *leadership.TrackerConfig) { cfg.MaxRetryPeriod = time.Second },
			`invalid MaxRetryPeriod 1s: it must be at least RetryPeriod \(0, so Duration/16 = 3.75s\)`},
		{func(cfg *leadership.TrackerConfig) {
			cfg.RetryPeriod, cfg.MaxRetryPeriod = 20*time.Second, 10*time.Second
		},
			`invalid MaxRetryPeriod 10s: it must be at least RetryPeriod \(20s\)`},
		{func(cfg *leadership.TrackerConfig) { cfg.RenewAfter, cfg.RetryPeriod = 10*time.Second, 40*time.Second },
			`invalid MaxRetryPeriod 0, so Duration/2 = 30s: it must be at least RetryPeriod \(40s\)`},
		{func(cfg *leadership.TrackerConfig) { cfg.ResignPause = -time.Second },
			`invalid ResignPause -1s: it must not be negative \(zero means Duration\)`},
		// Duration is checked first: a bad one is reported alone.
		{func(cfg *leadership.TrackerConfig) { cfg.Duration, cfg.RenewAfter = 0, -time.Second },
			`invalid Duration 0: .*`},
	} {
		config := base
		t.change(&config)
		c.Logf("test %d: %+v", i, config)
		err := config.Validate()
		if t.err == "" {
			c.Check(err, jc.ErrorIsNil)
			continue
		}
		c.Check(err, gc.ErrorMatches, t.err)
		tracker, err := leadership.NewTracker(config)
		c.Check(err, gc.ErrorMatches, t.err)
		c.Check(tracker, gc.IsNil)
	}
}

// The knobs drive the tracker: it claims for Duration, renews RenewAfter
// after each claim's start, guarantees ClaimDuration, and backs off from
// RetryPeriod up to MaxRetryPeriod.
func (s *TrackerSuite) TestTimingKnobs(c *gc.C) {
	tracker, err := leadership.NewTracker(leadership.TrackerConfig{
		Manager:        s.manager,
		ServiceName:    "redis",
		UnitName:       "redis/0",
		Duration:       trackDuration,
		RenewAfter:     10 * time.Second,
		ClaimDuration:  20 * time.Second,
		RetryPeriod:    2 * time.Second,
		MaxRetryPeriod: 5 * time.Second,
		Clock:          s.clock,
	})
	c.Assert(err, jc.ErrorIsNil)
	s.tracker = tracker
	c.Check(tracker.ClaimDuration(), gc.Equals, 20*time.Second)
	s.claim(c, nil) // checks the claim's duration, trackDuration
	assertTicket(c, tracker.ClaimLeader(), true)

	s.advanceTo(c, 10*time.Second)
	s.claim(c, errors.New("lol borken"))
	c.Assert(s.clock.WaitAlarmFor(offset(12*time.Second), LongWait), jc.ErrorIsNil)
	// The term no longer covers 20s from now: ClaimLeader waits for
	// the retry.
	s.clock.Set(offset(10*time.Second + time.Nanosecond))
	claimTicket := tracker.ClaimLeader()
	assertNotReady(c, claimTicket)
	at := 10 * time.Second
	for _, wait := range []time.Duration{2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second} {
		at += wait
		s.advanceTo(c, at)
		s.claim(c, errors.New("lol borken"))
	}
	// The term ends at 30s.
	assertNotReady(c, claimTicket)
	s.advanceTo(c, trackDuration)
	assertTicket(c, claimTicket, false)
	at += 5 * time.Second
	s.advanceTo(c, at)
	s.claim(c, nil)
	assertTicket(c, tracker.WaitLeader(), true)
	assertTicket(c, tracker.ClaimLeader(), true)
}
