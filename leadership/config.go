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
	// its client, even when no lease it knows of is due to expire. Zero
	// means one minute; negative is invalid, and so is a positive value
	// below one millisecond (minMaxSleep), which would keep an idle
	// manager busy.
	MaxSleep time.Duration

	// ClockPoll is how often the manager reads what the store records of
	// the other controllers' clocks, when its client is a
	// [lease.ClockRefresher] (the MongoDB client is): one read of the
	// clock documents (one small document per writer), at most ClockPoll
	// after the manager last read the store. A controller's leases can be expired only once this manager
	// has bounded its clock, and it bounds it by the first read that
	// follows the controller's last write; so, after a controller dies,
	// its units' leases run out at most about ClockPoll (plus the read's
	// own time) after the end of their guaranteed terms, whatever their
	// length and MaxSleep. When the client also counts releases
	// ([lease.ReleaseWatcher]: the MongoDB client and leasetest's do),
	// each poll also sees a revocation or an expiry made through another
	// controller, and a unit blocked through this manager is released at
	// most about ClockPoll (plus the poll's reads) after it; a client that
	// counts releases but reads no clocks (leasetest's) is polled only
	// while someone is blocked. Zero means 200ms (defaultClockPoll);
	// negative means never, so that the clocks, and releases made through
	// other controllers, are seen only along with leases; a positive value
	// below one millisecond is invalid.
	ClockPoll time.Duration

	// MaxBatch is the most writes (claims, extensions, expiries and
	// revocations, each of a different lease) the manager sends in one
	// store transaction, when its client is a [lease.Batcher] (the
	// MongoDB client and leasetest's are). The manager never waits to
	// fill a batch: while a store call holds its loop, the writes asked of
	// it queue, and it sends those, up to MaxBatch of them, together once
	// that call returns (see docs/design.md#manager-batches); a write that
	// finds none queued goes alone, at once. A larger batch costs the
	// store less per write but keeps each of its callers waiting for the
	// whole transaction. Zero means 100 (defaultMaxBatch); 1 means one
	// write per transaction, as with a client that is not a Batcher;
	// negative, or more than 1,000 (maxMaxBatch), is invalid.
	MaxBatch int

	// Observer, if not nil, is told of everything the manager does, one
	// [Event] at a time on the manager's goroutine (see [Observer] for
	// the kinds). nil means
	// none. An interface holding a nil pointer or function is refused.
	Observer Observer

	// Logger, if not nil, gets the manager's log lines, which
	// docs/operations.md#log-lines lists with their levels and attributes.
	// nil means silent.
	//
	// With neither Observer nor Logger set, the manager reads its clock
	// no more often than without them.
	Logger *slog.Logger
}

// missingClock is the error of a [ManagerConfig] or [TrackerConfig]
// without a Clock: it says what to set.
const missingClock = "missing clock: set Clock to lease.SystemClock{}, the wall clock (in tests, a fake one such as leasetest.NewClock(leasetest.Start))"

// defaultClockPoll is how often a manager reads the store's clocks when
// [ManagerConfig.ClockPoll] is zero: a dead controller's leases are then
// expired within about 200ms after their guaranteed terms end, plus one
// read (docs/design.md#failover).
const defaultClockPoll = 200 * time.Millisecond

// defaultMaxBatch is the most writes a manager sends in one transaction
// when [ManagerConfig.MaxBatch] is zero; maxMaxBatch is the most it
// accepts. The MongoDB client splits a longer batch itself, so the bound
// is on how long one transaction keeps its callers waiting: a transaction
// of n writes costs 9+4n store commands, or 9+9n if every write is a
// lease's first claim (docs/design.md#released-leases), so a batch of
// 1,000 is some 4,000 to 9,000 commands.
const (
	defaultMaxBatch = 100
	maxMaxBatch     = 1000
)

// minMaxSleep is the shortest MaxSleep a manager accepts.
const minMaxSleep = time.Millisecond

// required returns the error of a required field, name, that holds v:
// the missing message if v is nil, or the notNilPointer error.
func required(v any, name, missing string) error {
	if v == nil {
		return errors.New(missing)
	}
	return notNilPointer(v, name)
}

// notNilPointer returns an error if v, the value of the field name, is an
// interface holding a nil pointer or function, which would panic when
// called on the loop's goroutine.
func notNilPointer(v any, name string) error {
	if v != nil && isnil.Value(v) {
		return errors.Errorf("invalid %s: nil %T", name, v)
	}
	return nil
}

// Validate returns an error describing the first problem with config, or
// nil. It checks, in order: Client, Clock, MaxSleep, ClockPoll, MaxBatch,
// Observer.
// A Client or Clock that is an interface holding a nil pointer (such as a
// nil *leasetest.Client) is refused like a missing one, and so is such an
// Observer, since calling it would panic on the manager's goroutine.
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
