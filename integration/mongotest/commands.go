package mongotest

import "strings"

// monitoring names the commands that clients send on their own, to find
// and watch servers, to authenticate and to close cursors;
// [Server.Commands] does not count them, and the fault hooks never fail
// them.
var monitoring = map[string]bool{
	"isMaster": true, "ismaster": true, "hello": true, "ping": true, "getnonce": true,
	"saslStart": true, "saslContinue": true, "logout": true, "killCursors": true,
}

// writes names the commands that the server serialises, because FerretDB
// v1 applies them as read-modify-write without any version check, and
// loses updates when two of them run at once.
var writes = map[string]bool{
	"insert": true, "update": true, "delete": true,
	"findAndModify": true, "findandmodify": true,
}

// command answers the command body (with its $db field) and returns the
// reply document. It returns an error only when the connection to
// FerretDB failed and the client's connection must close.
func (c *conn) command(body []element) ([]byte, error) {
	if len(body) == 0 {
		return errorReply(codeFailedToParse, "empty command"), nil
	}
	name := body[0].key
	dbElem, _ := lookup(body, "$db")
	db, ok := dbElem.str()
	if !ok || db == "" {
		return errorReply(codeMissingDB, "OP_MSG requests require a $db argument"), nil
	}
	if !monitoring[name] {
		c.s.commands.Add(1)
		c.s.byCommand.note(name, body)
	}
	if reply, done := c.authenticate(name, db, body); done {
		return reply, nil
	}
	if handshakeCommands[name] {
		return c.hello(name, body, db)
	}
	if reply := c.s.refuseIfSecondary(name, body); reply != nil {
		return reply, nil
	}
	if !monitoring[name] {
		if reply := c.s.takeNotPrimary(name, body); reply != nil {
			return reply, nil
		}
	}
	reply, err := c.run(name, body)
	if err != nil {
		return nil, err
	}
	c.s.cursors.track(name, body, reply)
	if monitoring[name] {
		return reply, nil
	}
	code, wce, ok := c.s.takeWriteConcern(name, body)
	if !ok {
		return reply, nil
	}
	extra := []element{{kind: bsonDocument, key: "writeConcernError", value: wce}}
	if code.topologyError() {
		extra = append(extra, topologyVersionElement(c.s.topo.current()))
	}
	if retryableWrite(body) && code.retriable() {
		extra = append(extra, stringArrayElement("errorLabels", "RetryableWriteError"))
	}
	elems, err := splitDoc(reply)
	if err != nil {
		return nil, err
	}
	return buildDoc(append(elems, extra...)), nil
}

// run runs the command name with fields body on FerretDB, with the
// workarounds FerretDB needs, and returns its reply. A write runs alone,
// and a retry of a retryable write that already succeeded gets the first
// attempt's reply without running again (see retryTable).
func (c *conn) run(name string, body []element) ([]byte, error) {
	cmd, err := rewriteCommand(name, body)
	if err != nil {
		return errorReply(codeFailedToParse, "%s: %v", name, err), nil
	}
	var session string
	var txnNumber int64
	retryable := false
	dbElem, _ := lookup(body, "$db")
	db, _ := dbElem.str()
	byID, viaLookup := idLookup{}, false
	if !c.s.opts.ScanFilters {
		byID, viaLookup = lookupCommand(name, db, cmd)
	}
	if writes[name] || viaLookup {
		c.s.writeMu.Lock()
		defer c.s.writeMu.Unlock()
	}
	// Deferred after writeMu's unlock, so run before it: a write's
	// collection is indexed before the next write runs.
	defer c.s.ids.track(name, db, cmd)()
	if writes[name] {
		if session, txnNumber, retryable = retryKey(body); retryable {
			if reply, ok := c.s.retries.lookup(session, txnNumber); ok {
				return reply, nil
			}
		}
	}
	var reply []byte
	done := false
	if ids, in := inLookup(name, cmd); in && !c.s.opts.ScanFilters {
		reply, done, err = c.runInLookup(db, cmd, ids)
		c.s.lookups.note(done)
	} else if r, in := rangeLookup(name, cmd); in && !c.s.opts.ScanFilters {
		reply, done, err = c.runRangeLookup(db, cmd, r)
		c.s.lookups.note(done)
	}
	if viaLookup && !done && err == nil {
		reply, done, err = c.runLookup(db, cmd, byID)
		c.s.lookups.note(done)
	}
	if !done && err == nil {
		reply, err = c.roundTrip(buildDoc(cmd))
	}
	if err != nil {
		return nil, err
	}
	if reply, err = unescapeReply(reply); err != nil {
		return nil, err
	}
	if retryable {
		c.s.retries.store(session, txnNumber, reply)
	}
	return reply, nil
}

// addField returns the reply document with e appended.
func addField(doc []byte, e element) ([]byte, error) {
	elems, err := splitDoc(doc)
	if err != nil {
		return nil, err
	}
	return buildDoc(append(elems, e)), nil
}

// rewriteCommand returns the command cmd as FerretDB accepts it. These are
// the FerretDB workarounds; a MongoDB server needs none of them (see the
// package documentation).
func rewriteCommand(name string, cmd []element) ([]element, error) {
	out := make([]element, 0, len(cmd))
	findAndModify := strings.EqualFold(name, "findAndModify")
	for _, e := range cmd {
		var err error
		switch {
		case name == "insert" && e.key == "documents":
			e.value, err = mapArray(e.value, func(doc []byte) ([]byte, error) {
				return escapeDoc(doc, 2)
			})
		case name == "update" && e.key == "updates":
			e.value, err = mapArray(e.value, rewriteUpdateStatement)
		case findAndModify && e.key == "fields":
			// FerretDB does not implement the projection; the client gets
			// the whole document, which decodes into a struct all the same.
			continue
		case findAndModify && e.key == "update" && e.kind == bsonDocument:
			e.value, err = escapeUpdate(e.value)
		case name == "createIndexes" && e.key == "indexes":
			e.value, err = mapArray(e.value, dropIndexOptions)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// mapArray returns the raw array array with f applied to each of its
// elements that is a document.
func mapArray(array []byte, f func([]byte) ([]byte, error)) ([]byte, error) {
	return mapValues(array, func(e element) bool { return e.kind == bsonDocument }, f)
}

// rewriteUpdateStatement escapes the update document of one statement
// ({q, u, upsert, multi}) of an update command.
func rewriteUpdateStatement(stmt []byte) ([]byte, error) {
	return mapValues(stmt, func(e element) bool { return e.key == "u" && e.kind == bsonDocument }, escapeUpdate)
}

// mapValues returns the raw document (or array) doc with f applied to
// the value of each of its elements that match accepts.
func mapValues(doc []byte, match func(element) bool, f func([]byte) ([]byte, error)) ([]byte, error) {
	elems, err := splitDoc(doc)
	return rebuild(elems, err, func(e *element) (err error) {
		if match(*e) {
			e.value, err = f(e.value)
		}
		return err
	})
}

// rebuild returns the raw document made of elems, split from one (err
// is the split's error), once f has changed each element in place; it
// stops at the first error.
func rebuild(elems []element, err error, f func(e *element) error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	for i := range elems {
		if err := f(&elems[i]); err != nil {
			return nil, err
		}
	}
	return buildDoc(elems), nil
}

// dropIndexOptions removes from an index specification the options that
// FerretDB rejects and MongoDB ignores: ns (which mgo.v2 always sends) and
// dropDups.
func dropIndexOptions(spec []byte) ([]byte, error) {
	elems, err := splitDoc(spec)
	if err != nil {
		return nil, err
	}
	kept := elems[:0]
	for _, e := range elems {
		if e.key != "ns" && e.key != "dropDups" {
			kept = append(kept, e)
		}
	}
	return buildDoc(kept), nil
}
