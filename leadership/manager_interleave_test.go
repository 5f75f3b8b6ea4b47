package leadership_test

import (
	"runtime"
	"strings"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// InterleaveSuite checks that a wake that expires several leases answers
// the claims that wait in between, rather than after the last expiry.
type InterleaveSuite struct{}

var _ = gc.Suite(&InterleaveSuite{})

// threeDue returns leases a, b and c, each held by its unit 0 until one
// second after the clock's start.
func threeDue() map[string]lease.Info {
	leases := make(map[string]lease.Info)
	for _, name := range []string{"a", "b", "c"} {
		leases[name] = lease.Info{Holder: name + "/0", Expiry: offset(time.Second)}
	}
	return leases
}

// waitClaimWaiting waits, for LongWait at most, until some goroutine is
// in the manager's ClaimLeadership, and fails the test otherwise. It is
// called while the manager's goroutine is inside a client call, so such a
// claim cannot have been taken yet: it waits to be.
func waitClaimWaiting(c *gc.C) {
	deadline := time.Now().Add(LongWait)
	buf := make([]byte, 1<<20)
	for time.Now().Before(deadline) {
		stacks := string(buf[:runtime.Stack(buf, true)])
		if strings.Contains(stacks, "leadership.(*manager).ClaimLeadership(") {
			return
		}
		runtime.Gosched()
	}
	c.Fatalf("no goroutine reached ClaimLeadership within %v", LongWait)
}

func (s *InterleaveSuite) TestClaimAnsweredBetweenExpiries(c *gc.C) {
	var manager leadership.ManagerWorker
	claimed := make(chan error, 1)
	fix := &fixture{
		leases: threeDue(),
		expectCalls: []call{
			{method: "Refresh"},
			{method: "ExpireLease", args: []interface{}{"a"}, callback: func(leases map[string]lease.Info) {
				delete(leases, "a")
				// While the manager is busy expiring a, a unit asks
				// for another service.
				go func() { claimed <- manager.ClaimLeadership("z", "z/0", time.Minute) }()
				waitClaimWaiting(c)
			}},
			{method: "ClaimLease", args: []interface{}{"z", lease.Request{Holder: "z/0", Duration: time.Minute}},
				callback: func(leases map[string]lease.Info) {
					leases["z"] = lease.Info{Holder: "z/0", Expiry: offset(time.Minute + time.Second)}
				}},
			{method: "ExpireLease", args: []interface{}{"b"}, callback: deleteLease("b")},
			{method: "ExpireLease", args: []interface{}{"c"}, callback: deleteLease("c")},
		},
	}
	fix.RunTest(c, func(m leadership.ManagerWorker, clock *clocktest.Clock) {
		manager = m
		c.Assert(clock.WaitAlarms(1, LongWait), jc.ErrorIsNil)
		clock.Advance(time.Second)
		select {
		case err := <-claimed:
			c.Check(err, jc.ErrorIsNil)
		case <-time.After(LongWait):
			c.Fatalf("claim not answered")
		}
	})
}

// TestClaimBetweenExpiriesExtendsDueLease has the holder of a due lease
// extend it between two expiries of one wake: the expiry that follows is
// refused by the client (ErrInvalid: not expired), and the unit stays
// leader.
func (s *InterleaveSuite) TestClaimBetweenExpiriesExtendsDueLease(c *gc.C) {
	var manager leadership.ManagerWorker
	claimed := make(chan error, 1)
	fix := &fixture{
		leases: threeDue(),
		expectCalls: []call{
			{method: "Refresh"},
			{method: "ExpireLease", args: []interface{}{"a"}, callback: func(leases map[string]lease.Info) {
				delete(leases, "a")
				go func() { claimed <- manager.ClaimLeadership("b", "b/0", time.Minute) }()
				waitClaimWaiting(c)
			}},
			{method: "ExtendLease", args: []interface{}{"b", lease.Request{Holder: "b/0", Duration: time.Minute}},
				callback: func(leases map[string]lease.Info) {
					leases["b"] = lease.Info{Holder: "b/0", Expiry: offset(time.Minute + time.Second)}
				}},
			{method: "ExpireLease", args: []interface{}{"b"}, err: lease.ErrInvalid},
			{method: "ExpireLease", args: []interface{}{"c"}, callback: deleteLease("c")},
		},
	}
	fix.RunTest(c, func(m leadership.ManagerWorker, clock *clocktest.Clock) {
		manager = m
		c.Assert(clock.WaitAlarms(1, LongWait), jc.ErrorIsNil)
		clock.Advance(time.Second)
		select {
		case err := <-claimed:
			c.Check(err, jc.ErrorIsNil)
		case <-time.After(LongWait):
			c.Fatalf("claim not answered")
		}
		_, err := m.CheckLeadership("b", "b/0")
		c.Check(err, jc.ErrorIsNil)
	})
}
