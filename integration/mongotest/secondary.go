package mongotest

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
// with NotPrimaryNoSecondaryOk otherwise. getMore is among them: it
// carries no read preference of its own, so a stepped-down member
// refuses it, which MongoDB does only to cursors opened on the primary.
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
func notPrimaryCode(name string, cmd []element) (code Code, errmsg string, ok bool) {
	switch {
	case secondaryAlways[name]:
		return 0, "", false
	case secondaryReads[name]:
		if secondaryOk(cmd) {
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
	code, errmsg, refused := notPrimaryCode(name, cmd)
	if !refused {
		return nil
	}
	return s.refusal(code, errmsg, cmd)
}
