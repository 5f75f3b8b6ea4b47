package load_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// errInjected is what failingExpiry's ExpireLease returns.
var errInjected = errors.New("injected expiry failure")

// failingExpiry is a lease client whose ExpireLease always fails, which
// stops the manager that calls it.
type failingExpiry struct {
	lease.Client
}

func (failingExpiry) ExpireLease(string) error {
	return errInjected
}

// TestManagerDeathReported checks the harness itself: a manager that stops
// by itself must end the run with a problem that says so, not go unnoticed
// or hang the run. No lease expires until the first failover (at 4
// minutes) lets the killed manager's leases run out; the first manager to
// expire one then stops.
func TestManagerDeathReported(t *testing.T) {
	clock := clocktest.NewClock(start)
	store := leasetest.NewStore(clock)
	cfg := config{
		services: 10, units: 3, managers: 3,
		simulated: 10 * time.Minute,
		lease:     time.Minute, renew: 30 * time.Second, step: 5 * time.Second, maxSleep: time.Minute,
		failoverEvery: 4 * time.Minute, failoverDown: 3 * time.Minute,
		newClient: func(i int) (lease.Client, error) {
			client, err := store.NewClient(fmt.Sprintf("machine-%d", i))
			if err != nil {
				return nil, err
			}
			return failingExpiry{client}, nil
		},
		workers: 2,
	}
	res, problems := runLoad(t, clock, cfg)
	want := "stopped by itself"
	found := false
	for _, p := range problems {
		found = found || (strings.Contains(p, want) && strings.Contains(p, errInjected.Error()))
	}
	if !found {
		t.Fatalf("no problem says a manager %s with %q; the run: %v; problems: %q", want, errInjected, res, problems)
	}
	t.Logf("reported: %q", problems)
}
