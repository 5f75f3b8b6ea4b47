package leadership

import (
	"log/slog"
	"time"

	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/internal/isnil"
	"github.com/seed07a61904/leadership/lease"
)

// defaultMaxSleep is the longest a manager sleeps when
// [ManagerConfig.MaxSleep] is zero.
const defaultMaxSleep = time.Minute

// ManagerConfig holds what [NewManager] needs.
type ManagerConfig struct {
	// Client reads and writes the leases. The manager is its only user
	// once started, and calls it from one goroutine. Required.
	Client lease.Client

	// Clock is the manager's only source of time. Required:
	// lease.SystemClock{} for the wall clock.
	Clock lease.Clock

	// MaxSleep is the longest the manager goes between two refreshes of
	// every lease, even when none is due. Zero means one minute; negative,
	// or positive below one millisecond, is invalid.
	MaxSleep time.Duration

	// ClockPoll is how often the manager reads the store's clock
	// documents (and count of releases), when its client is a
	// [lease.ClockRefresher] (or [lease.ReleaseWatcher]; the MongoDB
	// client is both). After a controller dies, its units' leases run out
	// about ClockPoll after their guaranteed terms end, whatever their
	// length and MaxSleep (docs/design.md#failover); a unit blocked here
	// is released about ClockPoll after a release elsewhere
	// (docs/design.md#manager-polls). Zero means 200ms; negative means
	// never (clocks and releases are then seen only with leases); positive
	// below one millisecond is invalid.
	ClockPoll time.Duration

	// MaxBatch is the most writes (each of a different lease) the manager
	// sends in one store transaction, when its client is a
	// [lease.Batcher]. The manager never waits to fill a batch: writes
	// that queue while a store call runs go together once it returns
	// (docs/design.md#manager-batches). A larger batch costs the store
	// less per write but keeps each caller waiting for the whole
	// transaction. Zero means 100; 1 means one write per transaction;
	// negative, or more than 1,000, is invalid.
	MaxBatch int

	// Observer, if not nil, is told of everything the manager does, one
	// [Event] at a time on the manager's goroutine. An interface holding
	// a nil pointer or function is refused.
	Observer Observer

	// Logger, if not nil, gets the manager's log lines, which
	// docs/operations.md#log-lines lists with their levels and attributes.
	// nil means silent. With neither Observer nor Logger set, the manager
	// reads its clock no more often than without them.
	Logger *slog.Logger
}

// missingClock is the error of a [ManagerConfig] or [TrackerConfig]
// without a Clock: it says what to set.
const missingClock = "missing clock: set Clock to lease.SystemClock{}, the wall clock (in tests, a fake one such as leasetest.NewClock(leasetest.Start))"

// defaultClockPoll is ClockPoll's default (docs/design.md#failover).
const defaultClockPoll = 200 * time.Millisecond

// defaultMaxBatch is MaxBatch's default, and maxMaxBatch the most it
// accepts: the bound is on how long one transaction keeps its callers
// waiting (the MongoDB client splits longer batches itself).
const (
	defaultMaxBatch = 100
	maxMaxBatch     = 1000
)

// minMaxSleep is the shortest MaxSleep a manager accepts.
const minMaxSleep = time.Millisecond

// required returns the error of the required field name holding v: missing
// if v is nil, else notNilPointer's.
func required(v any, name, missing string) error {
	if v == nil {
		return errors.New(missing)
	}
	return notNilPointer(v, name)
}

// notNilPointer refuses an interface holding a nil pointer or function,
// which would panic on the loop's goroutine.
func notNilPointer(v any, name string) error {
	if v != nil && isnil.Value(v) {
		return errors.Errorf("invalid %s: nil %T", name, v)
	}
	return nil
}

// Validate returns an error describing the first problem with config, or
// nil. It checks, in order: Client, Clock, MaxSleep, ClockPoll, MaxBatch,
// Observer. An interface holding a nil pointer (such as a nil
// *leasetest.Client) is refused like a missing value.
func (config ManagerConfig) Validate() error {
	if err := required(config.Client, "client", "missing client: set Client to one from lease.NewClient (in tests, from a leasetest.Store's NewClient)"); err != nil {
		return err
	}
	if err := required(config.Clock, "clock", missingClock); err != nil {
		return err
	}
	if config.MaxSleep < 0 {
		return errors.Errorf("invalid MaxSleep %v: must not be negative", config.MaxSleep)
	}
	if config.MaxSleep > 0 && config.MaxSleep < minMaxSleep {
		return errors.Errorf("invalid MaxSleep %v: must be zero (one minute) or at least %v", config.MaxSleep, minMaxSleep)
	}
	if config.ClockPoll > 0 && config.ClockPoll < minMaxSleep {
		return errors.Errorf("invalid ClockPoll %v: must be zero (%v), negative (never) or at least %v",
			config.ClockPoll, defaultClockPoll, minMaxSleep)
	}
	if config.MaxBatch < 0 || config.MaxBatch > maxMaxBatch {
		return errors.Errorf("invalid MaxBatch %d: must be zero (%d), 1 (no batches) or up to %d",
			config.MaxBatch, defaultMaxBatch, maxMaxBatch)
	}
	if err := notNilPointer(config.Observer, "Observer"); err != nil {
		return err
	}
	return nil
}

// clockPoll returns ClockPoll, or its default if it is zero; negative
// means never.
func (config ManagerConfig) clockPoll() time.Duration {
	if config.ClockPoll == 0 {
		return defaultClockPoll
	}
	return config.ClockPoll
}

// maxBatch returns MaxBatch, or its default if it is zero.
func (config ManagerConfig) maxBatch() int {
	if config.MaxBatch == 0 {
		return defaultMaxBatch
	}
	return config.MaxBatch
}

// maxSleep returns MaxSleep, or its default if it is zero.
func (config ManagerConfig) maxSleep() time.Duration {
	if config.MaxSleep == 0 {
		return defaultMaxSleep
	}
	return config.MaxSleep
}
