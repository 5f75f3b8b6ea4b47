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
}

// assertHolderOp returns an op that asserts only that holder holds the named
// lease: it stays satisfied across extensions by any writer and after the
// expiry time, until the lease is expired or changes hands.
func (s scope) assertHolderOp(name, holder string) txn.Op {
	return txn.Op{
		C:      s.collection,
		Id:     leaseDocId(s.namespace, name),
		Assert: bson.D{{Name: fieldHolder, Value: holder}},
	}
}

// assertEntryOp returns an op on the named lease's document that asserts
// the document is exactly the one cached as last.
func (s scope) assertEntryOp(name string, last entry) txn.Op {
	return txn.Op{
		C:  s.collection,
		Id: leaseDocId(s.namespace, name),
		Assert: bson.D{
			{Name: fieldHolder, Value: last.holder},
			{Name: fieldExpiry, Value: toInt64(last.expiry)},
			{Name: fieldWriter, Value: last.writer},
			{Name: fieldTerm, Value: termValue(last.term)},
		},
	}
}

// createClockOps returns the ops that create the namespace's shared clock
// document, if it does not exist yet.
func createClockOps(s scope) []txn.Op {
	return []txn.Op{{
		C:      s.collection,
		Id:     clockDocId(s.namespace),
		Assert: txn.DocMissing,
		Insert: newClockDoc(s.namespace),
	}}
}

// leaseWrite is one lease's part of a transaction: the op on its
// document, the state of the lease the op asserts (the state the client
// decided it on), and what the client caches once it is applied. A
// builder (claimWrite, extendWrite, expireWrite, revokeWrite) makes it
// from the cache and one clock reading, and transactionOps puts it in a
// transaction with the clock documents' ops for that reading.
type leaseWrite struct {
	// name is the lease's name.
	name string
	// op is the op on the lease's document.
	op txn.Op
	// release says that op releases the lease (an expiry or a
	// revocation): the transaction counts it in the writer's clock
	// document.
	release bool
	// claim says that op claims the lease, in a new term (next.term);
	// fromFloor, that the term was taken from the namespace's term
	// floor, which the transaction then asserts (see clockOps).
	claim     bool
	fromFloor bool
	// keptTerm is the term of the released document a claim asserts.
	keptTerm int64
	// next is what op leaves in the lease's document, which the client
	// caches once op is applied: an empty holder if release.
	next entry

	// held, kept and last are the state op asserts: the lease held as
	// last (its holder alone, if holderOnly), or not held, and then
	// released (kept) or with no document.
	held       bool
	kept       bool
	last       entry
	holderOnly bool
}

// assertionHolds reports whether w's assertion holds of its lease as c
// has it: false means that a transaction with w aborts as long as the
// store holds what c does.
func (w leaseWrite) assertionHolds(c cache) bool {
	e, held := c.entries[w.name]
	switch {
	case held != w.held:
		return false
	case !held:
		return c.released[w.name] == w.kept && (!w.kept || c.releasedTerms[w.name] == w.keptTerm)
	case w.holderOnly:
		return e.holder == w.last.holder
	}
	return e.holder == w.last.holder && e.writer == w.last.writer && e.expiry.Equal(w.last.expiry) && e.term == w.last.term
}

// releasedEntry returns what a release written by s at time now leaves in
// the lease's document, whose term was term: no holder, the time of the
// release, s's id as the writer, and the term kept.
func (s scope) releasedEntry(now time.Time, term int64) entry {
	return entry{holder: "", expiry: now, writer: s.id, term: term}
}

// setEntry returns the update that sets a lease document's holder, expiry
// and writer to e's, and its term too if e has one (a release keeps the
// document's term, whatever it is).
func setEntry(e entry) bson.D {
	set := bson.D{
		{Name: fieldHolder, Value: e.holder},
		{Name: fieldExpiry, Value: toInt64(e.expiry)},
		{Name: fieldWriter, Value: e.writer},
	}
	if e.term != 0 {
		set = append(set, bson.DocElem{Name: fieldTerm, Value: e.term})
	}
	return bson.D{{Name: "$set", Value: set}}
}

// claimWrite returns the write that claims the named lease for request at
// time now: it inserts the lease's document, asserting that there is
// none, or, if the cache has the lease released, sets the document's
// holder, expiry and writer, asserting that its holder is empty. It
// returns an ErrTimeOutOfRange error if now, or the expiry
// now+request.Duration, cannot be stored (time.Time.Add does not overflow
// within the years a Duration spans, but UnixNano would), and ErrInvalid
// if the cache has the lease held, by anyone: a lease must be expired
// before it can be claimed again.
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

// extendWrite returns the write that extends the named lease for request
// at time now. It returns ErrInvalid if the cache does not have the lease
// held by the request's holder. The new expiry is at least the latest
// local time at which the last writer might still consider the lease
// held, so that no client can see the lease expire before that writer
// does, and an extension never shortens a lease; the expiry is then on
// this client's clock, and this client is its writer.
//
// (Why an extension is always written: see docs/design.md#extensions.)
//
// It returns an ErrTimeOutOfRange error if now, or the new expiry, cannot
// be stored: the expiry cannot be cut to the store's range, since it must
// not be earlier than either bound.
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
	}
	op := s.assertEntryOp(name, last)
	op.Update = bson.D{{Name: "$set", Value: bson.D{
		{Name: fieldExpiry, Value: toInt64(next.expiry)},
		{Name: fieldWriter, Value: next.writer},
	}}}
	return leaseWrite{name: name, op: op, next: next, held: true, last: last}, nil
}

// expireWrite returns the write that expires the named lease at time now:
// it releases the lease (see releasedEntry), asserting that its document
// is exactly the one cached. It returns an ErrTimeOutOfRange error if now cannot be stored, and
// ErrInvalid if the cache does not have the lease held, or if now is not
// strictly after the latest local time at which the lease's last writer
// might still consider it held.
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

// revokeWrite returns the write that releases the named lease, held by
// holder, at time now (see releasedEntry). It returns ErrInvalid if the cache does not have
// the lease held by holder. Unlike expireWrite it asserts only the
// holder, as a token's AssertOp does, so an extension by another writer
// since the cache was read does not abort it; a change of holder does.
// (transactionOps checks now.)
func revokeWrite(s scope, c cache, name, holder string, now time.Time) (leaseWrite, error) {
	last, found := c.entries[name]
	if !found || last.holder != holder {
		return leaseWrite{}, ErrInvalid
	}
	next := s.releasedEntry(now, last.term)
	op := s.assertHolderOp(name, holder)
	op.Update = setEntry(next)
	return leaseWrite{name: name, op: op, release: true, next: next, held: true, last: last, holderOnly: true}, nil
}
