package leadership_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// startWatch starts a watch of the service through the manager's
// LeaderWatcher, and returns its channel and the cancel of its context.
func startWatch(c *gc.C, manager leadership.Manager, service string) (<-chan leadership.Leader, context.CancelFunc) {
	watcher, ok := manager.(leadership.LeaderWatcher)
	c.Assert(ok, jc.IsTrue)
	ctx, cancel := context.WithCancel(context.Background())
	leaders, err := watcher.WatchLeader(ctx, service)
	if err != nil {
		cancel()
		c.Fatalf("WatchLeader(%q): %v", service, err)
	}
	return leaders, cancel
}

// nextLeader returns the watch's next value, and fails the test if none
// comes within LongWait or the channel is closed.
func nextLeader(c *gc.C, leaders <-chan leadership.Leader) leadership.Leader {
	select {
	case l, ok := <-leaders:
		if !ok {
			c.Fatalf("watch closed; a value was expected")
		}
		return l
	case <-time.After(LongWait):
		c.Fatalf("no value from the watch within %v", LongWait)
	}
	panic("unreachable")
}

// assertNextLeader checks that the watch's next value is the unit (""
// for none) of the service, numbered seq.
func assertNextLeader(c *gc.C, leaders <-chan leadership.Leader, service, unit string, seq uint64) {
	c.Check(nextLeader(c, leaders), gc.Equals, leadership.Leader{Service: service, Unit: unit, Seq: seq})
}

// assertNoLeader fails if the watch delivers anything within ShortWait.
func assertNoLeader(c *gc.C, leaders <-chan leadership.Leader) {
	select {
	case l, ok := <-leaders:
		c.Fatalf("unexpected value from the watch: %+v (open: %v)", l, ok)
	case <-time.After(ShortWait):
	}
}

// assertWatchClosed checks that the watch's channel is closed, with no
// value left, within LongWait.
func assertWatchClosed(c *gc.C, leaders <-chan leadership.Leader) {
	select {
	case l, ok := <-leaders:
		if ok {
			c.Fatalf("watch delivered %+v; it should be closed", l)
		}
	case <-time.After(LongWait):
		c.Fatalf("watch not closed within %v", LongWait)
	}
}

// watchGoroutines returns how many goroutines feed watches, and how many
// of those wait in a select.
func watchGoroutines() (all, waiting int) {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n == len(buf) {
			buf = make([]byte, 2*len(buf))
			continue
		}
		for _, g := range strings.Split(string(buf[:n]), "\n\n") {
			if !strings.Contains(g, "leadership.(*watch).forward(") {
				continue
			}
			all++
			if header, _, _ := strings.Cut(g, "\n"); strings.Contains(header, "[select") {
				waiting++
			}
		}
		return all, waiting
	}
}

// waitForwardWaiting waits, for LongWait at most, until n goroutines that
// feed watches wait in a select, and fails the test otherwise. One that
// waits with a value for its reader and is woken by its context's end
// commits to that: a reader that comes later gets no value.
func waitForwardWaiting(c *gc.C, n int) {
	deadline := time.Now().Add(LongWait)
	for time.Now().Before(deadline) {
		if _, waiting := watchGoroutines(); waiting >= n {
			return
		}
		runtime.Gosched()
	}
	c.Fatalf("fewer than %d goroutines feeding watches wait after %v", n, LongWait)
}

// watchFeeders returns how many goroutines feed watches.
func watchFeeders() int {
	all, _ := watchGoroutines()
	return all
}

// waitWatchGoroutines waits, for LongWait at most, until n goroutines
// feed watches, and fails the test otherwise.
func waitWatchGoroutines(c *gc.C, n int) {
	deadline := time.Now().Add(LongWait)
	for time.Now().Before(deadline) {
		if watchFeeders() == n {
			return
		}
		runtime.Gosched()
	}
	c.Fatalf("%d goroutines feed watches after %v; %d expected", watchFeeders(), LongWait, n)
}

// grantCall is a ClaimLease of redis for unit, for a minute, that makes
// the unit hold it until then.
func grantCall(unit string) call {
	return call{
		method: "ClaimLease",
		args:   []interface{}{"redis", lease.Request{Holder: unit, Duration: time.Minute}},
		callback: func(leases map[string]lease.Info) {
			leases["redis"] = lease.Info{Holder: unit, Expiry: offset(time.Minute)}
		},
	}
}

// changeCalls returns the calls of n changes of redis's leader, for
// changes: a claim by redis/0, a revocation, a claim by redis/1, a
// revocation, and so on; and the unit each change leaves leading.
func changeCalls(n int) ([]call, []string) {
	var calls []call
	var units []string
	for i := 0; i < n; i++ {
		unit := fmt.Sprintf("redis/%d", i/2%2)
		if i%2 == 0 {
			calls = append(calls, grantCall(unit))
			units = append(units, unit)
		} else {
			calls = append(calls, revokeCall("redis", unit, nil))
			units = append(units, "")
		}
	}
	return calls, units
}

// makeChanges makes the changes changeCalls scripted, from the first'th.
func makeChanges(c *gc.C, manager leadership.ManagerWorker, first, n int) {
	for i := first; i < first+n; i++ {
		unit := fmt.Sprintf("redis/%d", i/2%2)
		if i%2 == 0 {
			c.Assert(manager.ClaimLeadership("redis", unit, time.Minute), jc.ErrorIsNil)
		} else {
			c.Assert(manager.(leadership.Revoker).RevokeLeadership("redis", unit), jc.ErrorIsNil)
		}
	}
}
