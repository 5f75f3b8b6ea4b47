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
	cfg := jujuConfig(envInt(t, "LOAD_SERVICES", 300), time.Duration(envInt(t, "LOAD_MINUTES", 10))*time.Minute,
		4*time.Minute, time.Minute)
	cfg.newClient = func(i int) (lease.Client, error) {
		client, err := store.NewClient(fmt.Sprintf("machine-%d", i))
		if err != nil {
			return nil, err
		}
		return client, nil
	}
	cfg.workers = 4
	runChecked(t, clock, cfg, "leasetest")
}
