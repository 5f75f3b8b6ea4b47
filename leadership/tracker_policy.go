package leadership

import (
	"fmt"
	"time"

	"github.com/juju/errors"
)

// trackerTiming is a tracker's timing policy: the durations of
// [TrackerConfig] with their defaults applied. Every duration the tracker
// waits, claims for or promises comes from here.
//
// The invariants below are what [TrackerConfig.Validate] enforces, and
// what the tracker's safety and liveness rest on:
//
//   - 0 < renewAfter < lease: a renewal is due inside the term of the claim
//     it renews (a term is lease long, counted from its claim's start).
//   - 0 < guarantee <= lease - renewAfter: until the renewal is due, the
//     term covers a true ClaimLeader's guarantee, so ClaimLeader answers
//     at once while renewals come on time. Safety does not rest on this
//     one: ClaimLeader answers true only when the term covers the
//     guarantee (see covers), whatever the policy.
//   - 0 < retry < lease - renewAfter: a renewal that fails is retried at
//     least once within its term.
//   - retry <= maxRetry: the back-off grows from retry to maxRetry.
//   - resignPause > 0: a tracker that resigned claims again, at the
//     earliest, that long after it stood aside.
type trackerTiming struct {
	lease       time.Duration // each claim's duration: the length of a term
	renewAfter  time.Duration // from a successful claim's start to its renewal
	guarantee   time.Duration // how long a true ClaimLeader guarantees
	retry       time.Duration // the back-off after a first failure
	maxRetry    time.Duration // the longest back-off
	resignPause time.Duration // how long a tracker stands aside after Resign
}

// The defaults, as fractions of Duration, that the zero values of
// [TrackerConfig]'s durations stand for.
const (
	defaultRenewDivisor = 2  // RenewAfter: Duration/2
	defaultClaimDivisor = 2  // ClaimDuration: Duration/2
	defaultRetryDivisor = 16 // RetryPeriod: Duration/16
	defaultMaxRetryDiv  = 2  // MaxRetryPeriod: Duration/2
)

// timingOf returns config's timing policy: each duration as set, or its
// default if zero. It does not check the invariants: Validate does.
func timingOf(config TrackerConfig) trackerTiming {
	d := config.Duration
	or := func(set, def time.Duration) time.Duration {
		if set != 0 {
			return set
		}
		return def
	}
	return trackerTiming{
		lease:       d,
		renewAfter:  or(config.RenewAfter, d/defaultRenewDivisor),
		guarantee:   or(config.ClaimDuration, d/defaultClaimDivisor),
		retry:       or(config.RetryPeriod, d/defaultRetryDivisor),
		maxRetry:    or(config.MaxRetryPeriod, d/defaultMaxRetryDiv),
		resignPause: or(config.ResignPause, d),
	}
}

// termEnd returns the end of the term of a claim that started at start
// (in monotonic time): lease after it.
func (p trackerTiming) termEnd(start time.Time) time.Time {
	return start.Add(p.lease)
}

// renewAt returns when to renew a claim that started at start: renewAfter
// after it, which the invariants put before termEnd(start).
func (p trackerTiming) renewAt(start time.Time) time.Time {
	return start.Add(p.renewAfter)
}

// backoff returns how long to wait before the next call after failures
// calls failed in a row (at least 1): retry, doubled for each failure after
// the first, at most maxRetry, and at least a nanosecond. It never
// decreases as failures grows, and never overflows.
func (p trackerTiming) backoff(failures int) time.Duration {
	d, limit := p.retry, p.maxRetry
	for i := 1; i < failures && d < limit; i++ {
		if d > limit/2 {
			d = limit
		} else {
			d *= 2
		}
	}
	if d > limit {
		d = limit
	}
	if d <= 0 {
		d = time.Nanosecond
	}
	return d
}

// validateTiming returns an error for the first duration of config after
// Duration (which must be valid) that breaks its rule, or nil: the
// invariants of [trackerTiming], checked on the durations in force. Each
// message names the field, the value in force (and that it is the
// default, if the field is zero), the rule, and the other values the rule
// involves.
func (config TrackerConfig) validateTiming() error {
	p := timingOf(config)
	for _, f := range []struct {
		name string
		set  time.Duration
		def  string
	}{
		{"RenewAfter", config.RenewAfter, "Duration/2"},
		{"ClaimDuration", config.ClaimDuration, "Duration/2"},
		{"RetryPeriod", config.RetryPeriod, "Duration/16"},
		{"MaxRetryPeriod", config.MaxRetryPeriod, "Duration/2"},
		{"ResignPause", config.ResignPause, "Duration"},
	} {
		if f.set < 0 {
			return errors.Errorf("invalid %s %s: it must not be negative (zero means %s)", f.name, f.set, f.def)
		}
	}
	lease := formatDuration(p.lease)
	switch {
	case p.renewAfter >= p.lease:
		return errors.Errorf("invalid RenewAfter %s: the renewal must start before the term ends, less than Duration (%s) after the claim's start",
			inForce(config.RenewAfter, p.renewAfter, "Duration/2"), lease)
	case p.guarantee > p.lease-p.renewAfter:
		return errors.Errorf("invalid ClaimDuration %s: RenewAfter (%s) plus ClaimDuration must be at most Duration (%s), "+
			"so that the term still covers a true ClaimLeader's guarantee when the renewal is due",
			inForce(config.ClaimDuration, p.guarantee, "Duration/2"), inForce(config.RenewAfter, p.renewAfter, "Duration/2"), lease)
	case p.retry >= p.lease-p.renewAfter:
		return errors.Errorf("invalid RetryPeriod %s: RenewAfter (%s) plus RetryPeriod must be less than Duration (%s), "+
			"so that a failed renewal is retried within its term",
			inForce(config.RetryPeriod, p.retry, "Duration/16"), inForce(config.RenewAfter, p.renewAfter, "Duration/2"), lease)
	case p.maxRetry < p.retry:
		return errors.Errorf("invalid MaxRetryPeriod %s: it must be at least RetryPeriod (%s)",
			inForce(config.MaxRetryPeriod, p.maxRetry, "Duration/2"), inForce(config.RetryPeriod, p.retry, "Duration/16"))
	}
	return nil
}

// inForce formats a duration of TrackerConfig: set, or if set is zero,
// the default in force and what it is ("0, so Duration/2 = 30s").
func inForce(set, inForce time.Duration, def string) string {
	if set != 0 {
		return formatDuration(set)
	}
	return fmt.Sprintf("0, so %s = %s", def, formatDuration(inForce))
}
