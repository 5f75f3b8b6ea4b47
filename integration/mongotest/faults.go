package mongotest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// faultKind says what a fault hook does to a command.
type faultKind int

const (
	// faultNotPrimary refuses the command as a secondary does, instead
	// of running it.
	faultNotPrimary faultKind = iota
	// faultWriteConcern runs the command and adds a writeConcernError to
	// its reply.
	faultWriteConcern
)

// fault is one armed fault hook.
type fault struct {
	kind    faultKind
	command string // "" for any command the hook applies to
	left    int    // replies still to change
	code    Code   // the writeConcernError's code, for faultWriteConcern
}

// faultList holds the armed fault hooks of a server, in the order they
// were armed.
type faultList struct {
	mu     sync.Mutex
	faults []*fault
}

// update replaces the armed hooks with what f makes of them, with the
// list's lock held: every use of the list goes through it.
func (l *faultList) update(f func([]*fault) []*fault) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.faults = f(l.faults)
}

// add arms a fault hook.
func (l *faultList) add(f *fault) {
	l.update(func(faults []*fault) []*fault { return append(faults, f) })
}

// take uses up one reply of the first armed hook of the given kind for
// which applies is true, and returns that hook (a copy); ok is false if
// none applies.
func (l *faultList) take(kind faultKind, applies func(*fault) bool) (taken fault, ok bool) {
	l.update(func(faults []*fault) []*fault {
		for i, f := range faults {
			if f.kind != kind || !applies(f) {
				continue
			}
			f.left--
			taken, ok = *f, true
			if f.left == 0 {
				return append(faults[:i], faults[i+1:]...)
			}
			break
		}
		return faults
	})
	return taken, ok
}

// takeNotPrimary uses up one reply of the first armed FailNotPrimary
// hook that applies to the command name with fields cmd, and returns the
// refusal to answer instead of running it; nil if no hook applies. A hook
// for any command applies to the commands that a secondary refuses (see
// notPrimaryCode), and refuses each as a secondary does; a hook for a
// named command applies to it whatever it is, and refuses a command that
// a secondary would run with NotWritablePrimary.
func (s *Server) takeNotPrimary(name string, cmd []element) []byte {
	code, errmsg, refused := s.notPrimaryCode(name, cmd)
	_, ok := s.faults.take(faultNotPrimary, func(f *fault) bool {
		if f.command != "" {
			return strings.EqualFold(f.command, name)
		}
		return refused
	})
	if !ok {
		return nil
	}
	if !refused {
		code, errmsg = CodeNotWritablePrimary, "not primary"
	}
	return s.refusal(code, errmsg, cmd)
}

// takeWriteConcern uses up one reply of the first armed FailWriteConcern
// hook that applies to the write name with fields cmd, and returns the
// hook's code and the writeConcernError document to add to its reply;
// ok is false if no hook applies. A hook applies only where MongoDB can
// report the error: to insert, update, delete and findAndModify (or the
// one of them it names) whose write concern waits for replication (see
// writeConcernOf); and, for WriteConcernFailed, which is a wtimeout, only
// if the write concern has a wtimeout.
func (s *Server) takeWriteConcern(name string, cmd []element) (Code, []byte, bool) {
	if !writes[name] {
		return 0, nil, false
	}
	wc := writeConcernOf(cmd, s.topo.current().SetName != "")
	if !wc.waits {
		return 0, nil, false
	}
	f, ok := s.faults.take(faultWriteConcern, func(f *fault) bool {
		if f.command != "" && !strings.EqualFold(f.command, name) {
			return false
		}
		return f.code != CodeWriteConcernFailed || wc.wtimeout > 0
	})
	if !ok {
		return 0, nil, false
	}
	info := []element{docElement("writeConcern", wc.doc...)}
	if f.code == CodeWriteConcernFailed {
		info = append([]element{boolElement("wtimeout", true)}, info...)
	}
	return f.code, buildDoc([]element{
		int32Element("code", int32(f.code)),
		stringElement("codeName", f.code.String()),
		stringElement("errmsg", writeConcernMessages[f.code]),
		docElement("errInfo", info...),
	}), true
}

// writeConcernMessages are the errmsg of each writeConcernError that
// FailWriteConcernCode may add, as MongoDB words them
// (src/mongo/db/repl/replication_coordinator_impl.cpp, and the
// examples of the Read and Write Concern specification,
// "writeConcernError Examples").
var writeConcernMessages = map[Code]string{
	CodeWriteConcernFailed:              "waiting for replication timed out",
	CodePrimarySteppedDown:              "Primary stepped down while waiting for replication",
	CodeInterruptedDueToReplStateChange: "operation was interrupted",
	CodeShutdownInProgress:              "Replication is being shut down",
}

// writeConcern is the write concern that a write runs with.
type writeConcern struct {
	waits    bool      // whether it waits for replication: w > 1, "majority" or a tag
	wtimeout float64   // its wtimeout in milliseconds; 0: none
	doc      []element // the writeConcern of a writeConcernError's errInfo
}

// writeConcernOf returns the write concern of the write command cmd on a
// replica-set member (replSet) or a standalone server: the command's
// writeConcern, with w defaulted; or without one MongoDB 5.0's implicit
// default, {w: "majority"} on a replica set and {w: 1} on a standalone.
// The errInfo document says which with its provenance, "clientSupplied"
// or "implicitDefault", as MongoDB 4.4 and later report it.
func writeConcernOf(cmd []element, replSet bool) writeConcern {
	defaultW := int32Element("w", 1)
	if replSet {
		defaultW = stringElement("w", "majority")
	}
	provenance := "implicitDefault"
	var given []element
	if e, ok := lookup(cmd, "writeConcern"); ok {
		if given, ok = e.doc(); ok {
			provenance = "clientSupplied"
		}
	}
	w, ok := lookup(given, "w")
	if !ok {
		w = defaultW
	}
	var wc writeConcern
	if n, isNumber := w.number(); isNumber {
		wc.waits = n > 1
	} else {
		_, wc.waits = w.str()
	}
	if e, ok := lookup(given, "wtimeout"); ok {
		wc.wtimeout, _ = e.number()
	}
	wc.doc = []element{w}
	if j, ok := lookup(given, "j"); ok {
		wc.doc = append(wc.doc, j)
	}
	wc.doc = append(wc.doc,
		int32Element("wtimeout", int32(wc.wtimeout)),
		stringElement("provenance", provenance))
	return wc
}

// clear disarms every hook.
func (l *faultList) clear() {
	l.update(func([]*fault) []*fault { return nil })
}

// pending returns how many replies the armed hooks have still to change.
func (l *faultList) pending() (n int) {
	l.update(func(faults []*fault) []*fault {
		for _, f := range faults {
			n += f.left
		}
		return faults
	})
	return n
}

// errExternal is returned by the fault hooks of a Server on an external
// server.
var errExternal = errors.New("not supported against an external server")

// embeddedOnly returns, against an external server, the error of the
// method named method, which only the embedded server supports; nil
// otherwise.
func (s *Server) embeddedOnly(method string) error {
	if s.ext != nil {
		return fmt.Errorf("mongotest: %s is %w", method, errExternal)
	}
	return nil
}

// FailNotPrimary makes the server refuse the next n commands named
// command (matched regardless of case) instead of running them, or, if
// command is "", the next n commands that a secondary refuses: a
// one-off reply of a member that has stepped down, while its hello still
// says primary (for a member that stays secondary, as in an election,
// use [Server.StepDown]). Each refusal is shaped as a secondary's (see
// StepDown): writes and the commands only a primary runs get
// NotWritablePrimary (10107, "not primary"), reads without a read
// preference that allows secondaries get NotPrimaryNoSecondaryOk (13435,
// "not primary and secondaryOk=false"), with the topologyVersion and,
// for a retryable write, the RetryableWriteError label. With command "",
// reads that allow secondaries and the commands that a secondary always
// runs (buildInfo, endSessions, ...) pass and do not use up the hook; a
// command named explicitly is refused whatever it is (with 10107 if a
// secondary would run it). The commands that clients send on their own
// to find and watch servers, to authenticate and to kill cursors (hello,
// isMaster, ping, saslStart, saslContinue, logout, killCursors) are
// never refused. Hooks armed earlier are used up first. It returns an
// error for a negative n, and against an external server.
func (s *Server) FailNotPrimary(command string, n int) error {
	return s.armFault(&fault{kind: faultNotPrimary, command: command, left: n}, "FailNotPrimary")
}

// FailWriteConcern is [Server.FailWriteConcernCode] with
// [CodeWriteConcernFailed]: the next n writes named command (insert,
// update, delete or findAndModify), or of any of those names if command
// is "", whose write concern waits for replication with a wtimeout, run
// as usual and then report the writeConcernError {code: 64, codeName:
// "WriteConcernFailed", errmsg: "waiting for replication timed out",
// errInfo: {wtimeout: true, writeConcern: {w, wtimeout, provenance}}}:
// what a primary answers when the write concern timed out, the write
// being applied on the primary but not known to be replicated. Sessions
// from [Server.Dial] write with {w: "majority", wtimeout: 10000}, so
// that the hook applies to them. Writes with w: 1, without a wtimeout or
// unacknowledged pass and do not use up the hook, because MongoDB never
// reports a wtimeout for them; so do commands that are not writes, even
// when named. On a standalone server, which MongoDB never gives a
// writeConcernError, the hook applies to writes that name such a write
// concern as if the server were a replica-set member. It returns an
// error for a negative n, and against an external server.
func (s *Server) FailWriteConcern(command string, n int) error {
	return s.armFault(&fault{kind: faultWriteConcern, command: command, left: n, code: CodeWriteConcernFailed}, "FailWriteConcern")
}

// FailWriteConcernCode makes the next n writes named command (insert,
// update, delete or findAndModify), or of any of those names if command
// is "", whose write concern waits for replication (w > 1, "majority" or
// a tag, given or, on a replica-set member, by MongoDB's implicit
// default {w: "majority"}), run as usual and then report a
// writeConcernError with code, as MongoDB does when the wait for
// replication ends without an acknowledgement:
//
//   - [CodeWriteConcernFailed]: a wtimeout (see [Server.FailWriteConcern];
//     only for a write concern with a wtimeout).
//   - [CodePrimarySteppedDown]: "Primary stepped down while waiting for
//     replication".
//   - [CodeInterruptedDueToReplStateChange]: "operation was interrupted",
//     the wait killed by a step-down.
//   - [CodeShutdownInProgress]: "Replication is being shut down".
//
// The writeConcernError has errInfo.writeConcern, the write concern used
// with its provenance ("clientSupplied" or "implicitDefault"), as MongoDB
// 4.4 and later report it. With a code of the NotPrimaryError or
// ShutdownError category (all but 64) the reply also carries the
// server's topologyVersion and, for a retryable write (with a txnNumber),
// the RetryableWriteError label, as MongoDB adds them: a driver then
// marks the server Unknown and retries the write (Server Discovery and
// Monitoring specification, "Error Handling"; Retryable Writes
// specification). The write is applied all the same, so a retry of a
// retryable write is answered from the first attempt's result, as
// MongoDB answers it. The hook does not step the member down: call
// [Server.StepDown] too for that. It returns an error for another code,
// for a negative n, and against an external server.
func (s *Server) FailWriteConcernCode(command string, n int, code Code) error {
	if writeConcernMessages[code] == "" {
		return fmt.Errorf("mongotest: FailWriteConcernCode: code %d is not one of 64, 189, 11602 and 91", int32(code))
	}
	return s.armFault(&fault{kind: faultWriteConcern, command: command, left: n, code: code}, "FailWriteConcernCode")
}

// PendingFaults returns how many replies the armed fault hooks have still
// to change (0 against an external server).
func (s *Server) PendingFaults() int {
	return s.faults.pending()
}

// ClearFaults disarms every fault hook that FailNotPrimary,
// FailWriteConcern and FailWriteConcernCode armed and that has not been
// used up yet.
func (s *Server) ClearFaults() {
	s.faults.clear()
}

// armFault arms the fault hook f for the method named method.
func (s *Server) armFault(f *fault, method string) error {
	if err := s.embeddedOnly(method); err != nil {
		return err
	}
	if f.left < 0 {
		return fmt.Errorf("mongotest: %s: negative count %d", method, f.left)
	}
	if f.left > 0 {
		s.faults.add(f)
	}
	return nil
}
