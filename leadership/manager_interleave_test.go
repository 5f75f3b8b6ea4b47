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
// parked in a claim's send to the manager, and fails the test otherwise
// (see waitParked).
func waitClaimWaiting(c *gc.C) {
	waitParked(c, 1)
}

// waitParked waits, for LongWait at most, until n goroutines are parked
// in a claim's or a revocation's call of the manager, and fails the test
// otherwise. It is called while the manager's goroutine is inside a
// client call, so such a call cannot have been taken yet, unless it is
// the one the manager is serving: a parked sender is one the manager's
// next receive finds. A goroutine still on its way there (checking names,
// making the request) does not count.
func waitParked(c *gc.C, n int) {
	deadline := time.Now().Add(LongWait)
	buf := make([]byte, 1<<20)
	for time.Now().Before(deadline) {
		parked := 0
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			header, _, _ := strings.Cut(g, "\n")
			if strings.Contains(header, "[select") &&
				(strings.Contains(g, "leadership.claim.invoke(") || strings.Contains(g, "leadership.revoke.invoke(")) {
				parked++
			}
		}
		if parked >= n {
			return
		}
		runtime.Gosched()
	}
	c.Fatalf("fewer than %d claims or revocations were waiting for the manager within %v", n, LongWait)
}

// midWakeClaim is a claim a test makes while the manager is inside its
// expiry of lease a, the first of threeDue's leases to fall due.
type midWakeClaim struct {
	manager leadership.ManagerWorker
	claimed chan error
}

func newMidWakeClaim() *midWakeClaim {
	return &midWakeClaim{claimed: make(chan error, 1)}
}

// expireA returns the expected expiry of lease a, during which the unit
// claims the service (for a minute), and which returns once that claim
// waits to be taken.
func (w *midWakeClaim) expireA(c *gc.C, service, unit string) call {
	return call{method: "ExpireLease", args: []interface{}{"a"}, callback: func(leases map[string]lease.Info) {
		delete(leases, "a")
		go func() { w.claimed <- w.manager.ClaimLeadership(service, unit, time.Minute) }()
		waitClaimWaiting(c)
	}}
}

// wake returns a fixture's test that makes the manager wake when the
// leases fall due, checks that the claim succeeds, then runs after.
func (w *midWakeClaim) wake(c *gc.C, after func(leadership.ManagerWorker)) func(leadership.ManagerWorker, *clocktest.Clock) {
	return func(m leadership.ManagerWorker, clock *clocktest.Clock) {
		w.manager = m
		c.Assert(clock.WaitAlarms(1, LongWait), jc.ErrorIsNil)
		clock.Advance(time.Second)
		select {
		case err := <-w.claimed:
			c.Check(err, jc.ErrorIsNil)
		case <-time.After(LongWait):
			c.Fatalf("claim not answered")
		}
		after(m)
	}
}

// TestClaimAnsweredBetweenExpiries has a unit claim another service while
// the manager expires a: the claim is answered before b's expiry.
func (s *InterleaveSuite) TestClaimAnsweredBetweenExpiries(c *gc.C) {
	w := newMidWakeClaim()
	fix := &fixture{
		leases: threeDue(),
		expectCalls: []call{
			{method: "Refresh"},
			w.expireA(c, "z", "z/0"),
			{method: "ClaimLease", args: []interface{}{"z", lease.Request{Holder: "z/0", Duration: time.Minute}},
				callback: func(leases map[string]lease.Info) {
					leases["z"] = lease.Info{Holder: "z/0", Expiry: offset(time.Minute + time.Second)}
				}},
			expireCall("b", nil),
			expireCall("c", nil),
		},
	}
	fix.RunTest(c, w.wake(c, func(leadership.ManagerWorker) {}))
}

// TestClaimBetweenExpiriesExtendsDueLease has the holder of a due lease
// extend it between two expiries of one wake: the expiry that follows is
// refused by the client (ErrInvalid: not expired), and the unit stays
// leader.
func (s *InterleaveSuite) TestClaimBetweenExpiriesExtendsDueLease(c *gc.C) {
	w := newMidWakeClaim()
	fix := &fixture{
		leases: threeDue(),
		expectCalls: []call{
			{method: "Refresh"},
			w.expireA(c, "b", "b/0"),
			{method: "ExtendLease", args: []interface{}{"b", lease.Request{Holder: "b/0", Duration: time.Minute}},
				callback: func(leases map[string]lease.Info) {
					leases["b"] = lease.Info{Holder: "b/0", Expiry: offset(time.Minute + time.Second)}
				}},
			{method: "ExpireLease", args: []interface{}{"b"}, err: lease.ErrInvalid},
			expireCall("c", nil),
		},
	}
	fix.RunTest(c, w.wake(c, func(m leadership.ManagerWorker) {
		_, err := m.CheckLeadership("b", "b/0")
		c.Check(err, jc.ErrorIsNil)
	}))
}
