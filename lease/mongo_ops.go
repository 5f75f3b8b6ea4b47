package lease

import (
	"fmt"
	"time"

	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/internal/stored"
)

// scope names the documents a client writes, and the client writing them.
type scope struct {
	collection string
	namespace  string
	id         string
	// writeIds, if set, makes the write ids (newWriteId); tests set it.
	writeIds func() bson.ObjectId
}

// assertHolderOp asserts only that holder holds the named lease: it holds
// across extensions and past the expiry, until the lease is released.
func (s scope) assertHolderOp(name, holder string) txn.Op {
	return txn.Op{
		C:      s.collection,
		Id:     leaseDocId(s.namespace, name),
		Assert: bson.D{{Name: fieldHolder, Value: holder}},
	}
}

// assertEntryOp asserts the lease's document is exactly last, as cached.
func (s scope) assertEntryOp(name string, last entry) txn.Op {
	return txn.Op{
		C:  s.collection,
		Id: leaseDocId(s.namespace, name),
		Assert: bson.D{
			{Name: fieldHolder, Value: last.holder},
			{Name: fieldExpiry, Value: toInt64(last.expiry)},
			{Name: fieldWriter, Value: last.writer},
			{Name: fieldTerm, Value: termValue(last.term)},
			{Name: fieldWriteId, Value: writeIdValue(last.write)},
		},
	}
}

// createClockOps creates the shared clock document if it does not exist.
func createClockOps(s scope) []txn.Op {
	return []txn.Op{{
		C:      s.collection,
		Id:     clockDocId(s.namespace),
		Assert: txn.DocMissing,
		Insert: newClockDoc(s.namespace),
	}}
}

// leaseWrite is one lease's part of a transaction: the op on its document,
// the state it asserts (the one decided on), and what is cached once
// applied. claimWrite, extendWrite, expireWrite and revokeWrite build it
// from the cache and one clock reading; transactionOps adds the clock ops.
type leaseWrite struct {
	// name is the lease's name.
	name string
	// op is the op on the lease's document.
	op txn.Op
	// release: the op releases the lease (counted in the clock document).
	release bool
	// claim: the op claims in a new term (next.term); fromFloor: that term
	// came from the namespace's floor, which the transaction asserts.
	claim     bool
	fromFloor bool
	// keptTerm is the term of the released document a claim asserts.
	keptTerm int64
	// next is what op leaves in the document, cached once applied.
	next entry

	// held, kept and last are what op asserts: held as last, or not held
	// and released (kept) or absent.
	held bool
	kept bool
	last entry
}

// assertionHolds reports whether w's assertion holds of c's view: false
// means a transaction with w aborts while the store holds what c does.
func (w leaseWrite) assertionHolds(c cache) bool {
	e, held := c.entries[w.name]
	switch {
	case held != w.held:
		return false
	case !held:
		return c.released[w.name] == w.kept && (!w.kept || c.releasedTerms[w.name] == w.keptTerm)
	}
	return e.holder == w.last.holder && e.writer == w.last.writer && e.expiry.Equal(w.last.expiry) && e.term == w.last.term && e.write == w.last.write
}

// releasedEntry returns what a release by s at now leaves: no holder, the
// release's time, s as writer, term kept, and a new write id.
func (s scope) releasedEntry(now time.Time, term int64) entry {
	return entry{holder: "", expiry: now, writer: s.id, term: term, write: s.newWriteId()}
}

// setEntry returns the update setting e's holder, expiry, writer, write
// id and, if e has one, term (a release keeps the document's term).
func setEntry(e entry) bson.D {
	set := bson.D{
		{Name: fieldHolder, Value: e.holder},
		{Name: fieldExpiry, Value: toInt64(e.expiry)},
		{Name: fieldWriter, Value: e.writer},
		{Name: fieldWriteId, Value: e.write},
	}
	if e.term != 0 {
		set = append(set, bson.DocElem{Name: fieldTerm, Value: e.term})
	}
	return bson.D{{Name: "$set", Value: set}}
}

// claimWrite returns the write that claims the named lease: an insert
// asserting no document, or, if cached as released, a set asserting an
// empty holder. It returns ErrTimeOutOfRange if now or now+Duration cannot
// be stored, and ErrInvalid if the cache has the lease held by anyone.
func claimWrite(s scope, c cache, name string, request Request, now time.Time) (leaseWrite, error) {
	if err := stored.CheckClockReading(now, s.id); err != nil {
		return leaseWrite{}, err
	}
	if _, found := c.entries[name]; found {
		return leaseWrite{}, ErrInvalid
	}
	expiry := now.Add(request.Duration)
	if err := stored.CheckRequestExpiry(expiry, name, now, request.Duration); err != nil {
		return leaseWrite{}, err
	}
	term, fromFloor := claimTerm(c, name)
	next := entry{
		holder: request.Holder,
		expiry: expiry,
		writer: s.id,
		term:   term,
		write:  s.newWriteId(),
	}
	op := txn.Op{
		C:      s.collection,
		Id:     leaseDocId(s.namespace, name),
		Assert: txn.DocMissing,
		Insert: newLeaseDoc(s.namespace, name, next),
	}
	kept := c.released[name]
	keptTerm := c.releasedTerms[name]
	if kept {
		op.Assert = bson.D{{Name: fieldHolder, Value: ""}, {Name: fieldTerm, Value: termValue(keptTerm)}}
		op.Insert = nil
		op.Update = setEntry(next)
	}
	return leaseWrite{name: name, op: op, next: next, kept: kept, keptTerm: keptTerm, claim: true, fromFloor: fromFloor}, nil
}

// extendWrite returns the write that extends the named lease, or
// ErrInvalid unless the cache has it held by the request's holder. The new
// expiry is at least the latest local time the last writer might still
// consider it held, so no client sees it expire before that writer does,
// and it is never shortened (docs/design.md#extensions). It returns
// ErrTimeOutOfRange if now or that expiry cannot be stored (it cannot be
// cut to the range).
func extendWrite(s scope, c cache, name string, request Request, now time.Time) (leaseWrite, error) {
	if err := stored.CheckClockReading(now, s.id); err != nil {
		return leaseWrite{}, err
	}
	last, found := c.entries[name]
	if !found || last.holder != request.Holder {
		return leaseWrite{}, ErrInvalid
	}
	expiry := now.Add(request.Duration)
	if err := stored.CheckRequestExpiry(expiry, name, now, request.Duration); err != nil {
		return leaseWrite{}, err
	}
	if latest := c.skews[last.writer].Latest(last.expiry); expiry.Before(latest) {
		if err := stored.CheckTime(latest, "expiry", fmt.Sprintf(
			"of lease %q (the latest time at which its last writer %q, which wrote %s, might still take it to be held)",
			name, last.writer, stored.Format(last.expiry))); err != nil {
			return leaseWrite{}, err
		}
		expiry = latest
	}
	next := entry{
		holder: last.holder,
		expiry: expiry,
		writer: s.id,
		term:   last.term,
		write:  s.newWriteId(),
	}
	op := s.assertEntryOp(name, last)
	op.Update = bson.D{{Name: "$set", Value: bson.D{
		{Name: fieldExpiry, Value: toInt64(next.expiry)},
		{Name: fieldWriter, Value: next.writer},
		{Name: fieldWriteId, Value: next.write},
	}}}
	return leaseWrite{name: name, op: op, next: next, held: true, last: last}, nil
}

// expireWrite returns the write that releases the named lease, asserting
// its document is exactly as cached. It returns ErrTimeOutOfRange if now
// cannot be stored, and ErrInvalid unless the cache has it held and now is
// strictly after the latest local time its last writer might hold it.
func expireWrite(s scope, c cache, name string, now time.Time) (leaseWrite, error) {
	if err := stored.CheckClockReading(now, s.id); err != nil {
		return leaseWrite{}, err
	}
	last, found := c.entries[name]
	if !found {
		return leaseWrite{}, ErrInvalid
	}
	if latest := c.skews[last.writer].Latest(last.expiry); !now.After(latest) {
		return leaseWrite{}, ErrInvalid
	}
	next := s.releasedEntry(now, last.term)
	op := s.assertEntryOp(name, last)
	op.Update = setEntry(next)
	return leaseWrite{name: name, op: op, release: true, next: next, held: true, last: last}, nil
}

// revokeWrite returns the write that releases the named lease held by
// holder, or ErrInvalid if not so cached. Like an expiry, it asserts the
// document exactly as cached, write id included: a revocation whose
// outcome was unknown, and which another client's transaction applies
// later, must not cut short a guarantee that an extension gave the holder
// since (docs/design.md#revocations). Another writer's extension since
// the read aborts it, and the client reads the lease again and revokes
// what it then holds. (transactionOps checks now.)
func revokeWrite(s scope, c cache, name, holder string, now time.Time) (leaseWrite, error) {
	last, found := c.entries[name]
	if !found || last.holder != holder {
		return leaseWrite{}, ErrInvalid
	}
	next := s.releasedEntry(now, last.term)
	op := s.assertEntryOp(name, last)
	op.Update = setEntry(next)
	return leaseWrite{name: name, op: op, release: true, next: next, held: true, last: last}, nil
}
