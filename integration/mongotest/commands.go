package mongotest

import (
	"strings"
)

// MongoDB error codes used in the bridge's own replies.
const (
	codeFailedToParse    = 9
	codeInvalidNamespace = 73
)

// fakeNonce answers getnonce: mgo.v2 asks for a nonce on every new socket
// and gives up on a server that has none, but never uses it unless it
// authenticates with MONGODB-CR, which FerretDB does not offer.
const fakeNonce = "2375531c32080ae8"

// monitoring names the commands that mgo.v2 sends on its own to watch the
// server; [Server.Commands] does not count them.
var monitoring = map[string]bool{
	"isMaster": true, "ismaster": true, "hello": true, "ping": true, "getnonce": true,
}

// writes names the commands that the bridge serialises, because FerretDB
// v1 applies them as read-modify-write without any version check, and
// loses updates when two of them run at once.
var writes = map[string]bool{
	"insert": true, "update": true, "delete": true,
	"findAndModify": true, "findandmodify": true,
}

// command answers the command raw, received on a connection for database
// db, and returns the reply document. It returns an error only when the
// connection to FerretDB failed and the client's connection must close.
func (c *conn) command(db string, raw []byte) ([]byte, error) {
	cmd, err := splitDoc(raw)
	if err != nil {
		return errorReply(codeFailedToParse, "mongotest bridge: %v", err), nil
	}
	if len(cmd) > 0 && cmd[0].key == "$query" && cmd[0].kind == bsonDocument {
		// mgo wraps a command only to add options for mongos; unwrap it
		// and drop those options.
		if cmd, err = splitDoc(cmd[0].value); err != nil {
			return errorReply(codeFailedToParse, "mongotest bridge: %v", err), nil
		}
	}
	if len(cmd) == 0 {
		return errorReply(codeFailedToParse, "mongotest bridge: empty command"), nil
	}
	name := cmd[0].key
	if !monitoring[name] {
		c.s.commands.Add(1)
	}
	if name == "getnonce" {
		return okReply(stringElement("nonce", fakeNonce)), nil
	}
	msg, err := rewriteCommand(name, cmd)
	if err != nil {
		return errorReply(codeFailedToParse, "mongotest bridge: %s: %v", name, err), nil
	}
	msg = append(msg, stringElement("$db", db))

	if writes[name] {
		c.s.writeMu.Lock()
		defer c.s.writeMu.Unlock()
	}
	reply, err := c.roundTrip(buildDoc(msg))
	if err != nil {
		return nil, err
	}
	c.trackCursors(db, name, cmd, reply)
	return unescapeReply(reply)
}

// rewriteCommand returns the command cmd as FerretDB accepts it, without
// any $db field of its own.
func rewriteCommand(name string, cmd []element) ([]element, error) {
	out := make([]element, 0, len(cmd)+1)
	for _, e := range cmd {
		var err error
		switch {
		case e.key == "$db":
			continue
		case name == "insert" && e.key == "documents":
			e.value, err = mapArray(e.value, func(doc []byte) ([]byte, error) {
				return escapeDoc(doc, 2)
			})
		case name == "update" && e.key == "updates":
			e.value, err = mapArray(e.value, rewriteUpdateStatement)
		case (name == "findAndModify" || name == "findandmodify") && e.key == "fields":
			// FerretDB does not implement the projection; the client gets
			// the whole document, which decodes into a struct all the same.
			continue
		case (name == "findAndModify" || name == "findandmodify") && e.key == "update" && e.kind == bsonDocument:
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
	elems, err := splitDoc(array)
	if err != nil {
		return nil, err
	}
	for i, e := range elems {
		if e.kind == bsonDocument {
			if elems[i].value, err = f(e.value); err != nil {
				return nil, err
			}
		}
	}
	return buildDoc(elems), nil
}

// rewriteUpdateStatement escapes the update document of one statement
// ({q, u, upsert, multi}) of an update command.
func rewriteUpdateStatement(stmt []byte) ([]byte, error) {
	elems, err := splitDoc(stmt)
	if err != nil {
		return nil, err
	}
	for i, e := range elems {
		if e.key == "u" && e.kind == bsonDocument {
			if elems[i].value, err = escapeUpdate(e.value); err != nil {
				return nil, err
			}
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

// trackCursors records in the server's cursor table the cursor that reply
// leaves open, and forgets the one that a getMore exhausted, so that
// OP_KILL_CURSORS can be turned into a killCursors command, which needs
// the cursor's collection.
func (c *conn) trackCursors(db, name string, cmd []element, reply []byte) {
	if name == "getMore" {
		if id, ok := cmd[0].int64Value(); ok {
			c.s.cursors.remove(id)
		}
	}
	elems, err := splitDoc(reply)
	if err != nil {
		return
	}
	cur, ok := lookup(elems, "cursor")
	if !ok || cur.kind != bsonDocument {
		return
	}
	fields, err := splitDoc(cur.value)
	if err != nil {
		return
	}
	idElem, _ := lookup(fields, "id")
	id, _ := idElem.int64Value()
	nsElem, _ := lookup(fields, "ns")
	ns, _ := nsElem.str()
	if id != 0 && strings.HasPrefix(ns, db+".") {
		c.s.cursors.add(id, ns, c)
	}
}
