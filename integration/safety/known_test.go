package safety_test

import (
	"testing"
	"time"
)

// knownSchedules are shrunk schedules that once broke a guarantee; they
// run on every `make check`, whatever the seeds.
// known is a schedule that once broke a guarantee.
type known struct {
	name    string
	variant variant // plain unless said
	setup   setup
	events  []event
	// lastClaim, if set, is what the last event, a claim, must return.
	lastClaim string
}

var knownSchedules = []known{{
	// plain seed 44: m4 first read m1's time 45s after m1 wrote it, so
	// took m1's lease to last until 2m15s; it let wordpress/0's claim
	// for a minute at 55s through without a write, and m1 expired the
	// lease at 1m35s and gave it to wordpress/2.
	name:  "extend without writing after a late read",
	setup: setup{offsets: []time.Duration{0, -37 * time.Minute, 35 * time.Minute, -42 * time.Minute, 53 * time.Minute}, services: []string{"wordpress"}, units: 3},
	events: []event{
		{kind: evClaim, node: 1, unit: "wordpress/0", dur: 90 * time.Second},
		{kind: evAdvance, dur: 45 * time.Second},
		{kind: evAdvance, dur: 10 * time.Second},
		{kind: evClaim, node: 4, unit: "wordpress/0", dur: time.Minute},
		{kind: evAdvance, dur: 20 * time.Second},
		{kind: evAdvance, dur: 20 * time.Second},
		{kind: evClaim, node: 1, unit: "wordpress/2", dur: time.Minute},
	},
}, {
	// plain seed 65: m0's cache still had mysql/0's lease, expired and
	// claimed for mysql/2 since; its claim for mysql/0 returned success
	// without a transaction.
	name:  "extend without writing from a stale cache",
	setup: setup{offsets: []time.Duration{42 * time.Minute, 5 * time.Minute, -36 * time.Minute, 3 * time.Minute, -26 * time.Minute}, services: []string{"mysql"}, units: 3},
	events: []event{
		{kind: evClaim, node: 2, unit: "mysql/0", dur: time.Minute},
		{kind: evCheck, node: 3, unit: "mysql/0"},
		{kind: evAdvance, dur: 45 * time.Second},
		{kind: evAdvance, dur: 20 * time.Second},
		{kind: evClaim, node: 3, unit: "mysql/2", dur: 5 * time.Second},
		{kind: evClaim, node: 0, unit: "mysql/0", dur: 5 * time.Second},
	},
}, {
	// The same as a minimal two-controller story: a claim at 30s through
	// m1, which has just read m0's time for the first time, for less than
	// what is left of m0's term as m1 reckons it, but for longer than m0
	// keeps it.
	name:  "extend through another controller for less than its estimate",
	setup: setup{offsets: []time.Duration{0, 0}, services: []string{"redis"}, units: 2},
	events: []event{
		{kind: evClaim, node: 0, unit: "redis/0", dur: time.Minute},
		{kind: evAdvance, dur: 30 * time.Second},
		{kind: evClaim, node: 1, unit: "redis/0", dur: 50 * time.Second},
		{kind: evAdvance, dur: 31 * time.Second},
		{kind: evClaim, node: 0, unit: "redis/1", dur: 30 * time.Second},
	},
}, {
	// backwards seed 3: m3's clock stepped back 30s after it wrote
	// wordpress/1's lease; its claim for another minute at 21s was
	// let through without a transaction, as the lease lasted that
	// long on m3's clock, and m2, which had measured m3's clock
	// before, expired the lease at 1m1s.
	name:    "extend without writing after the clock stepped back",
	variant: backwards,
	setup:   setup{offsets: []time.Duration{18 * time.Minute, 57 * time.Minute, 56 * time.Minute, -25 * time.Minute}, services: []string{"wordpress"}, units: 3},
	events: []event{
		{kind: evClaim, node: 3, unit: "wordpress/1", dur: time.Minute},
		{kind: evCheck, node: 2, unit: "wordpress/1"},
		{kind: evAdvance, dur: 20 * time.Second},
		{kind: evAdvance, dur: time.Second},
		{kind: evJump, node: 3, dur: 30 * time.Second},
		{kind: evClaim, node: 3, unit: "wordpress/1", dur: time.Minute},
		{kind: evAdvance, dur: 20 * time.Second},
		{kind: evAdvance, dur: 20 * time.Second},
		{kind: evAdvance, dur: 10 * time.Second},
		{kind: evClaim, node: 1, unit: "wordpress/2", dur: time.Minute},
	},
}, {
	// m0's clock stepped back 20s and, 20s later, read the time of its
	// last write again: its extension at 20s recorded the same time, and
	// m1, which had measured m0's clock at 0s and kept that measure for
	// as long as m0's recorded time was unchanged, took the lease to end
	// 20s early and expired it at 1m1s.
	name:    "a clock that steps back writes a time it wrote before",
	variant: backwards,
	setup:   setup{offsets: []time.Duration{0, 0}, services: []string{"redis"}, units: 2},
	events: []event{
		{kind: evClaim, node: 0, unit: "redis/0", dur: 30 * time.Second},
		{kind: evCheck, node: 1, unit: "redis/1"},
		{kind: evJump, node: 0, dur: 20 * time.Second},
		{kind: evAdvance, dur: 20 * time.Second},
		{kind: evClaim, node: 0, unit: "redis/0", dur: time.Minute},
		{kind: evAdvance, dur: 11 * time.Second},
		{kind: evAdvance, dur: 30 * time.Second},
		{kind: evClaim, node: 1, unit: "redis/1", dur: 30 * time.Second},
	},
}, {
	// backwards seed 521: m1 extended mysql/2's lease at 40s, to end at
	// 1m30s, and its clock stepped back 55s; at 1m35s, its clock reading
	// exactly the time of that write again, m1 extended it for 30s,
	// writing a document equal to the one before (same holder, writer,
	// term and expiry, which now meant 2m25s). m2 had cached the earlier
	// document with m1's clock as measured before the step: its
	// extension for 15s asserted that document, matched the equal one,
	// and cut the lease to 1m50s; it expired it at 1m55s and granted
	// mysql/1 while mysql/2 was still guaranteed until 2m5s.
	name:    "a write equal to an earlier one after a step back",
	variant: backwards,
	setup: setup{offsets: []time.Duration{
		14*time.Minute + 47921069823, -(59*time.Minute + 6457600668), -(43*time.Minute + 27776980789),
		-(54*time.Minute + 10148921510), -(55*time.Minute + 27604849733)}, services: []string{"redis", "mysql"}, units: 3},
	events: []event{
		{kind: evClaim, node: 3, unit: "mysql/2", dur: 90 * time.Second},
		{kind: evAdvance, dur: 10 * time.Second},
		{kind: evAdvance, dur: 20 * time.Second},
		{kind: evAdvance, dur: 10 * time.Second},
		{kind: evClaim, node: 1, unit: "mysql/2", dur: 15 * time.Second},
		{kind: evJump, node: 1, dur: 55 * time.Second},
		{kind: evAdvance, dur: 10 * time.Second},
		{kind: evAdvance, dur: 45 * time.Second},
		{kind: evClaim, node: 1, unit: "mysql/2", dur: 30 * time.Second},
		{kind: evClaim, node: 2, unit: "mysql/2", dur: 15 * time.Second},
		{kind: evAdvance, dur: 20 * time.Second},
		{kind: evClaim, node: 2, unit: "mysql/1", dur: 5 * time.Second},
	},
}, {
	// outages seed 778: m1, killed at 23.5s, had last asked for an alarm
	// at once; the driver restarted it at 53.5s, on the same clock, and
	// counted the new manager's alarms after the old one's. The new
	// manager asked three at once, each for a reason: redis/3's lease
	// was due at the very instant it started, the client expires a lease
	// only after its expiry, and 15s later wordpress/4's lease was due at
	// the very instant of that advance. Four in a row were reported as a
	// spin. A manager's alarms are counted from its start.
	name:    "a restarted manager's alarms are its own",
	variant: trackedOutages,
	setup: setup{
		offsets:  []time.Duration{-(30*time.Minute + 12350432074), -(51*time.Minute + 10684172797), -(47*time.Minute + 19152193410)},
		services: []string{"redis", "mysql", "wordpress"}, units: 3,
		trackers: []trackerSpec{
			{unit: "redis/3", node: 1, dur: 30 * time.Second}, {unit: "redis/4", node: 2, dur: 15 * time.Second},
			{unit: "mysql/3", node: 2, dur: 15 * time.Second}, {unit: "mysql/4", node: 1, dur: 30 * time.Second},
			{unit: "wordpress/3", node: 1, dur: 15 * time.Second}, {unit: "wordpress/4", node: 0, dur: 15 * time.Second},
		},
	},
	events: []event{
		{kind: evTrackerStep, tracker: 4, dur: 10 * time.Second, slow: 15 * time.Second},
		{kind: evAdvance, dur: 8500 * time.Millisecond},
		{kind: evKill, node: 1},
		{kind: evAdvance, dur: 5 * time.Second},
		{kind: evAdvance, dur: 5 * time.Second},
		{kind: evAdvance, dur: 5 * time.Second},
		{kind: evAdvance, dur: 5 * time.Second},
		{kind: evAdvance, dur: 5 * time.Second},
		{kind: evAdvance, dur: 5 * time.Second},
		{kind: evKill, node: 0},
	},
}, {
	// m0 wrote, then NTP stepped its clock back a minute; m1's lease for
	// 5s (which m0 read at once) then ran out, and m1 was killed, leaving
	// m0 alone to expire it. Every expiry transaction of m0 aborts on m0's
	// own clock assertion until m0's clock passes its last write again,
	// and the client gives up with ErrExcessiveContention. m0's manager
	// must live through that, and back off rather than ask to be woken
	// again at once.
	name:    "expire with a clock behind its own last write",
	variant: backwards,
	setup:   setup{offsets: []time.Duration{0, 0}, services: []string{"redis", "mysql"}, units: 2},
	events: []event{
		{kind: evClaim, node: 0, unit: "redis/0", dur: 2 * time.Minute},
		{kind: evJump, node: 0, dur: time.Minute},
		{kind: evClaim, node: 1, unit: "mysql/0", dur: 5 * time.Second},
		{kind: evCheck, node: 0, unit: "mysql/1"},
		{kind: evKill, node: 1},
		{kind: evAdvance, dur: 10 * time.Second},
		{kind: evAdvance, dur: 10 * time.Second},
		{kind: evAdvance, dur: 10 * time.Second},
		{kind: evAdvance, dur: 10 * time.Second},
		{kind: evAdvance, dur: 10 * time.Second},
		{kind: evAdvance, dur: 10 * time.Second},
		{kind: evAdvance, dur: 10 * time.Second},
		{kind: evClaim, node: 0, unit: "mysql/1", dur: time.Minute},
	},
	// Once its clock has passed its last write, m0 works as usual.
	lastClaim: "ok",
}, {
	// The clock steps back in the middle of m0's refresh, between the
	// readings around its read of the clock document: Juju's client
	// failed the refresh, and the manager died of it.
	name:    "a clock steps back during a refresh",
	variant: backwards,
	setup:   setup{offsets: []time.Duration{0, 0}, services: []string{"redis"}, units: 2},
	events: []event{
		{kind: evClaim, node: 1, unit: "redis/1", dur: 5 * time.Second},
		{kind: evCheck, node: 0, unit: "redis/0"},
		{kind: evAdvance, dur: 10 * time.Second},
		{kind: evJumpMid, node: 0, dur: time.Second, reads: 2},
		{kind: evCheck, node: 0, unit: "redis/0"},
		{kind: evAdvance, dur: 10 * time.Second},
	},
}, {
	// m0 extends and dies at once. m1, blocked on the lease
	// since the claim, reads the clocks soon after m0's last write (here
	// the driver's own barrier request after each event does it before
	// any ClockPoll does, so this schedule does not show the polls, which
	// integration/endtoend's FailoverSuite does), bounds m0's clock by
	// that read, and so takes the lease to run out a second after m0's
	// term (1m30s), not when it first wakes for it. The checker holds the
	// claim it then grants at 1m32s to the terms.
	name:  "a writer dies right after a write",
	setup: setup{offsets: []time.Duration{0, 17 * time.Minute}, services: []string{"redis"}, units: 2},
	events: []event{
		{kind: evClaim, node: 0, unit: "redis/0", dur: time.Minute},
		{kind: evBlock, node: 1, svc: "redis"},
		{kind: evAdvance, dur: 30 * time.Second},
		{kind: evClaim, node: 0, unit: "redis/0", dur: time.Minute},
		{kind: evKill, node: 0},
		{kind: evAdvance, dur: time.Second},
		{kind: evAdvance, dur: 30 * time.Second},
		{kind: evAdvance, dur: 30 * time.Second},
		{kind: evAdvance, dur: time.Second},
		{kind: evClaim, node: 1, unit: "redis/1", dur: time.Minute},
	},
	lastClaim: "ok",
}, {
	// Reads racing writes. m0's extension stops half way
	// through its transaction, at each breakpoint in turn, while m1 and
	// m2 read the lease (a check that misses, a denied claim, a block)
	// and the clocks; the transactions are finished by whoever reads
	// them next. Nobody may lead before m0's term ends.
	name:    "reads racing an interrupted extension",
	variant: faulty,
	setup:   setup{offsets: []time.Duration{0, -3 * time.Minute, 5 * time.Minute}, services: []string{"redis"}, units: 3},
	events: []event{
		{kind: evClaim, node: 0, unit: "redis/0", dur: 20 * time.Second},
		{kind: evBlock, node: 2, svc: "redis"},
		{kind: evAdvance, dur: 10 * time.Second},
		{kind: evClaim, node: 0, unit: "redis/0", dur: 20 * time.Second, chaos: "set-prepared"},
		{kind: evCheck, node: 1, unit: "redis/1"},
		{kind: evClaim, node: 2, unit: "redis/2", dur: 20 * time.Second},
		{kind: evAdvance, dur: 10 * time.Second},
		{kind: evClaim, node: 0, unit: "redis/0", dur: 20 * time.Second, chaos: "set-applying"},
		{kind: evClaim, node: 1, unit: "redis/1", dur: 20 * time.Second},
		{kind: evAdvance, dur: 10 * time.Second},
		{kind: evClaim, node: 0, unit: "redis/0", dur: 20 * time.Second, chaos: "set-applied"},
		{kind: evBlock, node: 1, svc: "redis"},
		{kind: evKill, node: 0},
		{kind: evAdvance, dur: 10 * time.Second},
		{kind: evClaim, node: 2, unit: "redis/2", dur: 20 * time.Second},
		{kind: evAdvance, dur: 25 * time.Second},
		{kind: evClaim, node: 1, unit: "redis/1", dur: 20 * time.Second},
	},
}, {
	// redis/3's tracker claims through m0 at 0s, and idles until its
	// renewal; m0 is killed (its renewals fail), and at 5s m0's clock
	// steps back 10s while 10s pass before the tracker reads it again, so
	// that it sees no step. m1 expires the lease at 35s, the first wake
	// after its end at 30s, and redis/4's tracker, waiting on m1, takes
	// it. A tracker that counted its term on m0's wall clock alone would
	// count itself leader until 40s (30s on m0's clock); it must stop at
	// 30s, on monotonic time.
	name:    "an idle leader's clock steps back unread",
	variant: tracked,
	setup: setup{offsets: []time.Duration{0, 0}, services: []string{"redis"}, units: 3, trackers: []trackerSpec{
		{unit: "redis/3", node: 0, dur: 30 * time.Second}, {unit: "redis/4", node: 1, dur: 30 * time.Second}}},
	events: []event{
		{kind: evAdvance, dur: 5 * time.Second},
		{kind: evKill, node: 0},
		{kind: evJump, node: 0, dur: 10 * time.Second, slow: 10 * time.Second},
		{kind: evAdvance, dur: 5 * time.Second},
		{kind: evAdvance, dur: 5 * time.Second},
		{kind: evAdvance, dur: 5 * time.Second},
		{kind: evAdvance, dur: 5 * time.Second},
		{kind: evAdvance, dur: 5 * time.Second},
	},
}}

func TestKnownSchedules(t *testing.T) {
	for _, k := range knownSchedules {
		t.Run(k.name, func(t *testing.T) {
			if k.variant != faulty {
				// txn.SetChaos is global: faulty schedules run alone,
				// before the parallel ones start.
				t.Parallel()
			}
			o, err := simulate(k.setup, k.variant, k.events)
			if err != nil {
				t.Fatal(err)
			}
			last := len(k.events) - 1
			for _, r := range o.hist {
				if k.lastClaim != "" && r.step == last && r.op == "claim" && r.result != k.lastClaim {
					t.Errorf("the last claim returned %s, want %s", r.result, k.lastClaim)
				}
			}
			if len(o.violations) == 0 && !t.Failed() {
				return
			}
			for _, r := range o.hist {
				t.Logf("%s", r)
			}
			for _, v := range o.violations {
				t.Errorf("%s", v)
			}
		})
	}
}
