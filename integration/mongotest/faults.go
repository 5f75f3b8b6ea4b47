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
	// faultNotPrimary answers the command with NotWritablePrimary instead
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
}

// faultList holds the armed fault hooks of a server, in the order they
// were armed.
type faultList struct {
	mu     sync.Mutex
	faults []*fault
}

// add arms a fault hook.
func (l *faultList) add(kind faultKind, command string, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.faults = append(l.faults, &fault{kind: kind, command: command, left: n})
}

// take uses up one reply of the first armed hook of the given kind that
// applies to the command name. For faultNotPrimary it returns the reply
// to give instead of running the command, for faultWriteConcern the
// writeConcernError document to add; nil if no hook applies.
func (l *faultList) take(kind faultKind, name string) []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, f := range l.faults {
		if f.kind != kind || !f.applies(name) {
			continue
		}
		if f.left--; f.left == 0 {
			l.faults = append(l.faults[:i], l.faults[i+1:]...)
		}
		if kind == faultNotPrimary {
			return errorReply(codeNotWritablePrimary, "not primary")
		}
		return buildDoc([]element{
			int32Element("code", codeWriteConcernFailed),
			stringElement("codeName", codeNames[codeWriteConcernFailed]),
			stringElement("errmsg", "waiting for replication timed out"),
			docElement("errInfo", boolElement("wtimeout", true)),
		})
	}
	return nil
}

// clear disarms every hook.
func (l *faultList) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.faults = nil
}

// pending returns how many replies the armed hooks have still to change.
func (l *faultList) pending() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, f := range l.faults {
		n += f.left
	}
	return n
}

// applies reports whether the hook applies to the command name.
func (f *fault) applies(name string) bool {
	if f.command != "" {
		return strings.EqualFold(f.command, name)
	}
	return f.kind == faultNotPrimary || writes[name]
}

// errExternal is returned by the fault hooks of a Server on an external
// server.
var errExternal = errors.New("not supported against an external server")

// FailNotPrimary makes the server answer the next n commands named command
// (matched regardless of case), or the next n commands of any name if
// command is "", with error 10107 NotWritablePrimary ("not primary")
// instead of running them: what a replica set member answers once it has
// stepped down. The commands that clients send on their own to find and
// watch servers, to authenticate and to kill cursors (hello, isMaster,
// ping, saslStart, saslContinue, logout, killCursors) are never failed.
// Hooks armed earlier are used up first. It returns an error for a
// negative n, and against an external server.
func (s *Server) FailNotPrimary(command string, n int) error {
	return s.armFault(faultNotPrimary, "FailNotPrimary", command, n)
}

// FailWriteConcern makes the next n write commands (insert, update,
// delete, findAndModify) named command, or of any of those names if
// command is "", run as usual and then report a writeConcernError
// {code: 64 WriteConcernFailed, errmsg: "waiting for replication timed
// out", errInfo: {wtimeout: true}}: what a primary answers when a
// majority write concern timed out, the write being applied on the
// primary but not known to be majority-committed. A command named
// explicitly gets it even if it is not a write. Hooks armed earlier are
// used up first. It returns an error for a negative n, and against an
// external server.
func (s *Server) FailWriteConcern(command string, n int) error {
	return s.armFault(faultWriteConcern, "FailWriteConcern", command, n)
}

// PendingFaults returns how many replies the armed fault hooks have still
// to change (0 against an external server).
func (s *Server) PendingFaults() int {
	return s.faults.pending()
}

// ClearFaults disarms every fault hook that FailNotPrimary and
// FailWriteConcern armed and that has not been used up yet.
func (s *Server) ClearFaults() {
	s.faults.clear()
}

// armFault arms a fault hook for the method named method.
func (s *Server) armFault(kind faultKind, method, command string, n int) error {
	if s.ext != nil {
		return fmt.Errorf("mongotest: %s is %w", method, errExternal)
	}
	if n < 0 {
		return fmt.Errorf("mongotest: %s: negative count %d", method, n)
	}
	if n > 0 {
		s.faults.add(kind, command, n)
	}
	return nil
}
