package mongotest

import "sync"

// What a replica-set member that is not primary does with each command,
// after MongoDB's rule (each command's secondaryAllowed: always, opt-in
// or never; src/mongo/db/commands.h and the Server Selection
// specification, "Passing read preference to mongod"): the commands
// below run on a secondary whatever the client asked; reads run there if
// their read preference allows secondaries; every other command is
// refused.

// secondaryAlways names the commands that a secondary runs for any
// client: the handshake and monitoring commands, authentication, and
// commands about the server or the connection rather than the data.
var secondaryAlways = map[string]bool{
	"hello": true, "isMaster": true, "ismaster": true, "ping": true, "getnonce": true,
	"saslStart": true, "saslContinue": true, "logout": true, "killCursors": true,
	"endSessions": true, "buildInfo": true, "buildinfo": true, "whatsmyuri": true,
	"connectionStatus": true, "getParameter": true, "serverStatus": true,
	"listCommands": true, "hostInfo": true, "getCmdLineOpts": true, "getLog": true,
}

// secondaryReads names the reads that a secondary runs when their read
// preference allows secondaries (MongoDB's "secondaryOk"), and refuses
// with NotPrimaryNoSecondaryOk otherwise. getMore, which carries no read
// preference, counts as one with the read preference of the command that
// opened its cursor (see cursorTable), as on MongoDB.
var secondaryReads = map[string]bool{
	"find": true, "count": true, "distinct": true, "aggregate": true, "getMore": true,
	"listCollections": true, "listIndexes": true, "listDatabases": true,
	"dbStats": true, "collStats": true, "dataSize": true, "explain": true,
}

// secondaryOk reports whether the command's $readPreference lets a
// secondary run it: present, with a mode other than "primary" (OP_MSG
// carries no secondaryOk bit; the Server Selection specification has
// drivers send the read preference instead).
func secondaryOk(cmd []element) bool {
	rp, ok := lookup(cmd, "$readPreference")
	if !ok {
		return false
	}
	fields, ok := rp.doc()
	if !ok {
		return false
	}
	mode, _ := lookup(fields, "mode")
	m, ok := mode.str()
	return ok && m != "primary"
}

// notPrimaryCode returns how a member that is not primary refuses the
// command name with fields cmd, and its errmsg; ok is false if it runs
// the command.
func (s *Server) notPrimaryCode(name string, cmd []element) (code Code, errmsg string, ok bool) {
	switch {
	case secondaryAlways[name]:
		return 0, "", false
	case secondaryReads[name]:
		if secondaryOk(cmd) || name == "getMore" && s.cursors.secondaryOk(cursorID(cmd)) {
			return 0, "", false
		}
		return CodeNotPrimaryNoSecondaryOk, "not primary and secondaryOk=false", true
	}
	return CodeNotWritablePrimary, "not primary", true
}

// refusal returns the reply of a command refused with code and errmsg,
// shaped as MongoDB 4.4 and later shape it
// (src/mongo/db/service_entry_point_common.cpp): the error fields; the
// server's topologyVersion for a code in the NotPrimaryError or
// ShutdownError category; and the RetryableWriteError label when the
// command is a retryable write and the code is retriable.
func (s *Server) refusal(code Code, errmsg string, cmd []element) []byte {
	var fields []element
	if code.topologyError() {
		fields = append(fields, topologyVersionElement(s.topo.current()))
	}
	fields = append(fields, errorFields(int32(code), errmsg)...)
	if retryableWrite(cmd) && code.retriable() {
		fields = append(fields, stringArrayElement("errorLabels", "RetryableWriteError"))
	}
	return buildDoc(fields)
}

// retryableWrite reports whether the command is a retryable write: it
// carries a txnNumber (with its lsid) and is not part of a multi-document
// transaction (no autocommit field). MongoDB labels the errors of these
// alone RetryableWriteError (src/mongo/db/error_labels.cpp; Retryable
// Writes specification, "RetryableWriteError Labels").
func retryableWrite(cmd []element) bool {
	_, txn := lookup(cmd, "txnNumber")
	_, autocommit := lookup(cmd, "autocommit")
	return txn && !autocommit
}

// refuseIfSecondary returns the refusal of the command when the member is
// stepped down and would not run it; nil otherwise.
func (s *Server) refuseIfSecondary(name string, cmd []element) []byte {
	if s.topo.current().Primary {
		return nil
	}
	code, errmsg, refused := s.notPrimaryCode(name, cmd)
	if !refused {
		return nil
	}
	return s.refusal(code, errmsg, cmd)
}

// maxCursors bounds the cursor table; past it the table starts again
// empty, and a getMore of an older cursor during a step-down is refused.
const maxCursors = 1 << 16

// cursorTable holds the open cursors whose command's read preference
// allowed secondaries, so that a stepped-down member goes on serving
// their getMore and refuses the others' (MongoDB checks a getMore
// against the read preference of the command that opened the cursor).
// FerretDB's cursor ids are unique server-wide.
type cursorTable struct {
	mu  sync.Mutex
	ids map[int64]struct{}
}

// secondaryOk reports whether the cursor id was opened by a read that
// allowed secondaries.
func (t *cursorTable) secondaryOk(id int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.ids[id]
	return ok
}

// track records what the reply to the read name with fields cmd tells of
// a cursor: a new cursor of a read that allows secondaries is added, a
// getMore's exhausted cursor removed.
func (t *cursorTable) track(name string, cmd []element, reply []byte) {
	if !secondaryReads[name] {
		return
	}
	id, ok := replyCursorID(reply)
	if !ok {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case name == "getMore" && id == 0:
		delete(t.ids, cursorID(cmd))
	case name != "getMore" && id != 0 && secondaryOk(cmd):
		if t.ids == nil || len(t.ids) >= maxCursors {
			t.ids = map[int64]struct{}{}
		}
		t.ids[id] = struct{}{}
	}
}

// cursorID returns the cursor id of a getMore command (0 if none).
func cursorID(cmd []element) int64 {
	if len(cmd) == 0 {
		return 0
	}
	id, _ := cmd[0].int64Value()
	return id
}

// replyCursorID returns the cursor.id of a reply, and whether it has one.
func replyCursorID(reply []byte) (int64, bool) {
	elems, err := splitDoc(reply)
	if err != nil {
		return 0, false
	}
	cursor, _ := lookup(elems, "cursor")
	fields, ok := cursor.doc()
	if !ok {
		return 0, false
	}
	id, _ := lookup(fields, "id")
	return id.int64Value()
}
