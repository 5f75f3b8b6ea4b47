package leadership

import (
	"time"

	"github.com/juju/errors"

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
	// means one minute; negative is invalid.
	MaxSleep time.Duration
}

// Validate returns an error describing the first problem with config, or
// nil. It checks, in order: Client, Clock, MaxSleep.
func (config ManagerConfig) Validate() error {
	if config.Client == nil {
		return errors.New("missing client")
	}
	if config.Clock == nil {
		return errors.New("missing clock")
	}
	if config.MaxSleep < 0 {
		return errors.Errorf("invalid MaxSleep %v: must not be negative", config.MaxSleep)
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
