package load_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// TestMemoryStore runs three managers over one in-memory store with the
// lease client's semantics (lease/leasetest): by default 300 services of
// 3 units for 10 simulated minutes; LOAD_SERVICES and LOAD_MINUTES change
// that (make soak: 10,000 services for an hour).
func TestMemoryStore(t *testing.T) {
	clock := clocktest.NewClock(start)
	store := leasetest.NewStore(clock)
	cfg := config{
		services: envInt(t, "LOAD_SERVICES", 300), units: 3, managers: 3,
		simulated: time.Duration(envInt(t, "LOAD_MINUTES", 10)) * time.Minute,
		lease:     time.Minute, renew: 30 * time.Second, step: 5 * time.Second, maxSleep: time.Minute,
		failoverEvery: 4 * time.Minute, failoverDown: time.Minute,
		newClient: func(i int) (lease.Client, error) {
			client, err := store.NewClient(fmt.Sprintf("machine-%d", i))
			if err != nil {
				return nil, err
			}
			return client, nil
		},
		workers: 4,
	}
	res, problems := runLoad(t, clock, cfg)
	report(t, problems)
	t.Logf("%d services x %d units over %d managers on leasetest for %v: %v",
		cfg.services, cfg.units, cfg.managers, cfg.simulated, res)
	checkHeap(t, res)
}
