package leadership

import (
	"math"
	"time"

	gc "gopkg.in/check.v1"
)

// trackerPolicySuite is the table test of the tracker's renew and
// back-off policy.
type trackerPolicySuite struct{}

var _ = gc.Suite(&trackerPolicySuite{})

// TestTrackerTimingDefaults checks that the zero durations of a
// TrackerConfig stand for the fractions of Duration a tracker has always
// used, and that set ones are kept.
func (s *trackerPolicySuite) TestTrackerTimingDefaults(c *gc.C) {
	for _, test := range []struct {
		config TrackerConfig
		want   trackerTiming
	}{{
		config: TrackerConfig{Duration: time.Minute},
		want: trackerTiming{lease: time.Minute, renewAfter: 30 * time.Second, guarantee: 30 * time.Second,
			retry: 3750 * time.Millisecond, maxRetry: 30 * time.Second, resignPause: time.Minute},
	}, {
		config: TrackerConfig{Duration: time.Millisecond},
		want: trackerTiming{lease: time.Millisecond, renewAfter: 500 * time.Microsecond, guarantee: 500 * time.Microsecond,
			retry: 62500 * time.Nanosecond, maxRetry: 500 * time.Microsecond, resignPause: time.Millisecond},
	}, {
		config: TrackerConfig{Duration: time.Minute, RenewAfter: 20 * time.Second, ClaimDuration: 40 * time.Second,
			RetryPeriod: time.Second, MaxRetryPeriod: 10 * time.Second, ResignPause: 5 * time.Second},
		want: trackerTiming{lease: time.Minute, renewAfter: 20 * time.Second, guarantee: 40 * time.Second,
			retry: time.Second, maxRetry: 10 * time.Second, resignPause: 5 * time.Second},
	}} {
		if got := timingOf(test.config); got != test.want {
			c.Errorf("timingOf(%+v):\n got %+v\nwant %+v", test.config, got, test.want)
		}
	}
}

// TestTrackerBackoff checks the back-off after n failures in a row:
// retry, doubled for each failure after the first, capped at maxRetry;
// and its invariant, on every row: within [retry, maxRetry] (at least a
// nanosecond), never decreasing as failures grow.
func (s *trackerPolicySuite) TestTrackerBackoff(c *gc.C) {
	for _, test := range []struct {
		retry, maxRetry time.Duration
		want            []time.Duration // after 1, 2, ... failures
	}{
		// Duration 30s's defaults: Duration/16 up to Duration/2.
		{1875 * time.Millisecond, 15 * time.Second,
			[]time.Duration{1875 * time.Millisecond, 3750 * time.Millisecond, 7500 * time.Millisecond, 15 * time.Second, 15 * time.Second}},
		// A cap that is not a power-of-two multiple of retry.
		{time.Second, 5 * time.Second,
			[]time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}},
		{time.Second, time.Second,
			[]time.Duration{time.Second, time.Second, time.Second}},
		// A zero retry (Duration/16 of a tiny Duration) waits a nanosecond.
		{0, 0, []time.Duration{time.Nanosecond, time.Nanosecond}},
		// Doubling near the top of time.Duration does not overflow.
		{math.MaxInt64 / 3, math.MaxInt64,
			[]time.Duration{math.MaxInt64 / 3, math.MaxInt64 / 3 * 2, math.MaxInt64, math.MaxInt64}},
	} {
		p := trackerTiming{retry: test.retry, maxRetry: test.maxRetry}
		for i, want := range test.want {
			if got := p.backoff(i + 1); got != want {
				c.Errorf("backoff(%d) with retry %v, max %v = %v, want %v", i+1, test.retry, test.maxRetry, got, want)
			}
		}
		low := test.retry
		if low <= 0 {
			low = time.Nanosecond
		}
		prev := time.Duration(0)
		for n := 1; n <= 100; n++ {
			got := p.backoff(n)
			if got < low || (got > test.maxRetry && test.maxRetry > 0) || got < prev {
				c.Errorf("backoff(%d) with retry %v, max %v = %v: outside [%v, %v], or below backoff(%d) = %v",
					n, test.retry, test.maxRetry, got, low, test.maxRetry, n-1, prev)
			}
			prev = got
		}
	}
}

// TestTrackerRenewAndTermEnd checks when a claim's renewal is due and its
// term ends, for valid policies: the renewal is due inside the term, with
// the guarantee still covered and room for a retry, as the invariants of
// trackerTiming say.
func (s *trackerPolicySuite) TestTrackerRenewAndTermEnd(c *gc.C) {
	start := time.Date(2073, 3, 3, 1, 0, 0, 5, time.UTC)
	for _, config := range []TrackerConfig{
		{Duration: time.Minute},
		{Duration: time.Millisecond},
		{Duration: time.Minute, RenewAfter: 10 * time.Second, ClaimDuration: 50 * time.Second},
		{Duration: time.Minute, RenewAfter: 59 * time.Second, ClaimDuration: time.Second, RetryPeriod: time.Second / 2},
	} {
		if err := config.validateTiming(); err != nil {
			c.Fatalf("%+v: %v", config, err)
		}
		p := timingOf(config)
		renew, end := p.renewAt(start), p.termEnd(start)
		if !renew.After(start) || !renew.Before(end) {
			c.Errorf("%+v: renewal at %v, outside the term (%v, %v)", config, renew, start, end)
		}
		if renew.Add(p.guarantee).After(end) {
			c.Errorf("%+v: a guarantee given as the renewal is due, until %v, outlasts the term, until %v", config, renew.Add(p.guarantee), end)
		}
		if !renew.Add(p.retry).Before(end) {
			c.Errorf("%+v: the first retry of a failed renewal, at %v, is not within the term, until %v", config, renew.Add(p.retry), end)
		}
	}
}
