package leadership_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// OutageBackOffSuite checks when a manager that backs off after wakes
// that could not reach the store wakes again.
type OutageBackOffSuite struct{}

var _ = gc.Suite(&OutageBackOffSuite{})

// TestWriteEndsStoreBackOff: two wakes fail to reach the store, and the
// manager backs off, 50ms then 100ms. A claim made 10ms into the second
// back-off is written: the store answers again, so the manager wakes at
// once, without the clock moving, reads every lease and expires the one
// that ran out.
func (s *OutageBackOffSuite) TestWriteEndsStoreBackOff(c *gc.C) {
	mysql0 := lease.Request{Holder: "mysql/0", Duration: time.Minute}
	fix := &fixture{
		leases: redisHeld("redis/0", time.Second),
		expectCalls: []call{
			{method: "Refresh", err: unavailable("no reachable servers")},
			{method: "Refresh", err: unavailable("no reachable servers")},
			{method: "ClaimLease", args: []interface{}{"mysql", mysql0}, callback: func(leases map[string]lease.Info) {
				leases["mysql"] = lease.Info{Holder: "mysql/0", Expiry: offset(time.Second + 60*time.Millisecond + time.Minute)}
			}},
			{method: "Refresh"},
			expireCall("redis", nil),
		},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		clock.Advance(time.Second)
		advanceToAlarm(c, clock, time.Second+50*time.Millisecond)
		c.Assert(clock.WaitAlarmFor(offset(time.Second+150*time.Millisecond), LongWait), jc.ErrorIsNil)
		clock.Advance(10 * time.Millisecond)
		c.Check(manager.ClaimLeadership("mysql", "mysql/0", time.Minute), jc.ErrorIsNil)
		// The wake follows without any advance; the fixture waits for
		// its Refresh and ExpireLease.
	})
}

// TestReadLeavesStoreBackOff: a wake's read of the lease due fails, and
// the manager backs off 50ms. A read that works meanwhile (a check that
// misses) does not end the back-off: a stepped-down primary answers reads
// and refuses writes, and waking for each read would retry the refused
// expiries at the pace of the checks. The manager wakes at the end of the
// back-off, and reads every lease.
func (s *OutageBackOffSuite) TestReadLeavesStoreBackOff(c *gc.C) {
	leases := redisHeld("redis/0", time.Second)
	leases["wordpress"] = lease.Info{Holder: "wordpress/0", Expiry: offset(time.Hour)}
	fix := refreshingFixture(leases,
		readRedis(unavailable("not primary"), nil),
		call{method: "RefreshLease", args: []interface{}{"mysql"}},
		call{method: "Refresh"},
		expireCall("redis", nil))
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		clock.Advance(time.Second)
		backOffEnd := offset(time.Second + 50*time.Millisecond)
		c.Assert(clock.WaitAlarmFor(backOffEnd, LongWait), jc.ErrorIsNil)
		clock.Advance(10 * time.Millisecond)
		_, err := manager.CheckLeadership("mysql", "mysql/0")
		c.Check(err, gc.ErrorMatches, `"mysql/0" is not leader of "mysql"`)
		// A check that hits the cache calls nothing; once it returns,
		// the loop has set its alarm after the miss.
		_, err = manager.CheckLeadership("wordpress", "wordpress/0")
		c.Check(err, jc.ErrorIsNil)
		c.Check(clock.Alarms(), jc.DeepEquals, []time.Time{backOffEnd})
		clock.Advance(40 * time.Millisecond)
	})
}
