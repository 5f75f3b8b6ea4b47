package leadership

import (
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

	// Clock is the manager's only source of time. Required.
	Clock lease.Clock

	// MaxSleep is the longest the manager goes between two refreshes of
	// its client, even when no lease it knows of is due to expire. Zero
	// means one minute; negative is invalid, and so is a positive value
	// below one millisecond (minMaxSleep), which would keep an idle
	// manager busy.
	MaxSleep time.Duration
}

// minMaxSleep is the shortest MaxSleep a manager accepts.
const minMaxSleep = time.Millisecond

// Validate returns an error describing the first problem with config, or
// nil. It checks, in order: Client, Clock, MaxSleep. A Client or Clock that
// is an interface holding a nil pointer (such as a nil *leasetest.Client)
// is refused like a missing one, since calling it would panic on the
// manager's goroutine.
func (config ManagerConfig) Validate() error {
	if config.Client == nil {
		return errors.New("missing client")
	}
	if isnil.Value(config.Client) {
		return errors.Errorf("invalid client: nil %T", config.Client)
	}
	if config.Clock == nil {
		return errors.New("missing clock")
	}
	if isnil.Value(config.Clock) {
		return errors.Errorf("invalid clock: nil %T", config.Clock)
	}
	if config.MaxSleep < 0 {
		return errors.Errorf("invalid MaxSleep %v: must not be negative", config.MaxSleep)
	}
	if config.MaxSleep > 0 && config.MaxSleep < minMaxSleep {
		return errors.Errorf("invalid MaxSleep %v: must be zero (one minute) or at least %v", config.MaxSleep, minMaxSleep)
	}
	return nil
}

// maxSleep returns MaxSleep, or its default if it is zero.
func (config ManagerConfig) maxSleep() time.Duration {
	if config.MaxSleep == 0 {
		return defaultMaxSleep
	}
	return config.MaxSleep
}
