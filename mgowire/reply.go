package mgowire

import (
	"fmt"
	"strings"

	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wire"
)

// replyFields are the fields of a command reply that the translator acts
// on. Numbers are decoded as interface{} because servers send them as
// int32, int64 or double.
type replyFields struct {
	OK          interface{}         `bson:"ok"`
	Code        interface{}         `bson:"code"`
	ErrMsg      string              `bson:"errmsg"`
	SetName     string              `bson:"setName"`
	WCE         *writeConcernError  `bson:"writeConcernError"`
	WriteErrors []writeConcernError `bson:"writeErrors"`
	Cursor      *struct {
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

// translateReply returns the OP_REPLY for mgo that answers the exchange
// ex, given the server's reply (wire.Header h, body body), and whether the
// reply says the server is not a writable primary, in which case the
// connection must close once mgo has it. An error, whose cause is
// [ErrMalformed] or [ErrUnsupported], means the reply cannot be read and
// the connection must close.
func (t translator) translateReply(ex exchange, h wire.Header, body []byte) ([]byte, bool, error) {
	doc, err := parseMsg(h, body)
	if err != nil {
		return nil, false, err
	}
	var f replyFields
	if err := unmarshal(doc, &f); err != nil {
		return nil, false, fmt.Errorf("reply to %s: %w", ex.name, err)
	}
	t.trackCursor(ex, &f)
	switch ex.name {
	case "isMaster", "ismaster", "hello":
		if isOK(f.OK) {
			t.s.setReplicaSetMember(t.addr, f.SetName != "")
		}
	}
	notPrimary := f.notPrimary()
	if f.WCE != nil {
		code, _ := number(f.WCE.Code)
		if !isWriteCommand(ex.name) || ex.name == "findAndModify" || ex.name == "findandmodify" || code == 0 {
			// mgo reads writeConcernError only in the replies to insert,
			// update and delete, and only when it has a code: fail the
			// command outright so that mgo reports it.
			if doc, err = failWriteConcern(doc, f.WCE); err != nil {
				return nil, false, fmt.Errorf("reply to %s: %w", ex.name, err)
			}
		}
	}
	return wire.BuildReply(ex.mgoID, 0, doc), notPrimary, nil
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
	var fields bson.RawD
	if err := unmarshal(doc, &fields); err != nil {
		return nil, err
	}
	code, _ := number(wce.Code)
	if code == 0 {
		code = codeWriteConcernFailed
	}
	out := bson.D{
		{Name: "ok", Value: 0.0},
		{Name: "errmsg", Value: "write concern not satisfied: " + wce.ErrMsg},
		{Name: "code", Value: code},
	}
	if wce.CodeName != "" {
		out = append(out, bson.DocElem{Name: "codeName", Value: wce.CodeName})
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

// Error codes of the "not writable primary" and "node is recovering"
// classes, from the Server Discovery and Monitoring spec
// (mongodb/specifications, source/server-discovery-and-monitoring,
// "Not writable primary and node is recovering").
var notPrimaryCodes = map[int64]bool{
	10107: true, // NotWritablePrimary
	13435: true, // NotPrimaryNoSecondaryOk
	10058: true, // LegacyNotPrimary
	11600: true, // InterruptedAtShutdown
	11602: true, // InterruptedDueToReplStateChange
	13436: true, // NotPrimaryOrSecondary
	189:   true, // PrimarySteppedDown
	91:    true, // ShutdownInProgress
}

// notPrimary says whether the reply is an error of the not-primary class:
// its code, or that of its writeConcernError or of one of its writeErrors,
// is one of notPrimaryCodes; or, for an error without a code, its message
// says so (the spec checks the message only when there is no code).
func (f *replyFields) notPrimary() bool {
	if !isOK(f.OK) && isNotPrimary(f.Code, f.ErrMsg) {
		return true
	}
	if f.WCE != nil && isNotPrimary(f.WCE.Code, f.WCE.ErrMsg) {
		return true
	}
	for _, e := range f.WriteErrors {
		if code, ok := number(e.Code); ok && notPrimaryCodes[code] {
			return true
		}
	}
	return false
}

// isNotPrimary classifies one error by its code, or by its message when it
// has no code.
func isNotPrimary(code interface{}, msg string) bool {
	if n, ok := number(code); ok {
		return notPrimaryCodes[n]
	}
	return strings.Contains(msg, "not master") || strings.Contains(msg, "not primary") ||
		strings.Contains(msg, "node is recovering")
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
