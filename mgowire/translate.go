package mgowire

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wire"
)

// This file turns mgo.v2's requests into OP_MSG commands
// (translateRequest) and the server's OP_MSG replies into the OP_REPLY
// messages mgo reads (translateReply). Neither does any I/O, so the fuzz
// target and the unit tests drive them directly.

// exchange is one request that mgo made, as the translator will carry
// it out: a reply made on the spot, or a command for the server.
type exchange struct {
	mgoID    int32  // the request id of mgo's message, which the reply answers
	reply    []byte // a whole OP_REPLY made locally; nil when the server answers
	cmd      []byte // the OP_MSG body document for the server
	name     string // the command's name, as mgo spelt it
	cursorID int64  // for getMore: the cursor it reads
	silent   bool   // mgo expects no reply (request id 0, OP_KILL_CURSORS)
	// sent is when the command went to the server, on the emitter's
	// clock; zero if nobody observes (see emit.go).
	sent time.Time
}

// Error codes of MongoDB (src/mongo/base/error_codes.yml) that the
// translator's own replies use.
const (
	codeBadValue                  = 2
	codeFailedToParse             = 9
	codeAuthenticationFailed      = 18
	codeWriteConcernFailed        = 64
	codeUnsupportedOpQueryCommand = 352
)

// fakeNonce answers getnonce. mgo.v2 asks every new socket for a nonce and
// drops a socket that gets none, but only MONGODB-CR (removed in MongoDB
// 4.0) ever used it, and MongoDB 6.2 removed the command.
const fakeNonce = "6d676f7769726521"

// translator translates the messages of one connection to the server at
// addr. Its state lives in shared, common to the connections of a dialer.
type translator struct {
	s    *shared
	addr string
}

// translateRequest returns the exchanges that carry out one message from
// mgo with wire.Header h and body body. An error means the message cannot be
// carried out at all, and the connection must close: its cause is
// [ErrMalformed] or [ErrUnsupported].
func (t translator) translateRequest(h wire.Header, body []byte) ([]exchange, error) {
	switch h.OpCode {
	case wire.OpQuery:
		q, err := wire.ParseQuery(body)
		if err != nil {
			return nil, err
		}
		ex, ok := t.command(h.RequestID, q)
		if !ok {
			return nil, nil
		}
		return []exchange{ex}, nil
	case wire.OpKillCursors:
		ids, err := wire.ParseKillCursors(body)
		if err != nil {
			return nil, err
		}
		return t.killCursors(ids), nil
	case wire.OpInsert, wire.OpUpdate, wire.OpDelete, wire.OpGetMore:
		return nil, fmt.Errorf("%w: legacy opcode %d (mgo.v2 sends it only to servers older than MongoDB 3.2)", ErrUnsupported, h.OpCode)
	}
	return nil, fmt.Errorf("%w: opcode %d", ErrUnsupported, h.OpCode)
}

// command translates the OP_QUERY q with request id id. It returns false
// when nothing at all is to be done: mgo's logout, which expects no reply.
func (t translator) command(id int32, q wire.Query) (exchange, bool) {
	ex := exchange{mgoID: id, silent: id == 0}
	db := strings.TrimSuffix(q.Namespace, ".$cmd")
	if db == q.Namespace || db == "" || strings.Contains(db, ".") {
		// A legacy query (mgo.v2 sends them only to servers older than 3.2).
		ex.reply = wire.BuildReply(id, wire.FlagQueryFailure, marshalDoc(bson.D{
			{Name: "$err", Value: fmt.Sprintf("mgowire: OP_QUERY on %q is a legacy query, which MongoDB 5.1 and later refuse and mgowire does not translate; only commands on <db>.$cmd are", q.Namespace)},
			{Name: "code", Value: codeUnsupportedOpQueryCommand},
		}))
		return ex, true
	}
	var doc bson.RawD
	if err := unmarshal(q.Doc, &doc); err != nil {
		ex.reply = errorReply(id, codeFailedToParse, "mgowire: command on %q: %v", q.Namespace, err)
		return ex, true
	}
	var readPref *bson.Raw
	if len(doc) > 0 && doc[0].Name == "$query" {
		// mgo wraps a command to add query options ($readPreference for
		// mongos, $orderby, ...): keep $readPreference, drop the rest.
		for i := range doc[1:] {
			if doc[1+i].Name == "$readPreference" {
				readPref = &doc[1+i].Value
			}
		}
		var inner bson.RawD
		if doc[0].Value.Kind != 0x03 || unmarshal(doc[0].Value.Data, &inner) != nil {
			ex.reply = errorReply(id, codeFailedToParse, "mgowire: $query of a command on %q is not a document", q.Namespace)
			return ex, true
		}
		doc = inner
	}
	if len(doc) == 0 {
		ex.reply = errorReply(id, codeFailedToParse, "mgowire: empty command on %q", q.Namespace)
		return ex, true
	}
	ex.name = doc[0].Name
	switch ex.name {
	case "getnonce":
		ex.reply = okReply(id, bson.D{{Name: "nonce", Value: fakeNonce}})
		return ex, true
	case "logout":
		// mgo logs out of every pooled socket before reusing it. mgo holds
		// no credentials under mgowire, and MongoDB 7.3 and later refuse
		// logout; the connection stays authenticated as mgowire made it.
		ex.reply = okReply(id, nil)
		return ex, !ex.silent
	case "saslStart", "saslContinue", "authenticate":
		ex.reply = errorReply(id, codeAuthenticationFailed, "mgowire: %s from mgo refused: mgowire authenticates each connection itself; give the credentials to mgowire.DialWithInfo, not to Session.Login", ex.name)
		return ex, true
	case "getMore":
		var cursorID int64
		if doc[0].Value.Unmarshal(&cursorID) == nil {
			ex.cursorID = cursorID
		}
	}
	write := isWriteCommand(ex.name)
	out := make(bson.RawD, 0, len(doc)+3)
	for _, e := range doc {
		switch {
		case e.Name == "$db", e.Name == "$readPreference" && readPref != nil:
			continue
		case e.Name == "writeConcern" && write:
			// mgo's getLastError document: replaced below.
			continue
		}
		out = append(out, e)
	}
	if write {
		out = append(out, bson.RawDocElem{Name: "writeConcern", Value: t.s.writeConcern})
	}
	if readPref != nil {
		out = append(out, bson.RawDocElem{Name: "$readPreference", Value: *readPref})
	} else if q.Flags&wire.FlagSlaveOK != 0 && t.s.isReplicaSetMember(t.addr) {
		// The Server Selection spec: a secondary refuses reads without a
		// read preference; a standalone must not get one.
		out = append(out, bson.RawDocElem{Name: "$readPreference", Value: primaryPreferred})
	}
	out = append(out, bson.RawDocElem{Name: "$db", Value: rawString(db)})
	ex.cmd = marshalDoc(out)
	return ex, true
}

// killCursors turns OP_KILL_CURSORS into killCursors commands, one per
// collection, for the cursors whose collection a reply told. mgo expects
// no reply; the server's replies are read and dropped.
func (t translator) killCursors(ids []int64) []exchange {
	byNS := map[string][]int64{}
	var order []string
	for _, id := range ids {
		ns, ok := t.s.cursors.remove(t.addr, id)
		if !ok {
			continue // exhausted, already killed, or never seen
		}
		if byNS[ns] == nil {
			order = append(order, ns)
		}
		byNS[ns] = append(byNS[ns], id)
	}
	exs := make([]exchange, 0, len(order))
	for _, ns := range order {
		db, coll := splitNamespace(ns)
		exs = append(exs, exchange{
			name:   "killCursors",
			silent: true,
			cmd: marshalDoc(bson.D{
				{Name: "killCursors", Value: coll},
				{Name: "cursors", Value: byNS[ns]},
				{Name: "$db", Value: db},
			}),
		})
	}
	return exs
}

// isWriteCommand says whether the translator sets the write concern of the
// command called name.
func isWriteCommand(name string) bool {
	switch name {
	case "insert", "update", "delete", "findAndModify", "findandmodify":
		return true
	}
	return false
}

// splitNamespace splits "db.collection" at its first dot.
func splitNamespace(ns string) (db, coll string) {
	if i := strings.IndexByte(ns, '.'); i >= 0 {
		return ns[:i], ns[i+1:]
	}
	return ns, ""
}

// primaryPreferred is the read preference that the slaveOk bit stands for.
var primaryPreferred = rawDoc(bson.D{{Name: "mode", Value: "primaryPreferred"}})

// unmarshal decodes the BSON document b into v with mgo's bson package. It
// returns an error, whose cause is [ErrMalformed], for any document that
// bson rejects, including one that makes it panic.
func unmarshal(b []byte, v interface{}) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrMalformed, r)
		}
	}()
	if err := bson.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return nil
}

// unmarshalRaw decodes the BSON element raw into v as unmarshal does.
func unmarshalRaw(raw bson.Raw, v interface{}) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrMalformed, r)
		}
	}()
	if err := raw.Unmarshal(v); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return nil
}

// marshalDoc encodes doc, built by the translator from values that always
// encode, as a BSON document.
func marshalDoc(doc interface{}) []byte {
	b, err := bson.Marshal(doc)
	if err != nil {
		panic(fmt.Sprintf("mgowire: cannot encode %#v: %v", doc, err))
	}
	return b
}

// rawDoc returns doc as a raw embedded document.
func rawDoc(doc interface{}) bson.Raw {
	return bson.Raw{Kind: 0x03, Data: marshalDoc(doc)}
}

// rawString returns s as a raw BSON string: its length including the
// terminating NUL (int32, little-endian), its bytes, and the NUL.
func rawString(s string) bson.Raw {
	data := make([]byte, 4+len(s)+1)
	binary.LittleEndian.PutUint32(data, uint32(len(s)+1))
	copy(data[4:], s)
	return bson.Raw{Kind: 0x02, Data: data}
}

// okReply returns an OP_REPLY answering request id with a successful
// command reply made of fields and ok:1.
func okReply(id int32, fields bson.D) []byte {
	return wire.BuildReply(id, 0, marshalDoc(append(fields, bson.DocElem{Name: "ok", Value: 1.0})))
}

// errorReply returns an OP_REPLY answering request id with a failed
// command reply, worded as MongoDB words them, which mgo reports as a
// *mgo.QueryError with the given code.
func errorReply(id int32, code int, format string, args ...interface{}) []byte {
	return wire.BuildReply(id, 0, marshalDoc(bson.D{
		{Name: "ok", Value: 0.0},
		{Name: "errmsg", Value: fmt.Sprintf(format, args...)},
		{Name: "code", Value: code},
	}))
}
