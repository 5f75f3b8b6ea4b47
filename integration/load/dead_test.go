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

// failingExpiry is a lease client whose ExpireLease always fails: the
// manager that calls it keeps running (nothing but Kill stops a manager),
// reports the error and backs off, and the lease is never expired through
// it.
type failingExpiry struct {
	lease.Client
}

func (failingExpiry) ExpireLease(string) error {
	return errInjected
}

// TestExpiryFailureReported checks the harness itself: when no manager can
// expire a lease, the run must end with problems that say which services
// went without a leader, not go unnoticed or hang the run; and, since a
// client error no longer stops a manager, no problem may say a manager
// stopped by itself. No lease can be expired, so each service keeps the
// holder that first claimed it, through whichever manager. The run kills
// every manager once (at 4, 8 and 12 minutes, each down for 3) and goes
// on for the 2m15s the checker excuses after a kill and more, so the
// services that led through each killed manager are reported leaderless,
// whichever managers their leaders happened to claim through (a run of
// 10 minutes killed only two, and missed services led through the third).
func TestExpiryFailureReported(t *testing.T) {
	clock := clocktest.NewClock(start)
	store := leasetest.NewStore(clock)
	cfg := jujuConfig(10, 16*time.Minute, 4*time.Minute, 3*time.Minute)
	cfg.newClient = func(i int) (lease.Client, error) {
		client, err := store.NewClient(fmt.Sprintf("machine-%d", i))
		if err != nil {
			return nil, err
		}
		return failingExpiry{client}, nil
	}
	cfg.workers = 2
	res, problems := runLoad(t, clock, cfg)
	leaderless := 0
	for _, p := range problems {
		if strings.Contains(p, "stopped by itself") {
			t.Errorf("a manager stopped on a client error: %q", p)
		}
		if strings.Contains(p, "has had no leader since") {
			leaderless++
		}
	}
	if leaderless == 0 {
		t.Fatalf("no problem says a service went without a leader; the run: %v; problems: %q", res, problems)
	}
	t.Logf("reported: %q", problems)
}
