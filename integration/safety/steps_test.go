package safety_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/leadership"
)

// createWriteDocs creates the document per service that guarded writes
// update.
func (w *world) createWriteDocs() error {
	var ops []txn.Op
	for _, svc := range w.setup.services {
		ops = append(ops, txn.Op{C: writesC, Id: svc, Assert: txn.DocMissing, Insert: bson.M{"writer": "", "n": 0}})
	}
	return txn.NewRunner(w.db.C(txnsC)).Run(ops, "", nil)
}

// run runs one event, then lets every manager handle what fell due, and
// notices managers that died.
func (w *world) run(e event) {
	var n *node
	if e.node < len(w.nodes) {
		n = w.nodes[e.node]
	}
	if e.chaos != "" {
		// The managers are all idle: nothing reads the setting while it
		// changes, and the requests that follow order it before their use.
		txn.SetChaos(txn.Chaos{KillChance: 1, Breakpoint: e.chaos})
	}
	w.armFault(e.fault, e.cmd)
	w.setFaultArmed(e.chaos != "" || e.fault != noFault)
	switch e.kind {
	case evClaim:
		w.claim(n, e)
	case evBurst:
		w.burst(n, e)
	case evCheck:
		w.check(n, e)
	case evWrite:
		w.write(e)
	case evBlock:
		w.block(n, e)
	case evAdvance:
		w.advance(e.dur)
	case evJump:
		n.clock.Set(n.clock.Clock.Now().Add(-e.dur))
		n.offset -= e.dur
		w.jumped += e.dur
		w.record(rec{node: n.index, op: "jump", dur: -e.dur, result: "ok"})
		if e.slow != 0 {
			w.advance(e.slow)
		}
	case evJumpMid:
		n.clock.stepBackAfter(e.reads, e.dur)
		n.offset -= e.dur
		w.jumped += e.dur
		w.record(rec{node: n.index, op: "jump-mid", dur: -e.dur, result: fmt.Sprintf("after %d readings", e.reads)})
	case evKill:
		w.kill(n)
	case evRestart:
		if n.cur == nil {
			w.startNode(n)
		} else {
			w.skipped(n.index, "running")
		}
	case evDrop:
		w.server.DropConnections()
		w.record(rec{node: -1, op: "drop", result: "ok"})
		w.refreshDriver()
	case evSlowMid:
		n.clock.slowAfter(e.reads, func() { w.slowAll(e.dur) })
		w.record(rec{node: n.index, op: "slow-mid", dur: e.dur, result: fmt.Sprintf("after %d readings", e.reads)})
	case evRevoke:
		w.revoke(n, e)
	case evOutage, evStepDown:
		w.outage(e)
	case evTrackerKill:
		w.killTracker(w.trackers[e.tracker])
	case evTrackerStep:
		tr := w.trackers[e.tracker]
		tr.conn.armStep(e.dur, e.slow)
		w.nodes[tr.spec.node].offset -= e.dur
		w.jumped += e.dur
		w.record(rec{node: tr.spec.node, op: "t-step", unit: tr.spec.unit, dur: -e.dur, result: fmt.Sprintf("answer %v late", e.slow), tracker: tr.index + 1})
	case evTrackerStart:
		if tr := w.trackers[e.tracker]; tr.tracker == nil {
			w.startTracker(tr)
		} else {
			w.skipped(tr.spec.node, tr.spec.unit+"'s tracker is running")
		}
	}
	for _, n := range w.nodes {
		w.settle(n)
	}
	if len(w.trackers) > 0 {
		// A tracker's claims and releases change what its manager
		// waits for, and a manager's expiries release the trackers'
		// waits: let each settle after the other.
		for round := 0; round < 1; round++ {
			for _, tr := range w.trackers {
				w.settleTracker(tr)
			}
			for _, n := range w.nodes {
				w.settle(n)
			}
		}
	}
	if e.chaos != "" {
		txn.SetChaos(txn.Chaos{})
	}
	if e.fault != noFault {
		// A fault that nothing used up does not outlive its event.
		w.server.ClearFaults()
	}
	w.setFaultArmed(false)
	w.reap()
	if len(w.trackers) > 0 {
		w.reapTrackers()
		w.checkTrackers()
	}
	w.checkPace(e)
}

// slowAll moves every clock on by d, in the middle of a node's call: the
// time the call takes. It runs on the goroutine of whatever read the
// clock; the managers' and trackers' alarms still wait for the driver.
func (w *world) slowAll(d time.Duration) {
	w.moveAll(d, "slow")
}

// moveAll moves every clock on by d, and records it as op.
func (w *world) moveAll(d time.Duration, op string) {
	w.mu.Lock()
	w.elapsed += d
	w.mu.Unlock()
	for _, n := range w.nodes {
		n.clock.Advance(d)
	}
	w.record(rec{node: -1, op: op, dur: d, result: "ok"})
}

// revoke revokes a unit's leadership through a manager, as the unit
// would once it stopped acting as leader.
func (w *world) revoke(n *node, e event) {
	svc := serviceOf(e.unit)
	if !w.running(n) {
		return
	}
	var err error
	w.call(n.cur, func() error {
		err = n.cur.manager.(leadership.Revoker).RevokeLeadership(svc, e.unit)
		return nil
	})
	w.record(rec{node: n.index, op: "revoke", svc: svc, unit: e.unit, result: describe(err)})
}

// maxHastyAlarms is how many alarms in a row a manager may ask for at
// once (see gatedClock): one for a lease due when it is asked, one more
// for a lease the client would not expire at the very instant it is due.
// More means that on a real clock it would wake over and over without
// time passing.
const maxHastyAlarms = 3

// checkPace checks, after every event, that no running manager spins (asks
// again and again to be woken at once) and, after an advance, that none
// has let its clock move forward more than MaxSleep, plus the advance that
// crossed it, without refreshing: a clock stepped back must not put its
// wakes off.
func (w *world) checkPace(e event) {
	for _, n := range w.nodes {
		if n.cur == nil {
			continue
		}
		if hasty := n.clock.hastyAlarms(); hasty > maxHastyAlarms && !n.spun {
			n.spun = true
			w.violate("spin", fmt.Sprintf("m%d asked %d times in a row to be woken at once (at %v)",
				n.index, hasty, n.clock.Clock.Now()), w.step)
		}
		if e.kind != evAdvance {
			continue
		}
		if advanced := n.clock.advancedSinceReset(); advanced > maxSleep+e.dur {
			w.violate("overslept", fmt.Sprintf("m%d's clock has moved forward %v since it last refreshed, more than MaxSleep %v and the step %v",
				n.index, advanced, maxSleep, e.dur), w.step)
		}
	}
}

func serviceOf(unit string) string {
	return unit[:strings.IndexByte(unit, '/')]
}

// running reports whether n's manager runs, and if not records that the
// event was skipped.
func (w *world) running(n *node) bool {
	if n.cur == nil {
		w.skipped(n.index, "not running")
		return false
	}
	return true
}

// skipped records that an event was not run, because its manager is not
// running or its unit has no token.
func (w *world) skipped(n int, why string) {
	w.record(rec{node: n, op: "skip", result: why})
}

func (w *world) claim(n *node, e event) {
	svc := serviceOf(e.unit)
	if !w.running(n) {
		return
	}
	var err error
	began := w.now()
	w.call(n.cur, func() error {
		err = n.cur.manager.ClaimLeadership(svc, e.unit, e.dur)
		return nil
	})
	result := describe(err)
	if err == leadership.ErrClaimDenied {
		result = "denied"
	}
	w.record(rec{node: n.index, op: "claim", svc: svc, unit: e.unit, dur: e.dur, result: result, took: w.now() - began})
}

func (w *world) check(n *node, e event) {
	svc := serviceOf(e.unit)
	if !w.running(n) {
		return
	}
	var token leadership.Token
	var termToken leadership.TermToken
	var err error
	w.call(n.cur, func() error {
		token, err = n.cur.manager.CheckLeadership(svc, e.unit)
		if err == nil {
			// Taken at once, on the same cache: the same term.
			termToken, err = n.cur.manager.(leadership.TermChecker).CheckLeadershipTerm(svc, e.unit)
		}
		return nil
	})
	if err == nil {
		w.tokens[e.unit] = token
		w.termTokens[e.unit] = termToken
		w.record(rec{node: n.index, op: "check", svc: svc, unit: e.unit, result: "token"})
		return
	}
	w.record(rec{node: n.index, op: "check", svc: svc, unit: e.unit, result: describe(err)})
}

// write runs, with the last token the unit got, a transaction of the
// driver's own that records the unit as the service's last writer. If it
// commits, the driver reads the lease document at once: nothing else runs
// in between, and the transaction itself touched that document (mgo/txn
// completes any unfinished transaction on a document before it applies
// one), so what it reads is the state the token was checked against.
func (w *world) write(e event) {
	svc := serviceOf(e.unit)
	token := w.tokens[e.unit]
	if token == nil {
		w.skipped(-1, e.unit+" has no token")
		return
	}
	ops := append(token.AssertOps(), txn.Op{
		C: writesC, Id: svc, Assert: txn.DocExists,
		Update: bson.M{"$set": bson.M{"writer": e.unit}, "$inc": bson.M{"n": 1}},
	})
	r := rec{node: -1, op: "write", svc: svc, unit: e.unit}
	w.runWrite(ops, svc, &r)
	w.record(r)
	w.termWrite(e)
}

// runWrite runs ops, a transaction of the driver's, and completes r with
// its result: "aborted", or once it commits the holder of svc's lease
// document, read at once, whose term it returns; after any other error
// it refreshes the driver.
func (w *world) runWrite(ops []txn.Op, svc string, r *rec) (docTerm int64) {
	err := txn.NewRunner(w.db.C(txnsC)).Run(ops, "", nil)
	r.result = describe(err)
	switch {
	case errors.Is(err, txn.ErrAborted):
		r.result = "aborted"
	case err == nil:
		var doc struct {
			Holder string `bson:"holder"`
			Term   int64  `bson:"term"`
		}
		if err := w.db.C(leasesC).FindId(fmt.Sprintf("lease#%s#%s#", namespace, svc)).One(&doc); err != nil {
			r.holder = "nobody (" + err.Error() + ")"
		} else {
			r.holder, docTerm = doc.Holder, doc.Term
		}
	default:
		w.refreshDriver()
	}
	return docTerm
}

// termWrite runs, with the last term token the unit got, a transaction
// like write's on a document of its own, which also records the token's
// term; if it commits, the driver reads the lease document at once, as
// write does, for its holder and term.
func (w *world) termWrite(e event) {
	svc := serviceOf(e.unit)
	token := w.termTokens[e.unit]
	if token == nil {
		return
	}
	id := svc + "#term"
	ops := append(token.AssertOps(),
		txn.Op{C: writesC, Id: id, Insert: bson.M{"writer": "", "term": int64(0)}},
		txn.Op{C: writesC, Id: id, Update: bson.M{"$set": bson.M{"writer": e.unit, "term": token.Term()}}},
	)
	r := rec{node: -1, op: "term-write", svc: svc, unit: e.unit, term: token.Term()}
	r.docTerm = w.runWrite(ops, svc, &r)
	w.record(r)
}

// block asks a manager to wait for a service's release, in a goroutine,
// and waits until the manager has taken the request in.
func (w *world) block(n *node, e event) {
	if !w.running(n) {
		return
	}
	inc := n.cur
	lookups, stop := inc.client.watchLookups()
	defer stop()
	b := &pendingBlock{step: w.step, node: n.index, svc: e.svc, inc: inc, done: make(chan error, 1)}
	go func() { b.done <- inc.manager.BlockUntilLeadershipReleased(e.svc) }()
	w.blocks = append(w.blocks, b)
	w.record(rec{node: n.index, op: "block", svc: e.svc, result: "waiting"})
	for {
		select {
		case name := <-lookups:
			if name == e.svc {
				return
			}
		case <-inc.stopped:
			return
		case <-time.After(longWait):
			w.hung("m%d never took in a block", n.index)
		}
	}
}

// advance moves every clock forward by d, then lets each manager in turn
// handle what fell due.
func (w *world) advance(d time.Duration) {
	w.moveAll(d, "advance")
}

func (w *world) kill(n *node) {
	if !w.running(n) {
		return
	}
	inc := n.cur
	inc.manager.Kill()
	select {
	case <-inc.stopped:
	case <-time.After(longWait):
		w.hung("m%d never stopped after Kill", n.index)
	}
	w.setCur(n, nil)
	w.record(rec{node: n.index, op: "kill", result: describe(inc.err)})
}

// refreshDriver gets the driver's session working again after a fault.
func (w *world) refreshDriver() {
	for i := 0; i < 10; i++ {
		w.session.Refresh()
		if w.session.Ping() == nil {
			return
		}
	}
	w.hung("the driver's session never came back")
}

// armFault makes the server fail the next command (faultNotPrimary) or
// the next write (faultWriteConcern) of whatever the event does. Like
// chaos, it is armed while every manager is idle. An external server has
// no fault hooks: the event then runs without the fault.
func (w *world) armFault(f faultKind, cmd string) {
	var err error
	switch f {
	case noFault:
		return
	case faultNotPrimary:
		err = w.server.FailNotPrimary(cmd, 1)
	case faultWriteConcern:
		err = w.server.FailWriteConcern(cmd, 1)
	}
	result := "armed"
	if cmd != "" {
		result += " for " + cmd
	}
	if err != nil {
		result = err.Error()
	}
	w.record(rec{node: -1, op: "fault " + f.String(), result: result})
}

// outage stops the server (evOutage) or steps it down (evStepDown), moves
// every clock on by e.dur, letting every manager handle what fell due,
// then restarts the server on the same data, or ends the step-down as an
// election would. The managers
// fail to reach the store all that while; they must neither die nor grant
// anything they cannot write, and must find their way back afterwards.
func (w *world) outage(e event) {
	var err error
	what := "stop"
	if e.kind == evStepDown {
		what = "step-down"
		err = w.server.StepDown(e.dur + time.Hour)
	} else {
		err = w.server.Stop()
	}
	if err != nil {
		w.record(rec{node: -1, op: "server-" + what, result: describe(err)})
		return
	}
	w.record(rec{node: -1, op: "server-" + what, result: "ok"})
	// One step: each running manager tries the store (and waits, in real
	// time, for mgo to give up on it, about 2s) once or twice; so does
	// each tracker whose renewal or retry falls due, and whose term may
	// end meanwhile.
	w.advance(e.dur)
	for _, n := range w.nodes {
		w.settle(n)
	}
	if len(w.trackers) > 0 {
		for _, tr := range w.trackers {
			w.settleTracker(tr)
		}
		for _, n := range w.nodes {
			w.settle(n)
		}
	}
	w.reap()
	if len(w.trackers) > 0 {
		w.reapTrackers()
		w.checkTrackers()
	}
	if e.kind == evStepDown {
		what, err = "step-up", w.server.StepUp()
	} else {
		what, err = "restart", w.server.Restart()
	}
	if err != nil {
		w.hung("the server never came back (%s): %v", what, err)
	}
	w.record(rec{node: -1, op: "server-" + what, result: "ok"})
	w.refreshDriver()
	if len(w.trackers) > 0 {
		w.refreshNodes()
	}
}

// refreshNodes waits, after an outage of an outages schedule, until each
// node's session reaches the primary again: mgo finds it again on its own
// cadence (about a second after a step-down ends), longer than a node's
// sync timeout, and time moving on before that would fail the managers'
// first wakes for want of real time, not of anything the schedule did (a
// failed wake then leaves the manager "overslept").
func (w *world) refreshNodes() {
	for _, n := range w.nodes {
		ok := false
		for i := 0; i < 20 && !ok; i++ {
			n.session.Refresh()
			ok = n.session.Ping() == nil
		}
		if !ok {
			w.hung("m%d's session never came back", n.index)
		}
	}
}
