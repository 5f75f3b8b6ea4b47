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

// clockWriteOp returns the op that starts every lease transaction that
// writes a lease (one that removes a lease ends with it: see
// releaseClockOps): it
// records that this client has reached time now, and aborts the transaction
// if the client has already recorded a later time (so a transaction built
// long ago, or with a clock that went backwards, cannot apply). It also
// counts the client's transactions, which tells readers that the client
// has written again even when it records the same time as before. It
// returns an ErrTimeOutOfRange error, and no op, if the store cannot hold
// now: every builder gets the check with the op, so none can forget it.
func (s scope) clockWriteOp(now time.Time) (txn.Op, error) {
	if err := stored.CheckClockReading(now, s.id); err != nil {
		return txn.Op{}, err
	}
	key := fieldWriters + "." + s.id
	dbNow := toInt64(now)
	return txn.Op{
		C:  s.collection,
		Id: clockDocId(s.namespace),
		Assert: bson.D{{Name: "$or", Value: []bson.D{
			{{Name: key, Value: bson.D{{Name: "$lte", Value: dbNow}}}},
			{{Name: key, Value: bson.D{{Name: "$exists", Value: false}}}},
		}}},
		Update: bson.D{
			{Name: "$set", Value: bson.D{{Name: key, Value: dbNow}}},
			{Name: "$inc", Value: bson.D{{Name: fieldWrites + "." + s.id, Value: int64(1)}}},
		},
	}, nil
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
		},
	}
}

// createClockOps returns the ops that create the namespace's clock
// document, if it does not exist yet.
func createClockOps(s scope) []txn.Op {
	return []txn.Op{{
		C:      s.collection,
		Id:     clockDocId(s.namespace),
		Assert: txn.DocMissing,
		Insert: newClockDoc(s.namespace),
	}}
}

// claimOps returns the ops that claim the named lease for request at time
// now, and the entry to cache once they have run. It returns an
// ErrTimeOutOfRange error if now, or the expiry now+request.Duration,
// cannot be stored (time.Time.Add does not overflow within the years a
// Duration spans, but UnixNano would), and ErrInvalid if the cache has the
// lease held, by anyone: a lease must be expired before it can be claimed
// again.
func claimOps(s scope, c cache, name string, request Request, now time.Time) ([]txn.Op, entry, error) {
	if err := stored.CheckClockReading(now, s.id); err != nil {
		return nil, entry{}, err
	}
	if _, found := c.entries[name]; found {
		return nil, entry{}, ErrInvalid
	}
	expiry := now.Add(request.Duration)
	if err := stored.CheckRequestExpiry(expiry, name, now, request.Duration); err != nil {
		return nil, entry{}, err
	}
	next := entry{
		holder: request.Holder,
		expiry: expiry,
		writer: s.id,
	}
	clock, err := s.clockWriteOp(now)
	if err != nil {
		return nil, entry{}, err
	}
	return []txn.Op{clock, {
		C:      s.collection,
		Id:     leaseDocId(s.namespace, name),
		Assert: txn.DocMissing,
		Insert: newLeaseDoc(s.namespace, name, next),
	}}, next, nil
}

// extendOps returns the ops that extend the named lease for request at time
// now, and the entry to cache once they have run. It returns ErrInvalid if
// the cache does not have the lease held by the request's holder. The new
// expiry is at least the latest local time at which the last writer might
// still consider the lease held, so that no client can see the lease
// expire before that writer does, and an extension never shortens a
// lease; the expiry is then on this client's clock, and this client is its
// writer.
//
// (Why an extension is always written: see the package doc, "Design".)
//
// It returns an ErrTimeOutOfRange error if now, or the new expiry, cannot
// be stored: the expiry cannot be cut to the store's range, since it must
// not be earlier than either bound.
func extendOps(s scope, c cache, name string, request Request, now time.Time) ([]txn.Op, entry, error) {
	if err := stored.CheckClockReading(now, s.id); err != nil {
		return nil, entry{}, err
	}
	last, found := c.entries[name]
	if !found || last.holder != request.Holder {
		return nil, entry{}, ErrInvalid
	}
	expiry := now.Add(request.Duration)
	if err := stored.CheckRequestExpiry(expiry, name, now, request.Duration); err != nil {
		return nil, entry{}, err
	}
	if latest := c.skews[last.writer].Latest(last.expiry); expiry.Before(latest) {
		if err := stored.CheckTime(latest, "expiry", fmt.Sprintf(
			"of lease %q (the latest time at which its last writer %q, which wrote %s, might still take it to be held)",
			name, last.writer, stored.Format(last.expiry))); err != nil {
			return nil, entry{}, err
		}
		expiry = latest
	}
	next := entry{
		holder: last.holder,
		expiry: expiry,
		writer: s.id,
	}
	op := s.assertEntryOp(name, last)
	op.Update = bson.D{{Name: "$set", Value: bson.D{
		{Name: fieldExpiry, Value: toInt64(next.expiry)},
		{Name: fieldWriter, Value: next.writer},
	}}}
	clock, err := s.clockWriteOp(now)
	if err != nil {
		return nil, entry{}, err
	}
	return []txn.Op{clock, op}, next, nil
}

// expireOps returns the ops that expire the named lease at time now (the
// lease's op first, then the clock op, which counts the release: see
// releaseClockOps). It
// returns an ErrTimeOutOfRange error if now cannot be stored, and
// ErrInvalid if the cache does not have the lease held, or if now is
// not strictly after the latest local time at which the lease's last writer
// might still consider it held.
func expireOps(s scope, c cache, name string, now time.Time) ([]txn.Op, error) {
	if err := stored.CheckClockReading(now, s.id); err != nil {
		return nil, err
	}
	last, found := c.entries[name]
	if !found {
		return nil, ErrInvalid
	}
	if latest := c.skews[last.writer].Latest(last.expiry); !now.After(latest) {
		return nil, ErrInvalid
	}
	op := s.assertEntryOp(name, last)
	op.Remove = true
	return s.releaseClockOps(op, now)
}

// revokeOps returns the ops that remove the named lease, held by holder, at
// time now, in the order releaseClockOps gives them. It returns ErrInvalid if the cache does not have the lease held
// by holder. Unlike expireOps it asserts only the holder, as a token's
// AssertOp does, so an extension by another writer since the cache was read
// does not abort it; a change of holder does.
func revokeOps(s scope, c cache, name, holder string, now time.Time) ([]txn.Op, error) {
	last, found := c.entries[name]
	if !found || last.holder != holder {
		return nil, ErrInvalid
	}
	op := s.assertHolderOp(name, holder)
	op.Remove = true
	return s.releaseClockOps(op, now)
}
