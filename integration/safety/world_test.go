package safety_test

import (
	"fmt"
	"sync"
	"time"

	"gopkg.in/mgo.v2"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

const (
	namespace = mongofixture.Namespace
	leasesC   = mongofixture.Collection
	// txnsC is the one transaction collection of the lease clients and of
	// the guarded writes: tokens only fence transactions run through it.
	txnsC   = mongofixture.TxnCollection
	writesC = "writes"
	// barrierService is never claimed: blocking on it is the request the
	// driver sends a manager to learn that its loop has caught up.
	barrierService = "barrier"
	maxSleep       = 30 * time.Second
	// longWait bounds every wait for something that must happen; it is
	// only ever a failure deadline.
	longWait = 2 * time.Minute
	// syncTimeout bounds how long, in real time, a node's session waits
	// for a primary (mgo's sync timeout). Every operation of a manager
	// during an outage waits for it, so it is kept short.
	syncTimeout = 500 * time.Millisecond
)

// start is clocktest.Start, a hostile instant.
var start = clocktest.Start

// world is one run of a schedule: a server, a node per controller, and
// the history. Only the driver goroutine touches it, except for record.
type world struct {
	variant variant
	setup   setup
	fix     *mongofixture.Fixture
	server  *mongotest.Server
	session *mgo.Session // the driver's own, for guarded writes and reads
	db      *mgo.Database

	elapsed time.Duration // global time since start; set under mu
	jumped  time.Duration // how far clocks have stepped back, in all
	step    int           // the event being run, stepSetup or stepFinal; set under mu
	nodes   []*node
	tokens  map[string]leadership.Token // the last one each unit got
	// termTokens are the last term token each unit got, with its token.
	termTokens map[string]leadership.TermToken
	blocks     []*pendingBlock
	// trackers are the trackers of a "tracked" schedule.
	trackers []*simTracker

	mu         sync.Mutex
	hist       []rec
	violations []violation
	// holders is who holds each lease in the database, as the lease
	// clients' successful writes recorded in hist say (see record).
	holders map[string]string
	// batch counts the batches of more than one op the managers sent.
	batch batchStats
	// rival is the node whose next batch meets a rival write, while a
	// burst that asks for one runs (see batchingClient); else nil.
	rival *node
	// faultArmed says whether the event being run has a fault or a
	// chaos breakpoint armed.
	faultArmed bool
}

// node is one controller: a clock, a session, and a manager when it runs.
type node struct {
	index   int
	id      string
	offset  time.Duration // clock minus global time
	clock   *gatedClock
	session *mgo.Session
	cur     *incarnation // nil while not running; set under w.mu
	spun    bool         // a spin has been reported
}

// incarnation is one manager of a node, from start to stop.
type incarnation struct {
	client  *recordingClient
	manager leadership.ManagerWorker
	stopped chan struct{}
	err     error // what Wait returned, once stopped is closed
}

func (inc *incarnation) isStopped() bool {
	select {
	case <-inc.stopped:
		return true
	default:
		return false
	}
}

type pendingBlock struct {
	step int
	node int
	svc  string
	inc  *incarnation
	done chan error
}

// rec is one line of the history.
type rec struct {
	step   int
	at     time.Duration // global time since start
	node   int           // -1 for the driver
	op     string
	svc    string
	unit   string
	dur    time.Duration
	result string
	holder string // write: the lease's holder in the database after commit
	// term is a term-write's token's term; docTerm the lease's term in
	// the database after commit.
	term, docTerm int64
	// took is how much global time passed during a claim (only a
	// slow-mid event makes it pass): its term starts at at - took.
	took time.Duration
	// tracker is 1 + the index of the tracker that made the record, or 0.
	tracker int
}

// The steps of the records made outside the schedule's events.
const (
	stepSetup = -2 // the managers' first start
	stepFinal = -1 // the final phase
)

func (r rec) String() string {
	step := fmt.Sprintf("#%d", r.step)
	switch r.step {
	case stepSetup:
		step = "setup"
	case stepFinal:
		step = "final"
	}
	who := "  "
	if r.node >= 0 {
		who = fmt.Sprintf("m%d", r.node)
	}
	s := fmt.Sprintf("%6s %9v %s %-13s", step, r.at, who, r.op)
	if r.svc != "" {
		s += " " + r.svc
	}
	if r.unit != "" {
		s += " " + r.unit
	}
	if r.dur != 0 {
		s += fmt.Sprintf(" %v", r.dur)
	}
	s += " -> " + r.result
	if r.holder != "" {
		s += " (lease held by " + r.holder + ")"
	}
	if r.op == "term-write" {
		s += fmt.Sprintf(" (token term %d, lease term %d)", r.term, r.docTerm)
	}
	if r.took != 0 {
		s += fmt.Sprintf(" (took %v)", r.took)
	}
	if r.tracker != 0 {
		s += " [tracker]"
	}
	return s
}

// violation is a broken guarantee, with the steps that show it. Steps
// are -1 for the final phase.
type violation struct {
	kind  string // two-leaders, stale-write, not-expired, died, hung, ...
	what  string
	steps []int
}

func (v violation) String() string {
	return v.kind + ": " + v.what
}

func (w *world) record(r rec) {
	w.mu.Lock()
	defer w.mu.Unlock()
	r.step, r.at = w.step, w.elapsed
	w.hist = append(w.hist, r)
	if r.result == "ok" {
		switch r.op {
		case "client-claim":
			if w.holders == nil {
				w.holders = map[string]string{}
			}
			w.holders[r.svc] = r.unit
		case "client-expire", "client-revoke":
			delete(w.holders, r.svc)
		}
	}
}

func (w *world) violate(kind, what string, steps ...int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.violations = append(w.violations, violation{kind, what, steps})
}

// errHung aborts a run in which something never happened.
type errHung struct{ what string }

// hung records a liveness violation and abandons the run.
func (w *world) hung(format string, args ...interface{}) {
	what := fmt.Sprintf(format, args...)
	w.violate("hung", what, w.step)
	panic(errHung{what})
}

// newWorld starts a server, and gives each node its clock and session; the
// managers are not started.
func newWorld(s setup, v variant) (*world, error) {
	opts := mongotest.Options{}
	if v.faults() || v == trackedOutages {
		// A replica-set member, so that a schedule can step it down as
		// an election does; the driver ends each step-down with StepUp,
		// so the server's own clock never times one.
		opts.ReplicaSet = "rs0"
	}
	fix, err := mongofixture.Start(opts)
	if err != nil {
		return nil, err
	}
	w := &world{variant: v, setup: s, fix: fix, server: fix.Server, session: fix.Session, db: fix.DB,
		tokens: map[string]leadership.Token{}, termTokens: map[string]leadership.TermToken{}}
	if err := w.createWriteDocs(); err != nil {
		w.close()
		return nil, err
	}
	for i, offset := range s.offsets {
		n := &node{index: i, id: fmt.Sprintf("machine-%d", i), offset: offset,
			clock: newGatedClock(start.Add(offset))}
		if n.session, err = fix.Dial(); err != nil {
			w.close()
			return nil, err
		}
		// While the server is stopped or stepped down, each of the
		// manager's operations waits for a primary before it fails.
		n.session.SetSyncTimeout(syncTimeout)
		w.nodes = append(w.nodes, n)
	}
	for i, spec := range s.trackers {
		tr := &simTracker{spec: spec, index: i}
		n := w.nodes[spec.node]
		tr.clock = &trackerClock{node: n}
		tr.conn = &trackerConn{w: w, n: n, tr: tr}
		w.trackers = append(w.trackers, tr)
	}
	return w, nil
}

// close stops every manager and the server. After a hang it does not wait
// for what hung.
func (w *world) close() {
	for _, tr := range w.trackers {
		if tr.tracker != nil {
			tr.tracker.Kill()
			select {
			case <-tr.stopped:
			case <-time.After(longWait):
			}
		}
	}
	for _, n := range w.nodes {
		if n.cur != nil {
			n.cur.manager.Kill()
			select {
			case <-n.cur.stopped:
			case <-time.After(longWait):
			}
			w.setCur(n, nil)
		}
	}
	for _, b := range w.blocks {
		select {
		case <-b.done:
		case <-time.After(longWait):
		}
	}
	w.fix.Close()
}

// startNode starts a manager over a new client for n, and waits until it
// has settled. It reports whether it started.
func (w *world) startNode(n *node) bool {
	n.session.Refresh()
	inner, err := lease.NewClient(mongofixture.ClientConfigOn(n.session.DB(""), n.id, n.clock))
	if err != nil {
		w.record(rec{node: n.index, op: "start", result: describe(err)})
		return false
	}
	inc := &incarnation{stopped: make(chan struct{})}
	n.clock.resetAdvanced()
	n.clock.resetHasty()
	inc.client = newRecordingClient(inner, n, w)
	// Only a batched schedule's managers batch: the recording client
	// is no lease.Batcher, and batchingClient is.
	var client lease.Client = inc.client
	if w.setup.maxBatch > 0 {
		client = &batchingClient{inc.client}
	}
	inc.manager, err = leadership.NewManager(leadership.ManagerConfig{
		Client: client, Clock: n.clock, MaxSleep: maxSleep, MaxBatch: w.setup.maxBatch,
	})
	if err != nil {
		panic(err) // the config is valid
	}
	go func() {
		inc.err = inc.manager.Wait()
		close(inc.stopped)
	}()
	w.setCur(n, inc)
	w.record(rec{node: n.index, op: "start", result: "ok"})
	w.settle(n)
	return true
}

// settle waits until n's manager has handled every alarm that is due:
// when it returns, the manager waits in its loop with nothing to do, or
// has stopped.
func (w *world) settle(n *node) {
	inc := n.cur
	if inc == nil {
		return
	}
	for i := 0; ; i++ {
		if i == 100 {
			w.hung("m%d keeps waking at %v", n.index, n.clock.Clock.Now())
		}
		// A request is handled only after the loop has set its alarm
		// for whatever came before it.
		if !w.call(inc, func() error { return inc.manager.BlockUntilLeadershipReleased(barrierService) }) {
			return
		}
		_, changed := n.clock.state()
		if !n.clock.deliver() {
			return
		}
		// Every wake ends by setting a new alarm, unless the manager stops.
		select {
		case <-changed:
		case <-inc.stopped:
			return
		case <-time.After(longWait):
			w.hung("m%d never finished waking at %v", n.index, n.clock.Clock.Now())
		}
	}
}

// call runs f, a request to inc's manager, and reports whether it
// returned nil. If f takes longer than longWait the run is abandoned.
func (w *world) call(inc *incarnation, f func() error) bool {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err == nil
	case <-time.After(longWait):
		w.hung("a manager request never returned")
		return false
	}
}

// reap notices managers that stopped by themselves, and records it. In
// every variant a manager must never die: nothing but Kill may stop it,
// neither a clock that steps back nor a store that fails, stops or steps
// down. A manager that died stays down until a restart event or the final
// phase starts it again.
func (w *world) reap() {
	for _, n := range w.nodes {
		if n.cur == nil || !n.cur.isStopped() {
			continue
		}
		w.record(rec{node: n.index, op: "died", result: describe(n.cur.err)})
		w.violate("died", fmt.Sprintf("m%d died: %v", n.index, n.cur.err), w.step)
		w.setCur(n, nil)
	}
}

// setCur sets n's incarnation, under w.mu: trackers read it (see
// runningManager).
func (w *world) setCur(n *node, inc *incarnation) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n.cur = inc
}

// setStep sets the step being run, under w.mu: trackers' records read it.
func (w *world) setStep(step int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.step = step
}
