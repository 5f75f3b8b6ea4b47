package mgowire

import (
	"fmt"
	"strings"

	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/mongoerr"
	"github.com/seed07a61904/leadership/internal/wire"
)

// replyFields are the fields of a command reply that the translator acts
// on. Numbers are decoded as interface{} because servers send them as
// int32, int64 or double.
type replyFields struct {
	OK       interface{} `bson:"ok"`
	Code     interface{} `bson:"code"`
	CodeName interface{} `bson:"codeName"`
	// ErrMsg is whatever the server sent; mgo sees an error only in a
	// non-empty string (see errMsg).
	ErrMsg  interface{} `bson:"errmsg"`
	SetName string      `bson:"setName"`
	// RawWCE and RawWriteErrors are decoded raw, so that a field of the
	// wrong BSON type is seen rather than silently dropped (see shape).
	RawWCE         bson.Raw            `bson:"writeConcernError"`
	RawWriteErrors bson.Raw            `bson:"writeErrors"`
	WCE            *writeConcernError  `bson:"-"`
	WriteErrors    []writeConcernError `bson:"-"`
	Cursor         *struct {
		ID interface{} `bson:"id"`
		NS string      `bson:"ns"`
	} `bson:"cursor"`
}

// writeConcernError is a writeConcernError, or one of writeErrors.
type writeConcernError struct {
	Code     interface{} `bson:"code"`
	CodeName string      `bson:"codeName"`
	ErrMsg   string      `bson:"errmsg"`
}

// replyStatus is what a server's reply says of its command.
type replyStatus int

const (
	// replyOK: the command succeeded.
	replyOK replyStatus = iota
	// replyFailed: the command failed (ok is not 1, or a write error).
	replyFailed
	// replyNotPrimary: the server is not a writable primary, and the
	// connection must close once mgo has the reply.
	replyNotPrimary
)

// translateReply returns the OP_REPLY for mgo that answers the exchange
// ex, given the server's reply (wire.Header h, body body), and what the
// reply says of the command: replyNotPrimary if the server is not a
// writable primary, in which case the connection must close once mgo has
// it. An error, whose cause is [ErrMalformed] or [ErrUnsupported], means
// the reply cannot be read and the connection must close.
func (t translator) translateReply(ex exchange, h wire.Header, body []byte) ([]byte, replyStatus, error) {
	doc, err := parseMsg(h, body)
	if err != nil {
		return nil, replyOK, err
	}
	var f replyFields
	if err := f.decode(doc); err != nil {
		return nil, replyOK, fmt.Errorf("reply to %s: %w", ex.name, err)
	}
	t.trackCursor(ex, &f)
	switch ex.name {
	case "isMaster", "ismaster", "hello":
		if isOK(f.OK) {
			t.s.setReplicaSetMember(t.addr, f.SetName != "")
		}
	}
	shape := f.shape()
	status := replyOK
	switch {
	case f.notPrimary():
		status = replyNotPrimary
	case !isOK(f.OK) || f.errMsg() != "" || shape != "" || f.WCE != nil || len(f.WriteErrors) > 0:
		status = replyFailed
	}
	if !isOK(f.OK) && f.errMsg() == "" {
		// mgo sees a failure only in a non-empty string errmsg (or $err);
		// it never reads ok. Give it one, keeping the code.
		msg := "mgowire: command failed"
		code, hasCode := number(f.Code)
		if hasCode {
			msg += fmt.Sprintf(" with code %d", code)
		}
		if name, _ := f.CodeName.(string); name != "" {
			msg += " (" + name + ")"
		}
		if doc, err = failReply(doc, msg, code, f.CodeName); err != nil {
			return nil, replyOK, fmt.Errorf("reply to %s: %w", ex.name, err)
		}
		return wire.BuildReply(ex.mgoID, 0, doc), status, nil
	}
	if msg := shape; msg != "" {
		// A writeConcernError or writeErrors that neither mgowire nor
		// mgo can read must not make a write look successful.
		if doc, err = failReply(doc, "mgowire: reply to "+ex.name+": "+msg, codeWriteConcernFailed, nil); err != nil {
			return nil, replyOK, fmt.Errorf("reply to %s: %w", ex.name, err)
		}
		return wire.BuildReply(ex.mgoID, 0, doc), status, nil
	}
	if f.WCE != nil {
		code, _ := number(f.WCE.Code)
		if !isWriteCommand(ex.name) || ex.name == "findAndModify" || ex.name == "findandmodify" || code == 0 {
			// mgo reads writeConcernError only in the replies to insert,
			// update and delete, and only when it has a code: fail the
			// command outright so that mgo reports it.
			if doc, err = failWriteConcern(doc, f.WCE); err != nil {
				return nil, replyOK, fmt.Errorf("reply to %s: %w", ex.name, err)
			}
		}
	}
	return wire.BuildReply(ex.mgoID, 0, doc), status, nil
}

// trackCursor records in the cursor table the cursor that a reply leaves
// open, and forgets the one that a getMore exhausted, so that
// OP_KILL_CURSORS, which names no collection, can become killCursors.
func (t translator) trackCursor(ex exchange, f *replyFields) {
	if ex.name == "getMore" && ex.cursorID != 0 {
		t.s.cursors.remove(t.addr, ex.cursorID)
	}
	if f.Cursor == nil {
		return
	}
	if id, ok := number(f.Cursor.ID); ok && id != 0 && strings.Contains(f.Cursor.NS, ".") {
		t.s.cursors.add(t.addr, id, f.Cursor.NS)
	}
}

// failWriteConcern returns the reply doc turned into a failed command
// reply: ok:0, and errmsg, code and codeName from wce; the other fields,
// writeConcernError included, stay. mgo reports it as a *mgo.QueryError.
func failWriteConcern(doc []byte, wce *writeConcernError) ([]byte, error) {
	code, _ := number(wce.Code)
	if code == 0 {
		code = codeWriteConcernFailed
	}
	var codeName interface{}
	if wce.CodeName != "" {
		codeName = wce.CodeName
	}
	return failReply(doc, "write concern not satisfied: "+wce.ErrMsg, code, codeName)
}

// failReply returns the reply doc turned into a failed command reply:
// ok:0, errmsg msg, code (if not 0) and codeName (if a string); the other
// fields stay.
func failReply(doc []byte, msg string, code int64, codeName interface{}) ([]byte, error) {
	var fields bson.RawD
	if err := unmarshal(doc, &fields); err != nil {
		return nil, err
	}
	out := bson.D{{Name: "ok", Value: 0.0}, {Name: "errmsg", Value: msg}}
	if code != 0 {
		out = append(out, bson.DocElem{Name: "code", Value: code})
	}
	if name, ok := codeName.(string); ok && name != "" {
		out = append(out, bson.DocElem{Name: "codeName", Value: name})
	}
	for _, e := range fields {
		switch e.Name {
		case "ok", "errmsg", "code", "codeName":
			continue
		}
		out = append(out, bson.DocElem{Name: e.Name, Value: e.Value})
	}
	return marshalDoc(out), nil
}

// decode fills f from the reply document doc, decoding writeConcernError
// and writeErrors only when they have the BSON type the protocol gives
// them (shape reports the others).
func (f *replyFields) decode(doc []byte) error {
	if err := unmarshal(doc, f); err != nil {
		return err
	}
	if f.RawWCE.Kind == bsonDocument {
		f.WCE = new(writeConcernError)
		if err := unmarshalRaw(f.RawWCE, f.WCE); err != nil {
			return err
		}
	}
	if f.RawWriteErrors.Kind == bsonArray {
		var elems []bson.Raw
		if err := unmarshalRaw(f.RawWriteErrors, &elems); err != nil {
			return err
		}
		for _, e := range elems {
			if e.Kind != bsonDocument {
				continue // shape reports it
			}
			var we writeConcernError
			if err := unmarshalRaw(e, &we); err != nil {
				return err
			}
			f.WriteErrors = append(f.WriteErrors, we)
		}
	}
	return nil
}

// BSON element types that the reply checks use.
const (
	bsonDocument = 0x03
	bsonArray    = 0x04
	bsonNull     = 0x0A
)

// shape returns "" if the reply's writeConcernError (a document) and
// writeErrors (an array of documents) are absent, null or of their type;
// otherwise a message naming the field and the type it has.
func (f *replyFields) shape() string {
	if k := f.RawWCE.Kind; k != 0 && k != bsonNull && k != bsonDocument {
		return fmt.Sprintf("writeConcernError is of BSON type %s, want a document", bsonTypeName(k))
	}
	switch k := f.RawWriteErrors.Kind; {
	case k == 0 || k == bsonNull:
	case k != bsonArray:
		return fmt.Sprintf("writeErrors is of BSON type %s, want an array of documents", bsonTypeName(k))
	default:
		var elems []bson.Raw
		if err := unmarshalRaw(f.RawWriteErrors, &elems); err != nil {
			return "writeErrors cannot be read: " + err.Error()
		}
		for i, e := range elems {
			if e.Kind != bsonDocument {
				return fmt.Sprintf("writeErrors[%d] is of BSON type %s, want a document", i, bsonTypeName(e.Kind))
			}
		}
	}
	return ""
}

// bsonTypeName names the BSON element type kind.
func bsonTypeName(kind byte) string {
	names := map[byte]string{
		0x01: "double", 0x02: "string", 0x03: "document", 0x04: "array", 0x05: "binary",
		0x07: "objectId", 0x08: "bool", 0x09: "date", 0x0A: "null", 0x10: "int32",
		0x11: "timestamp", 0x12: "int64", 0x13: "decimal128",
	}
	if n, ok := names[kind]; ok {
		return n
	}
	return fmt.Sprintf("0x%02x", kind)
}

// errMsg returns the reply's errmsg if it is a string, as mgo reads it.
func (f *replyFields) errMsg() string {
	s, _ := f.ErrMsg.(string)
	return s
}

// notPrimary says whether the reply is an error of the not-primary class:
// its code, or that of its writeConcernError or of one of its writeErrors,
// is of that class (see mongoerr.NotPrimaryCode); or, for an error without a code, its message
// says so (the spec checks the message only when there is no code).
func (f *replyFields) notPrimary() bool {
	if !isOK(f.OK) && isNotPrimary(f.Code, f.errMsg()) {
		return true
	}
	if f.WCE != nil && isNotPrimary(f.WCE.Code, f.WCE.ErrMsg) {
		return true
	}
	for _, e := range f.WriteErrors {
		if code, ok := number(e.Code); ok && mongoerr.NotPrimaryCode(code) {
			return true
		}
	}
	return false
}

// isNotPrimary classifies one error by its code, or by its message when it
// has no code.
func isNotPrimary(code interface{}, msg string) bool {
	if n, ok := number(code); ok {
		return mongoerr.NotPrimaryCode(n)
	}
	return mongoerr.NotPrimaryMessage(msg)
}

// isOK says whether a reply's ok field means success.
func isOK(v interface{}) bool {
	if b, ok := v.(bool); ok {
		return b
	}
	n, ok := number(v)
	return ok && n == 1
}

// number returns the integer value of a BSON number, and whether v is one
// (a double must be integral).
func number(v interface{}) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		if n == float64(int64(n)) {
			return int64(n), true
		}
	}
	return 0, false
}

// parseMsg returns the body document of the server's OP_MSG reply. It
// refuses moreToCome, which mgowire never asks for, and document
// sequences, which no reply to mgo's commands carries.
func parseMsg(h wire.Header, body []byte) ([]byte, error) {
	if h.OpCode != wire.OpMsg {
		return nil, fmt.Errorf("%w: reply with opcode %d, want OP_MSG", ErrUnsupported, h.OpCode)
	}
	m, err := wire.ParseMsg(body)
	if err != nil {
		return nil, err
	}
	if m.Flags&wire.MsgMoreToCome != 0 {
		return nil, fmt.Errorf("%w: reply with moreToCome", ErrUnsupported)
	}
	if len(m.Sequences) > 0 {
		return nil, fmt.Errorf("%w: reply with document sequences", ErrUnsupported)
	}
	return m.Body, nil
}
