package leadership

import (
	"time"

	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// startInternal starts a manager on client and clock, waking at most
// hourly, for a test that reads its loop's state. stop kills it and fails
// the test unless it stopped cleanly.
func startInternal(c *gc.C, client lease.Client, clock *leasetest.Clock) (m *manager, stop func()) {
	w, err := NewManager(ManagerConfig{Client: client, Clock: clock, MaxSleep: time.Hour})
	if err != nil {
		c.Fatal(err)
	}
	m = w.(*manager)
	return m, func() {
		m.Kill()
		if err := m.Wait(); err != nil {
			c.Errorf("manager stopped with %v", err)
		}
	}
}
