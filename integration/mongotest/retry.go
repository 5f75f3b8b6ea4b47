package mongotest

import "sync"

// maxRetrySessions bounds how many logical sessions the retry table
// remembers; past it the table starts again empty, so that a retry of an
// old write may run it a second time.
const maxRetrySessions = 1 << 14

// retryTable remembers the reply to the last retryable write of each
// logical session, so that a retry (the same lsid and txnNumber) is
// answered with it instead of running the write again: the at-most-once
// execution that MongoDB gives retryable writes (Retryable Writes
// specification, "Abstract" and "Terms: Transaction ID"), which FerretDB
// does not (it ignores lsid and txnNumber). Only writes that ran and
// succeeded are remembered: a write that a stepped-down member refused
// did not run, and its retry runs it.
type retryTable struct {
	mu   sync.Mutex
	last map[string]retried // by the session's lsid.id bytes
}

// retried is the last retryable write of one session.
type retried struct {
	txnNumber int64
	reply     []byte
}

// retryKey returns the session and transaction number of a retryable
// write (see retryableWrite); ok is false for any other command.
func retryKey(cmd []element) (session string, txnNumber int64, ok bool) {
	if !retryableWrite(cmd) {
		return "", 0, false
	}
	txn, _ := lookup(cmd, "txnNumber")
	if txnNumber, ok = txn.int64Value(); !ok {
		return "", 0, false
	}
	lsid, _ := lookup(cmd, "lsid")
	fields, ok := lsid.doc()
	if !ok {
		return "", 0, false
	}
	id, _ := lookup(fields, "id")
	data, ok := id.binaryData()
	if !ok {
		return "", 0, false
	}
	return string(data), txnNumber, true
}

// lookup returns the reply to the write txnNumber of the session, if it
// is the session's last and it succeeded.
func (t *retryTable) lookup(session string, txnNumber int64) ([]byte, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.last[session]
	if !ok || r.txnNumber != txnNumber {
		return nil, false
	}
	return r.reply, true
}

// store records the reply to the write txnNumber of the session, if the
// write succeeded (ok: 1).
func (t *retryTable) store(session string, txnNumber int64, reply []byte) {
	elems, err := splitDoc(reply)
	if err != nil {
		return
	}
	if ok, _ := lookup(elems, "ok"); !ok.truthy() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last == nil || len(t.last) >= maxRetrySessions {
		t.last = map[string]retried{}
	}
	t.last[session] = retried{txnNumber: txnNumber, reply: reply}
}
