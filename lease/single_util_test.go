package lease

import (
	"time"

	"gopkg.in/mgo.v2/txn"
)

// The ops of the transaction each single-lease method runs, as the
// builders and transactionOps make them: the table tests of the builders
// check whole transactions.

func claimOps(s scope, c cache, name string, request Request, now time.Time) ([]txn.Op, entry, error) {
	w, err := claimWrite(s, c, name, request, now)
	return single(s, c.clocks, w, now, err)
}

func extendOps(s scope, c cache, name string, request Request, now time.Time) ([]txn.Op, entry, error) {
	w, err := extendWrite(s, c, name, request, now)
	return single(s, c.clocks, w, now, err)
}

func expireOps(s scope, c cache, name string, now time.Time) ([]txn.Op, error) {
	w, err := expireWrite(s, c, name, now)
	ops, _, err := single(s, c.clocks, w, now, err)
	return ops, err
}

func revokeOps(s scope, c cache, name, holder string, now time.Time) ([]txn.Op, error) {
	w, err := revokeWrite(s, c, name, holder, now)
	ops, _, err := single(s, c.clocks, w, now, err)
	return ops, err
}

// single returns the ops of a transaction of w alone, by a client that
// knows docs of the clock documents, and the entry w caches, or err if
// the builder failed (or no ops if now cannot be stored).
func single(s scope, docs clockDocs, w leaseWrite, now time.Time, err error) ([]txn.Op, entry, error) {
	if err != nil {
		return nil, entry{}, err
	}
	ops, err := s.transactionOps([]leaseWrite{w}, now, docs)
	if err != nil {
		return nil, entry{}, err
	}
	return ops, w.next, nil
}
