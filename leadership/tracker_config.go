package leadership

import (
	"log/slog"
	"time"

	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/internal/timeshift"
	"github.com/seed07a61904/leadership/lease"
)

// TrackerConfig holds what [NewTracker] needs.
type TrackerConfig struct {
	// Manager grants the leadership the tracker claims. If it also
	// implements [Revoker], a leading tracker revokes its leadership
	// when it stops; if it implements [ContextBlocker], a stopping
	// tracker gives up its wait for a release at once (otherwise a
	// stopped minion tracker leaves a goroutine blocked in the wait until
	// the leadership is released or the manager stops). Required. A nil
	// Manager, or a nil pointer, is refused; a non-nil value that wraps a
	// nil Manager (a struct embedding Manager, left empty) is not
	// detected, and panics on the tracker's goroutine at its first call:
	// a programming error, as calling it directly would be.
	Manager Manager

	// ServiceName is the service whose leadership the tracker claims.
	// Required; a valid service name.
	ServiceName string

	// UnitName is the unit the tracker claims for. Required; a valid unit
	// name of ServiceName (e.g. "redis/0" for "redis").
	UnitName string

	// Duration is how long each claim is for (client-go's LeaseDuration):
	// the unit's term lasts Duration from the start of its last
	// successful claim. The other durations below default to fractions
	// of it. At least one millisecond (minTrackerDuration, as
	// [ManagerConfig.MaxSleep]'s minimum): a shorter one would have the
	// tracker renew again and again at one clock reading. A Duration that
	// takes a claim's expiry past what the store can hold stops the
	// tracker (see [Tracker]).
	Duration time.Duration

	// RenewAfter is how long after the start of its last successful
	// claim the tracker claims again, to renew. Zero means Duration/2.
	// Not negative, and less than Duration: a renewal must start within
	// the term it renews. (client-go's RenewDeadline has no counterpart:
	// the term always ends Duration after its claim's start, which is no
	// later than the lease ends, and the tracker counts itself a minion
	// from then until a renewal succeeds.)
	RenewAfter time.Duration

	// ClaimDuration is how long a true [Tracker.ClaimLeader] guarantees
	// leadership for, from the call. Zero means Duration/2. Not negative,
	// and RenewAfter plus ClaimDuration at most Duration, so that the
	// term still covers the guarantee when the renewal is due: a larger
	// one would make ClaimLeader wait for every renewal.
	ClaimDuration time.Duration

	// RetryPeriod is how long the tracker waits after a call (a claim,
	// or a wait for a release) that failed with an error other than a
	// denial, before it claims again (client-go's RetryPeriod); the wait
	// doubles with each further failure in a row, up to MaxRetryPeriod.
	// Zero means Duration/16. Not negative, and RenewAfter plus
	// RetryPeriod less than Duration, so that a failed renewal is retried
	// within its term.
	RetryPeriod time.Duration

	// MaxRetryPeriod is the longest wait between retries: through a store
	// outage, the tracker claims again within MaxRetryPeriod of the store
	// answering. Zero means Duration/2. Not negative, and at least
	// RetryPeriod.
	MaxRetryPeriod time.Duration

	// ResignPause is how long a tracker that resigned ([Resigner]) makes
	// no claim after it has stood aside, so that another unit may take
	// over; then it claims again (and, denied, waits for a release as
	// usual). Zero means Duration: a service with no other candidate is
	// leaderless at most as long as after the leader's crash. Not
	// negative.
	ResignPause time.Duration

	// Clock is the tracker's only source of time. It should be the
	// clock of the manager, or one that runs at the same rate. Required;
	// it must measure time whatever steps it takes: be a
	// [lease.MonotonicClock] ([lease.SystemClock] and leasetest's fake
	// Clock are), or read times that carry Go's monotonic reading, as
	// time.Now's do (a clock that returns the system time in UTC does
	// not). See "Clocks that step back" on [Tracker].
	Clock lease.Clock

	// Observer, if not nil, is told, on the tracker's goroutine, each time
	// the unit becomes leader or minion ([EventLeading]) and when the
	// tracker stops ([EventStop]). nil means none. An interface holding
	// a nil pointer or function is refused.
	Observer Observer

	// Logger, if not nil, gets the tracker's log lines, which
	// docs/operations.md#log-lines lists with their levels and attributes.
	// nil means silent.
	Logger *slog.Logger
}

// minTrackerDuration is the shortest [TrackerConfig.Duration] a tracker
// accepts.
const minTrackerDuration = time.Millisecond

// Validate returns an error describing the first problem with config, or
// nil. It checks, in order: Manager, ServiceName, UnitName, Duration,
// RenewAfter, ClaimDuration, RetryPeriod, MaxRetryPeriod, ResignPause,
// Clock, Observer. A duration's rule is checked on the values in force:
// a zero duration's default, which the message names. To check a Clock
// that is not a [lease.MonotonicClock], it reads it once.
func (config TrackerConfig) Validate() error {
	if err := required(config.Manager, "manager", "missing manager"); err != nil {
		return err
	}
	if err := checkNames(config.ServiceName, config.UnitName); err != nil {
		return err
	}
	if config.Duration < minTrackerDuration {
		return errors.Errorf("invalid Duration %s: how long each claim is for must be at least %s (the tracker renews every Duration/2)",
			formatDuration(config.Duration), minTrackerDuration)
	}
	if err := config.validateTiming(); err != nil {
		return err
	}
	if err := required(config.Clock, "clock", missingClock); err != nil {
		return err
	}
	if _, ok := config.Clock.(lease.MonotonicClock); !ok {
		if now := config.Clock.Now(); !timeshift.HasMonotonic(now) {
			return errors.Errorf("invalid clock %T: it read %s, which carries no monotonic reading, and it is not a lease.MonotonicClock: "+
				"a tracker could not measure its term across a step of the clock", config.Clock, now.Format(time.RFC3339Nano))
		}
	}
	if err := notNilPointer(config.Observer, "Observer"); err != nil {
		return err
	}
	return nil
}
