package safety_test

import (
	"fmt"
	"math/rand"
	"strings"
	"time"
)

// variant says which faults a schedule may contain besides kills and
// restarts.
type variant int

const (
	// plain schedules have no faults: clocks only move forward, and a
	// manager must never die.
	plain variant = iota
	// backwards schedules also step single clocks back, as NTP can,
	// between operations and in the middle of them; a manager must
	// never die, nor ask to be woken again at once, over and over.
	backwards
	// faulty schedules also drop every connection to the server,
	// interrupt the transactions of one operation half way (txn.SetChaos),
	// fail one command of an operation as a replica set does: "not
	// primary" (a stepped-down primary), or a writeConcernError on a write
	// that was applied (a majority write that timed out), either the
	// operation's first command or the first of a name that mgo/txn sends
	// while it runs a transaction (insert, update, findAndModify); stop
	// the server and restart it on the same data while time passes; and
	// step the server (a one-member replica set) down while time passes,
	// then let it be elected again. A manager must never die.
	faulty
	// tracked schedules add, to backwards ones, a leadership.Tracker per
	// unit for two units of each service (on nodes of their own), which
	// are killed (and so revoke) and restarted; revokes by the other
	// units; and calls that take time (slow-mid), so that a clock can step
	// back between a tracker's reading and its manager's, and time pass
	// before the claim returns. A tracker must never count itself leader
	// while the lease is not its unit's, nor promise (ClaimLeader) a time
	// in which it is expired, revoked or granted to another unit; nor
	// stop by itself.
	tracked
	// trackedOutages ("outages") schedules are tracked ones in which, now and then, a
	// tracker leads and then the server (a one-member replica set) is
	// stopped and restarted on the same data, or stepped down and
	// elected again, while time passes, before time goes on in small
	// steps: the trackers meet the outage (their claims fail, their terms
	// may end) and must lead again afterwards without breaking a
	// guarantee or stopping. Only these two faults: while the server is
	// down nothing reaches it, so no write's outcome is unknown, which
	// the tracked checks rely on (see holder).
	trackedOutages
	// batched schedules are faulty ones whose managers send writes in
	// batches: their clients are lease.Batchers and MaxBatch is 2 or 3.
	// They add bursts, several claims of different services sent to one
	// manager at once, so that the claims queued behind the first go as
	// one transaction, and leases claimed together expire at one wake,
	// in one batch. A burst may carry a fault or a chaos breakpoint for
	// the batch's commands, or a rival write: just before the manager's
	// batch reaches the store, another manager writes the lease of the
	// batch's first op, which then aborts inside the batch while the
	// others must be answered as they would be alone.
	batched
)

func (v variant) String() string {
	return [...]string{"plain", "backwards", "faulty", "tracked", "outages", "batched"}[v]
}

// faults reports whether v's schedules hold faults of the server: drops,
// outages, step-downs, chaos and failed replies.
func (v variant) faults() bool {
	return v == faulty || v == batched
}

// kind is the kind of one scheduled event.
type kind int

const (
	evClaim        kind = iota // a unit claims leadership through a manager
	evCheck                    // a unit checks its leadership, keeping the token
	evWrite                    // a unit writes with the last token it got
	evBlock                    // a manager is asked to wait for a service's release
	evAdvance                  // every clock moves forward
	evJump                     // one clock steps back
	evJumpMid                  // one clock steps back after its manager's n-th reading
	evKill                     // a manager is killed
	evRestart                  // a killed manager is restarted
	evDrop                     // every connection to the server is dropped
	evSlowMid                  // every clock moves on after one node's n-th reading
	evRevoke                   // a unit's leadership is revoked through a manager
	evTrackerKill              // a tracker is killed (and revokes)
	evTrackerStart             // a killed tracker is started again
	evTrackerStep              // a tracker's next claim: its clock steps back, and the answer takes time
	evOutage                   // the server stops while every clock moves on, then restarts on the same data
	evStepDown                 // the server steps down while every clock moves on, then is elected again
	evBurst                    // several units of different services claim through one manager at once
)

// event is one step of a schedule. Which fields count depends on kind.
type event struct {
	kind  kind
	node  int
	unit  string        // claim, check, write
	svc   string        // block
	dur   time.Duration // claim: duration; advance: step; jump: how far back
	chaos string        // claim, advance: the mgo/txn breakpoint to interrupt at
	reads int           // jump-mid: after how many readings
	fault faultKind     // claim, advance: the server's reply to fail
	// cmd is the command whose reply fault fails: "" for the first the
	// server would refuse (fault not primary) or the first write.
	cmd string
	// tracker is the index of the tracker in setup.trackers: tracker
	// kill, start and step.
	tracker int
	// slow is how long a tracker-step's claim takes to return after its
	// manager's write; for a jump, how far every clock moves on right
	// after it (before anything reads the clock).
	slow time.Duration
	// units are a burst's claimants, each of a different service.
	units []string
	// rival says that, in a burst, another manager writes the lease of
	// the first op of the node's next batch just before that batch
	// reaches the store (see batchingClient).
	rival bool
}

// faultKind is a reply that the server fails during one event, through
// mongotest's fault hooks (and so through mgowire, which mgo reaches it by).
type faultKind int

const (
	noFault           faultKind = iota
	faultNotPrimary             // the next command gets NotWritablePrimary, unrun
	faultWriteConcern           // the next write is applied, and reports a writeConcernError
)

func (f faultKind) String() string {
	return [...]string{"", "not primary", "writeConcernError"}[f]
}

func (e event) String() string {
	var s string
	switch e.kind {
	case evClaim:
		s = fmt.Sprintf("claim     m%d %s for %v", e.node, e.unit, e.dur)
	case evCheck:
		s = fmt.Sprintf("check     m%d %s", e.node, e.unit)
	case evWrite:
		s = fmt.Sprintf("write     %s with its last token", e.unit)
	case evBlock:
		s = fmt.Sprintf("block     m%d %s", e.node, e.svc)
	case evAdvance:
		s = fmt.Sprintf("advance   all clocks by %v", e.dur)
	case evJump:
		s = fmt.Sprintf("jump      m%d's clock back by %v", e.node, e.dur)
		if e.slow != 0 {
			s += fmt.Sprintf(", then every clock on by %v", e.slow)
		}
	case evJumpMid:
		s = fmt.Sprintf("jump-mid  m%d's clock back by %v after its next %d readings", e.node, e.dur, e.reads)
	case evKill:
		s = fmt.Sprintf("kill      m%d", e.node)
	case evRestart:
		s = fmt.Sprintf("restart   m%d", e.node)
	case evDrop:
		s = "drop      every connection"
	case evSlowMid:
		s = fmt.Sprintf("slow-mid  all clocks on by %v after m%d's next %d readings", e.dur, e.node, e.reads)
	case evRevoke:
		s = fmt.Sprintf("revoke    m%d %s", e.node, e.unit)
	case evTrackerKill:
		s = fmt.Sprintf("t-kill    tracker %d", e.tracker)
	case evTrackerStart:
		s = fmt.Sprintf("t-start   tracker %d", e.tracker)
	case evTrackerStep:
		s = fmt.Sprintf("t-step    tracker %d's next claim: its clock back by %v, and its answer %v late", e.tracker, e.dur, e.slow)
	case evOutage:
		s = fmt.Sprintf("outage    the server stops for %v of every clock, then restarts", e.dur)
	case evStepDown:
		s = fmt.Sprintf("step-down the server steps down for %v of every clock, then is elected", e.dur)
	case evBurst:
		s = fmt.Sprintf("burst     m%d %s for %v at once", e.node, strings.Join(e.units, ", "), e.dur)
		if e.rival {
			s += " (a rival writes its batch's first lease)"
		}
	}
	if e.chaos != "" {
		s += fmt.Sprintf(" (txns interrupted at %s)", e.chaos)
	}
	if e.fault != noFault {
		cmd := "first reply of its kind"
		if e.cmd != "" {
			cmd = "first " + e.cmd
		}
		s += fmt.Sprintf(" (%s: %v)", cmd, e.fault)
	}
	return s
}

// setup is what a seed fixes besides its events: the controllers and
// their clocks' offsets from global time, and the services.
type setup struct {
	offsets  []time.Duration
	services []string
	units    int // per service
	// trackers are the trackers of a tracked schedule, started with the
	// managers; their units are none of the others.
	trackers []trackerSpec
	// maxBatch is the managers' MaxBatch in a batched schedule, whose
	// clients are lease.Batchers; 0 in the others, whose clients are not.
	maxBatch int
}

var (
	serviceNames = []string{"redis", "mysql", "wordpress"}
	durations    = []time.Duration{5 * time.Second, 15 * time.Second, 30 * time.Second, time.Minute, 90 * time.Second}
	steps        = []time.Duration{time.Second, 5 * time.Second, 10 * time.Second, 20 * time.Second, 45 * time.Second}
	jumps        = []time.Duration{time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second}
	breakpoints  = []string{"set-prepared", "set-applying", "set-applied"}
	// outages are how long every clock moves on while the server is
	// stopped or stepped down: less than a lease, and more than the
	// longest.
	outages = []time.Duration{time.Second, 10 * time.Second, 45 * time.Second, 2 * time.Minute}
	// faultCmds are the commands a fault may name: "" is the first the
	// fault applies to; the others are the commands mgo/txn sends as it
	// runs a transaction (insert: the transaction document; update and
	// findAndModify: its state, and the documents' queues and values).
	faultCmds = []string{"", "insert", "update", "findAndModify"}
)

// drawSetup draws from rng what every schedule starts with: 3 to 5
// managers, each with its clock's offset (up to an hour either way, to
// the nanosecond), and 2 or 3 services of 3 units each.
func drawSetup(rng *rand.Rand) setup {
	var s setup
	managers := 3 + rng.Intn(3)
	for i := 0; i < managers; i++ {
		s.offsets = append(s.offsets, time.Duration(rng.Int63n(int64(2*time.Hour)))-time.Hour)
	}
	s.services = serviceNames[:2+rng.Intn(2)]
	s.units = 3
	return s
}

// generate returns the setup and n events of the schedule for seed.
func generate(seed int64, v variant, n int) (setup, []event) {
	if v == tracked || v == trackedOutages {
		return generateTracked(seed, n, v == trackedOutages)
	}
	rng := rand.New(rand.NewSource(seed))
	s := drawSetup(rng)
	managers := len(s.offsets)
	if v == batched {
		s.maxBatch = 2 + rng.Intn(2)
	}
	// Each service has a favourite unit, which most requests come from
	// and which changes now and then, so that leaders extend their
	// leases, are denied to others, and stop extending.
	favourite := make([]int, len(s.services))
	unit := func() string {
		i := rng.Intn(len(s.services))
		if rng.Intn(10) == 0 {
			favourite[i] = rng.Intn(s.units)
		}
		u := favourite[i]
		if rng.Intn(4) == 0 {
			u = rng.Intn(s.units)
		}
		return fmt.Sprintf("%s/%d", s.services[i], u)
	}
	pick := func(ds []time.Duration) time.Duration { return ds[rng.Intn(len(ds))] }
	// A clock that steps back by exactly what the clocks advanced lately
	// reads again, as time goes on, times it has written before.
	var advanced []time.Duration
	jump := func() time.Duration {
		if k := 1 + rng.Intn(3); rng.Intn(2) == 0 && len(advanced) >= k {
			var d time.Duration
			for _, a := range advanced[len(advanced)-k:] {
				d += a
			}
			return d
		}
		return pick(jumps)
	}
	events := make([]event, 0, n)
	for len(events) < n {
		e := event{node: rng.Intn(managers)}
		switch r := rng.Intn(100); {
		case r < 56:
			callEvent(&e, r, [3]int{30, 42, 52}, rng, s, unit, pick)
		case v == batched && r < 76:
			e = burst(rng, e.node, s, unit, pick(durations))
		case v.faults() && (r >= 76 && r < 84 || r >= 94):
			switch f := rng.Intn(7); {
			case f == 0:
				e.kind = evDrop
			case f == 1:
				e.kind, e.dur = evOutage, pick(outages)
			case f == 2:
				e.kind, e.dur = evStepDown, pick(outages)
			default:
				if rng.Intn(2) == 0 {
					e.kind, e.unit, e.dur = evClaim, unit(), pick(durations)
				} else {
					e.kind, e.dur = evAdvance, pick(steps)
				}
				switch rng.Intn(3) {
				case 0:
					e.chaos = breakpoints[rng.Intn(len(breakpoints))]
				case 1:
					e.fault, e.cmd = faultNotPrimary, faultCmds[rng.Intn(len(faultCmds))]
				default:
					e.fault, e.cmd = faultWriteConcern, faultCmds[rng.Intn(len(faultCmds))]
				}
			}
		case r < 84:
			e.kind, e.dur = evAdvance, pick(steps)
		case r < 88:
			e.kind = evKill
		case r < 94:
			e.kind = evRestart
		case v == backwards && rng.Intn(3) == 0:
			e.kind, e.dur = evJump, jump()
		case v == backwards && rng.Intn(2) == 0:
			// The step lands inside whatever the manager does next: a
			// refresh's read window, between a claim's reading and its
			// transaction, in a wake between its expiries.
			e.kind, e.dur, e.reads = evJumpMid, jump(), 1+rng.Intn(8)
		case v == backwards:
			// A node writes, its clock steps back, and it writes again
			// once its clock reads exactly the time of its first write.
			u := unit()
			events = append(events, event{kind: evClaim, node: e.node, unit: u, dur: pick(durations)})
			k := 1 + rng.Intn(3)
			var catchUp []event
			for i := 0; i < k; i++ {
				a := event{kind: evAdvance, dur: pick(steps)}
				e.dur += a.dur
				catchUp = append(catchUp, a)
			}
			e.kind = evJump
			events = append(events, e)
			if other := rng.Intn(managers); other != e.node && rng.Intn(2) == 0 {
				// Meanwhile another node claims a short lease, which the
				// node behind its own last write reads at once: when it
				// runs out, every expiry that node tries aborts until
				// its clock catches up.
				v := unit()
				events = append(events,
					event{kind: evClaim, node: other, unit: v, dur: durations[0]},
					event{kind: evCheck, node: e.node, unit: v})
			}
			events = append(events, catchUp...)
			e = event{kind: evClaim, node: e.node, unit: u, dur: pick(durations)}
		default:
			e.kind, e.dur = evAdvance, pick(steps)
		}
		if e.kind == evAdvance {
			advanced = append(advanced, e.dur)
		}
		events = append(events, e)
	}
	return s, events
}

// callEvent makes e the call of a unit's agent that r picks: a claim
// below cuts[0], a check below cuts[1], a write below cuts[2], and a
// block above. A claim draws its unit and then one of durations, a check
// or a write its unit, a block its service, from rng.
func callEvent(e *event, r int, cuts [3]int, rng *rand.Rand, s setup, unit func() string, pick func([]time.Duration) time.Duration) {
	switch {
	case r < cuts[0]:
		e.kind, e.unit, e.dur = evClaim, unit(), pick(durations)
	case r < cuts[1]:
		e.kind, e.unit = evCheck, unit()
	case r < cuts[2]:
		e.kind, e.unit = evWrite, unit()
	default:
		e.kind, e.svc = evBlock, s.services[rng.Intn(len(s.services))]
	}
}

// burst returns a burst through node: a claim by unit() of each service
// unit() names, two at least (in a random order), and, half the time, a
// rival write, a chaos breakpoint or a failed reply for its batch.
func burst(rng *rand.Rand, node int, s setup, unit func() string, dur time.Duration) event {
	e := event{kind: evBurst, node: node, dur: dur}
	seen := map[string]bool{}
	for tries := 0; tries < 20 && (len(e.units) < 2 || rng.Intn(2) == 0) && len(e.units) < len(s.services); tries++ {
		if u := unit(); !seen[serviceOf(u)] {
			seen[serviceOf(u)] = true
			e.units = append(e.units, u)
		}
	}
	switch rng.Intn(8) {
	case 0, 1:
		e.rival = true
	case 2:
		e.chaos = breakpoints[rng.Intn(len(breakpoints))]
	case 3:
		e.fault, e.cmd = faultNotPrimary, faultCmds[rng.Intn(len(faultCmds))]
	case 4:
		e.fault, e.cmd = faultWriteConcern, faultCmds[rng.Intn(len(faultCmds))]
	}
	return e
}

var (
	trackerDurations = []time.Duration{15 * time.Second, 30 * time.Second}
	// slows are how long a slow-mid call takes.
	slows = []time.Duration{100 * time.Millisecond, time.Second, 5 * time.Second, 15 * time.Second}
)

// generateTracked returns the setup and n events of a tracked schedule,
// or, withOutages, of an outages one. The outages' scenario takes its
// share from the advances, and draws nothing from the random source
// otherwise, so that a tracked schedule is what it was before outages
// existed.
func generateTracked(seed int64, n int, withOutages bool) (setup, []event) {
	rng := rand.New(rand.NewSource(seed))
	s := drawSetup(rng)
	managers := len(s.offsets)
	for _, svc := range s.services {
		for u := s.units; u < s.units+2; u++ {
			s.trackers = append(s.trackers, trackerSpec{
				unit: fmt.Sprintf("%s/%d", svc, u),
				node: rng.Intn(managers),
				dur:  trackerDurations[rng.Intn(len(trackerDurations))],
			})
		}
	}
	unit := func() string {
		return fmt.Sprintf("%s/%d", s.services[rng.Intn(len(s.services))], rng.Intn(s.units))
	}
	pick := func(ds []time.Duration) time.Duration { return ds[rng.Intn(len(ds))] }
	events := make([]event, 0, n)
	for len(events) < n {
		e := event{node: rng.Intn(managers)}
		switch r := rng.Intn(100); {
		case withOutages && r >= 38 && r < 48:
			// A tracker leads (most likely), with the other of its
			// service waiting; the server goes down while time passes
			// (as much as a renewal, a term, or more), and comes back;
			// then time goes on in small steps, in which the trackers
			// claim again.
			t := rng.Intn(len(s.trackers))
			events = appendLeads(events, s, t)
			kind := evOutage
			if rng.Intn(2) == 0 {
				kind = evStepDown
			}
			events = append(events, event{kind: kind, dur: pick(outages)})
			events = appendSmallSteps(events, s.trackers[t].dur)
			continue
		case r < 23:
			callEvent(&e, r, [3]int{12, 17, 21}, rng, s, unit, pick)
		case r < 48:
			e.kind, e.dur = evAdvance, pick(steps)
		case r < 52:
			e.kind = evKill
		case r < 58:
			e.kind = evRestart
		case r < 62:
			e.kind, e.unit = evRevoke, unit()
		case r < 66:
			e.kind, e.tracker = evTrackerKill, rng.Intn(len(s.trackers))
		case r < 72:
			e.kind, e.tracker = evTrackerStart, rng.Intn(len(s.trackers))
		case r < 76:
			e.kind, e.dur = evJump, pick(jumps)
		case r < 80:
			e.kind, e.dur, e.reads = evJumpMid, pick(jumps), 1+rng.Intn(6)
		case r < 84:
			e.kind, e.dur, e.reads = evSlowMid, pick(slows), 1+rng.Intn(6)
		case r < 92:
			// A tracker's claim: its clock steps back between its
			// reading and its manager's, and the answer comes late (the
			// tracker then reads its clock later than before the step,
			// and sees no step, or only part of it); then its renewals
			// fail (its manager is killed) while the others expire the
			// lease and grant it again. The tracker must count itself
			// leader no longer than the lease.
			t := rng.Intn(len(s.trackers))
			events = appendLeads(events, s, t)
			tr := s.trackers[t]
			events = append(events,
				event{kind: evTrackerStep, tracker: t, dur: pick(jumps[2:]), slow: pick(slows[2:])},
				event{kind: evAdvance, dur: tr.dur/2 + time.Second},
				event{kind: evKill, node: tr.node})
			events = appendSmallSteps(events, tr.dur+15*time.Second)
			continue
		default:
			// An idle leader's clock steps back, and time passes, as
			// much, before it reads the clock again: it sees no step.
			// Its renewals fail (its manager is killed) while the
			// others expire the lease and grant it again.
			t := rng.Intn(len(s.trackers))
			events = appendLeads(events, s, t)
			tr := s.trackers[t]
			j := pick(jumps[1:])
			events = append(events,
				event{kind: evJump, node: tr.node, dur: j, slow: j},
				event{kind: evKill, node: tr.node})
			events = appendSmallSteps(events, tr.dur+15*time.Second)
			continue
		}
		events = append(events, e)
	}
	return s, events
}

// appendLeads appends events that make tracker t lead, most likely, with
// the other tracker of its service waiting to: t's manager runs, the other
// tracker is killed (revoking, if it led), t runs, and the other runs
// again.
func appendLeads(events []event, s setup, t int) []event {
	other := t ^ 1 // the trackers of a service are 2i and 2i+1
	return append(events,
		event{kind: evRestart, node: s.trackers[t].node},
		event{kind: evTrackerKill, tracker: other},
		event{kind: evTrackerStart, tracker: t},
		event{kind: evAdvance, dur: time.Second},
		event{kind: evTrackerStart, tracker: other})
}

// appendSmallSteps appends advances of 5s, d in all: between them the
// driver asks the trackers whether they lead.
func appendSmallSteps(events []event, d time.Duration) []event {
	for passed := time.Duration(0); passed < d; passed += 5 * time.Second {
		events = append(events, event{kind: evAdvance, dur: 5 * time.Second})
	}
	return events
}
