package mongotest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/lease"
)

// Topology is what the server says of itself in hello at one instant.
// The Server Discovery and Monitoring specification ("Server
// Description", "topologyVersion") says how drivers read these fields.
type Topology struct {
	// SetName is the replica set's name, as hello's setName gives it; ""
	// for a standalone server.
	SetName string
	// Primary is true while the server accepts writes: always for a
	// standalone, and for a replica-set member between elections, that is
	// except during a step-down.
	Primary bool
	// ProcessID is topologyVersion.processId, as 24 hex digits: new at
	// Start and at each Restart, as a real server's is at each start.
	ProcessID string
	// Counter is topologyVersion.counter: 0 at Start and at each
	// Restart, and one more at each step-down and at each election that
	// ends one.
	Counter int64
	// Term is the election term of a replica-set member, from 1 at Start;
	// each election, after a step-down or a Restart, adds one. hello's
	// electionId encodes it (0 for a standalone).
	Term int64
	// SteppedDownUntil is, on the server's clock ([Options.Clock]), the
	// instant when a timed step-down ends; zero when the server is
	// primary or stepped down until [Server.StepUp].
	SteppedDownUntil time.Time
}

// setVersion is the replica set configuration's version that hello
// reports; the configuration of the one-member set never changes.
const setVersion = 1

// topology holds the server's Topology, and wakes the awaitable hello
// commands (the streaming protocol of the Server Monitoring
// specification) when it changes.
type topology struct {
	clock lease.Clock // the clock of timed step-downs

	mu      sync.Mutex
	state   Topology
	changed chan struct{} // closed, and replaced, at each change of state
	cancel  chan struct{} // closed to stop the wait for a timed step-down's end; nil if none
	wg      sync.WaitGroup
}

// newTopology returns the topology of a new server: primary, with a new
// processId, and in term 1 if it is a replica-set member.
func newTopology(setName string, clock lease.Clock) *topology {
	t := &topology{clock: clock, changed: make(chan struct{})}
	t.state = Topology{SetName: setName, Primary: true, ProcessID: bson.NewObjectId().Hex()}
	if setName != "" {
		t.state.Term = 1
	}
	return t
}

// current returns the topology now, after ending a timed step-down whose
// end has come on the server's clock.
func (t *topology) current() Topology {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.refreshLocked()
	return t.state
}

// refreshLocked ends a timed step-down whose end has come. The caller
// holds mu.
func (t *topology) refreshLocked() {
	s := &t.state
	if !s.Primary && !s.SteppedDownUntil.IsZero() && !t.clock.Now().Before(s.SteppedDownUntil) {
		t.electLocked()
	}
}

// memberLocked returns errStandalone if the server is no replica-set
// member, and otherwise ends a timed step-down whose end has come, as
// refreshLocked does. The caller holds mu.
func (t *topology) memberLocked() error {
	if t.state.SetName == "" {
		return errStandalone
	}
	t.refreshLocked()
	return nil
}

// electLocked makes the member primary after a step-down, as the
// election that ends one does: a new term, a new topologyVersion. The
// caller holds mu.
func (t *topology) electLocked() {
	t.state.Primary = true
	t.state.Term++
	t.state.Counter++
	t.state.SteppedDownUntil = time.Time{}
	t.stopTimerLocked()
	t.changedLocked()
}

// changedLocked wakes the awaitable hello commands. The caller holds mu.
func (t *topology) changedLocked() {
	close(t.changed)
	t.changed = make(chan struct{})
}

// stopTimerLocked stops the wait for the end of a timed step-down. The
// caller holds mu.
func (t *topology) stopTimerLocked() {
	if t.cancel != nil {
		close(t.cancel)
		t.cancel = nil
	}
}

// errStandalone is returned by StepDown and StepUp on a standalone
// server.
var errStandalone = errors.New("the server is a standalone, not a replica-set member: start it with StartWith(Options{ReplicaSet: name})")

// stepDown makes the member secondary for d on the server's clock, or
// until stepUp if d is 0.
func (t *topology) stepDown(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("negative step-down duration %v: give a duration > 0, or 0 to stay secondary until StepUp", d)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.memberLocked(); err != nil {
		return err
	}
	if !t.state.Primary {
		return errors.New("not primary so can't step down: the member is already stepped down")
	}
	t.state.Primary = false
	t.state.Counter++
	t.changedLocked()
	if d == 0 {
		return nil
	}
	until := t.clock.Now().Add(d)
	t.state.SteppedDownUntil = until
	cancel := make(chan struct{})
	t.cancel = cancel
	alarm := t.clock.Alarm(until)
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		select {
		case <-alarm:
			t.current() // ends the step-down, and wakes the awaiting hellos
		case <-cancel:
		}
	}()
	return nil
}

// stepUp ends a step-down now. It does nothing to a primary.
func (t *topology) stepUp() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.memberLocked(); err != nil {
		return err
	}
	if !t.state.Primary {
		t.electLocked()
	}
	return nil
}

// restart gives the topology a restarted server's: a new processId,
// counter 0 and, for a replica-set member, primary again after an
// election in a new term.
func (t *topology) restart() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopTimerLocked()
	t.state.ProcessID = bson.NewObjectId().Hex()
	t.state.Counter = 0
	t.state.Primary = true
	t.state.SteppedDownUntil = time.Time{}
	if t.state.SetName != "" {
		t.state.Term++
	}
	t.changedLocked()
}

// close stops the wait for the end of a timed step-down, if any.
func (t *topology) close() {
	t.mu.Lock()
	t.stopTimerLocked()
	t.mu.Unlock()
	t.wg.Wait()
}

// await returns once the topology differs from the topologyVersion that a
// client sent in an awaitable hello (processID, counter), or after
// maxAwait of real time, or when done is closed: what a server does with
// hello's topologyVersion and maxAwaitTimeMS (Server Monitoring
// specification, "Streaming Protocol"). The wait is on the wall clock,
// not on the server's clock, because the client times it so.
func (t *topology) await(processID string, counter int64, maxAwait time.Duration, done <-chan struct{}) {
	t.mu.Lock()
	t.refreshLocked()
	same := t.state.ProcessID == processID && t.state.Counter == counter
	changed := t.changed
	t.mu.Unlock()
	if !same || maxAwait <= 0 {
		return
	}
	clock := lease.SystemClock{}
	select {
	case <-changed:
	case <-clock.Alarm(clock.Now().Add(maxAwait)):
	case <-done:
	}
}

// electionID returns hello's electionId for the term: 0x7fffffff, then
// the term as a big-endian int64, as MongoDB's protocol version 1 makes
// it.
func electionID(term int64) []byte {
	id := []byte{0x7f, 0xff, 0xff, 0xff}
	return binary.BigEndian.AppendUint64(id, uint64(term))
}

// topologyVersionElement returns the topologyVersion field of a reply:
// {processId: ObjectId, counter: int64}.
func topologyVersionElement(s Topology) element {
	return docElement("topologyVersion",
		objectIDElement("processId", []byte(bson.ObjectIdHex(s.ProcessID))),
		int64Element("counter", s.Counter))
}

// StepDown makes a replica-set member step down for d on the server's
// clock ([Options.Clock]), as replSetStepDown with force does to the
// primary of a one-member set, or until [Server.StepUp] if d is 0.
// Meanwhile the member reports itself secondary in hello
// (isWritablePrimary or ismaster false, secondary true, no primary, no
// electionId), and refuses what a secondary refuses: writes and the
// commands only a primary runs with NotWritablePrimary (10107, "not
// primary"), reads without a read preference that allows secondaries
// (such as primaryPreferred or secondary) with NotPrimaryNoSecondaryOk
// (13435); each refusal carries the topologyVersion and, for a retryable
// write (one with a txnNumber), the RetryableWriteError label. The
// handshake, monitoring and authentication commands and killCursors
// still run, and so do reads that allow secondaries and the getMore of
// their cursors (a getMore of a cursor opened on the primary is refused
// with 13435). The connections stay open, as on MongoDB 4.2 and later.
//
// The step-down bumps the topologyVersion counter; its end, when d has
// passed on the server's clock (seen by the next command, or at once by
// the clock's alarm) or at StepUp, is an election: primary again, in a
// new term (electionId), with the counter bumped again. Awaitable hello
// commands (the drivers' streaming monitors) are answered at each
// change. With a fake clock, advancing it past the end ends the
// step-down for every command that follows; [Server.Topology] shows the
// state.
//
// It returns an error, and changes nothing, on a standalone server (see
// [Options.ReplicaSet]), on a member already stepped down, for a
// negative d, and against an external server.
func (s *Server) StepDown(d time.Duration) error {
	if err := s.embeddedOnly("StepDown"); err != nil {
		return err
	}
	if err := s.topo.stepDown(d); err != nil {
		return fmt.Errorf("mongotest: StepDown: %w", err)
	}
	return nil
}

// StepUp ends a step-down now, as if the election had ended: the member
// is primary again in a new term, with a bumped topologyVersion counter.
// It does nothing to a member that is primary. It returns an error on a
// standalone server and against an external server.
func (s *Server) StepUp() error {
	if err := s.embeddedOnly("StepUp"); err != nil {
		return err
	}
	if err := s.topo.stepUp(); err != nil {
		return fmt.Errorf("mongotest: StepUp: %w", err)
	}
	return nil
}

// Topology returns what the server says of itself in hello now, after
// ending a timed step-down whose end has come on the server's clock.
// Against an external server it returns the zero Topology.
func (s *Server) Topology() Topology {
	if s.ext != nil {
		return Topology{}
	}
	return s.topo.current()
}
