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
	// Manager grants the leadership the tracker claims. Required; nil, or
	// a nil pointer, is refused (a struct embedding a nil Manager is not
	// detected, and panics at the first call). If it is a [Revoker], a
	// stopping tracker that leads revokes; if a [ContextBlocker], a
	// stopping minion gives up its wait for a release at once.
	Manager Manager

	// ServiceName is the service whose leadership the tracker claims.
	// Required; a valid service name.
	ServiceName string

	// UnitName is the unit the tracker claims for. Required; a valid unit
	// name of ServiceName (e.g. "redis/0" for "redis").
	UnitName string

	// Duration is how long each claim is for (client-go's LeaseDuration):
	// the unit's term lasts Duration from the start of its last
	// successful claim, and the durations below default to fractions of
	// it. At least one millisecond. One that takes a claim's expiry past
	// what the store can hold stops the tracker (see [Tracker]).
	Duration time.Duration

	// RenewAfter is how long after the start of its last successful
	// claim the tracker claims again, to renew. Zero means Duration/2.
	// Not negative, and less than Duration. (client-go's RenewDeadline
	// has no counterpart: the term always ends Duration after its
	// claim's start.)
	RenewAfter time.Duration

	// ClaimDuration is how long a true [Tracker.ClaimLeader] guarantees
	// leadership for, from the call. Zero means Duration/2. Not negative,
	// and RenewAfter + ClaimDuration <= Duration, so the term still covers
	// the guarantee when the renewal is due (docs/design.md#tracker-terms).
	ClaimDuration time.Duration

	// RetryPeriod is the wait before claiming again after a call failed
	// other than by a denial (client-go's RetryPeriod), doubling with each
	// failure in a row up to MaxRetryPeriod. Zero means Duration/16. Not
	// negative, and RenewAfter + RetryPeriod < Duration, so a failed
	// renewal is retried within its term.
	RetryPeriod time.Duration

	// MaxRetryPeriod is the longest wait between retries, so the tracker
	// claims again within it of a store outage's end. Zero means
	// Duration/2. Not negative, and at least RetryPeriod.
	MaxRetryPeriod time.Duration

	// ResignPause is how long a tracker that resigned ([Resigner]) makes
	// no claim, so another unit may take over; then it claims again. Zero
	// means Duration (a service with no other candidate is leaderless no
	// longer than after a crash). Not negative.
	ResignPause time.Duration

	// Clock is the tracker's only source of time; the manager's clock, or
	// one at the same rate. Required. It must measure time across steps:
	// be a [lease.MonotonicClock] ([lease.SystemClock] and leasetest's
	// fake are), or read times carrying Go's monotonic reading, as
	// time.Now's do (docs/design.md#tracker-terms).
	Clock lease.Clock

	// Observer, if not nil, is told on the tracker's goroutine of each
	// [EventLeading] and its [EventStop]. An interface holding a nil
	// pointer or function is refused.
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
// Clock, Observer, each duration's rule on the value in force (a zero's
// default, which the message names). It reads a Clock that is no
// [lease.MonotonicClock] once.
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
