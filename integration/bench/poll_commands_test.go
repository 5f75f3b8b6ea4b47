package bench_test

import (
	"testing"
	"time"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// pollEnv is a manager (Id liveId, fake clock, the default ClockPoll,
// MaxSleep far away) on a fresh server that holds n leases written by
// clientId, a controller that has stopped, and a client of another
// controller that revokes them. Its manager has one unit blocked on the
// last lease.
type pollEnv struct {
	d       *db
	clock   interface{ Advance(time.Duration) }
	manager leadership.ManagerWorker
	events  chan leadership.Event
	other   lease.Revoker
	held    []seedLease
	// released receives the blocked unit's BlockUntilLeadershipReleased.
	released chan error
}

func newPollEnv(t *testing.T, n int) *pollEnv {
	t.Helper()
	clock := newFakeClock()
	env := &pollEnv{
		d:        startDB(t),
		clock:    clock,
		events:   make(chan leadership.Event, 100000),
		held:     heldLeases(n, start),
		released: make(chan error, 1),
	}
	env.d.seed(t, start, env.held)
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client:   env.d.newClientAs(t, liveId, clock),
		Clock:    clock,
		MaxSleep: 1000 * time.Hour,
		Observer: leadership.ObserverFunc(func(e leadership.Event) { env.events <- e }),
	})
	if err != nil {
		env.d.close(t)
		t.Fatal(err)
	}
	env.manager = manager
	env.other = env.d.newClientAs(t, "controller-2", clock).(lease.Revoker)

	waited := env.held[n-1].name
	go func() { env.released <- manager.BlockUntilLeadershipReleased(waited) }()
	env.waitFor(t, func(e leadership.Event) bool {
		return e.Kind == leadership.EventRefresh && e.Call == leadership.CallRefreshLease && e.Service == waited
	})
	// A round trip through the loop: the waiter is recorded by now.
	if _, err := manager.CheckLeadership(waited, waited+"/1"); err == nil {
		t.Fatalf("%s/1 leads %s", waited, waited)
	}
	return env
}

func (env *pollEnv) close(t *testing.T) {
	env.manager.Kill()
	err := env.manager.Wait()
	env.d.close(t)
	check(t, err)
}

// waitFor waits for an event that want accepts.
func (env *pollEnv) waitFor(t *testing.T, want func(leadership.Event) bool) {
	t.Helper()
	deadline := time.After(longWait)
	for {
		select {
		case e := <-env.events:
			if want(e) {
				return
			}
		case <-deadline:
			t.Fatalf("event not seen within %v", longWait)
		}
	}
}

// poll moves the clock on by ClockPoll, and returns the commands of the
// manager's wake (its poll).
func (env *pollEnv) poll(t *testing.T) int64 {
	t.Helper()
	before := env.d.server.Commands()
	env.clock.Advance(200 * time.Millisecond)
	env.waitFor(t, func(e leadership.Event) bool { return e.Kind == leadership.EventWake })
	return env.d.server.Commands() - before
}

// isReleased reports whether the blocked unit has been released.
func (env *pollEnv) isReleased(t *testing.T) bool {
	select {
	case err := <-env.released:
		check(t, err)
		return true
	default:
		return false
	}
}

// TestCommandsPerPoll: a poll when no lease was released is one read (the
// clock documents the manager knows, by _id), at 10 leases as at 10,000;
// after another controller releases a lease, the poll reads, besides, the
// one lease someone waits on (its document and the clock documents),
// whichever lease was released, and releases the waiter if it was that
// one. The first release here is the other controller's first write in
// the namespace, which creates its own clock document: that poll reads
// the range of clock documents once more to find it (see "Clock
// documents" in docs/design.md); the second release costs 3.
func TestCommandsPerPoll(t *testing.T) {
	for _, n := range []int{10, 10000} {
		env := newPollEnv(t, n)
		if env.d.server.Commands() < 0 {
			env.close(t)
			t.Skip("the server does not count commands")
		}
		quiet := env.poll(t)
		quietAgain := env.poll(t)
		check(t, env.other.RevokeLease(env.held[0].name, env.held[0].holder))
		unrelated := env.poll(t)
		unrelatedReleased := env.isReleased(t)
		afterUnrelated := env.poll(t)
		last := env.held[n-1]
		check(t, env.other.RevokeLease(last.name, last.holder))
		waited := env.poll(t)
		waitedReleased := false
		select {
		case err := <-env.released:
			check(t, err)
			waitedReleased = true
		case <-time.After(longWait):
		}
		env.close(t)
		t.Logf("%d leases: quiet polls %d, %d; after an unrelated release %d, then %d; after the waited lease's %d",
			n, quiet, quietAgain, unrelated, afterUnrelated, waited)
		for _, got := range []int64{quiet, quietAgain, afterUnrelated} {
			if got != 1 {
				t.Errorf("%d leases: a poll when nothing was released: %d commands, want 1", n, got)
			}
		}
		if unrelated != 4 {
			t.Errorf("%d leases: a poll after an unrelated release by a new writer: %d commands, want 4", n, unrelated)
		}
		if unrelatedReleased {
			t.Errorf("%d leases: released by an unrelated release", n)
		}
		if waited != 3 {
			t.Errorf("%d leases: a poll after the waited lease's release: %d commands, want 3", n, waited)
		}
		if !waitedReleased {
			t.Errorf("%d leases: the waiter was not released by the poll after its lease's release", n)
		}
	}
}
