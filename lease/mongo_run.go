package lease

import (
	"github.com/juju/errors"
	"gopkg.in/mgo.v2/txn"
)

// maxAttempts is how many times run builds and runs a transaction before it
// gives up with ErrExcessiveContention, and for how many aborted
// transactions runBatch may blame one lease write before it gives that
// write up so.
const maxAttempts = 3

// maxFloorRaces is how many races for terms runBatch lets a claim from the
// floor lose before it gives it up with ErrExcessiveContention: each race
// lost is another writer's claims from the floor applied, so with n
// writers claiming new leases at once a claim loses about n-1 in a row at
// worst; the bound only keeps a caller from waiting without end.
const maxFloorRaces = 12

// errNoOperations is returned by a transaction builder to end run
// successfully without running a transaction.
var errNoOperations = errors.New("no operations needed")

// buildFunc builds the ops of one attempt at a transaction; attempt counts
// from 0. It returns errNoOperations if nothing needs to be written, and
// ErrInvalid if the operation is impossible.
type buildFunc func(attempt int) ([]txn.Op, error)

// run builds and runs a transaction with the client's Mongo, attempting it
// up to maxAttempts times while it is aborted: the transaction that
// creates the namespace's clock document (lease writes, alone or in
// batches, go through runBatch). It interprets txn.ErrAborted for it, and
// decides what reaches the caller:
// ErrInvalid bare, so that callers can compare it with ==; nil for
// errNoOperations; ErrExcessiveContention once the attempts are used up;
// any other error traced, a transaction's matching ErrUnavailable if it
// says the store could not answer (see storeError): its outcome is then
// unknown, and the client's cache keeps what it held.
func run(mongo Mongo, build buildFunc) error {
	for attempt := 0; attempt < maxAttempts; attempt++ {
		ops, err := build(attempt)
		switch {
		case errors.Is(err, errNoOperations):
			return nil
		case errors.Is(err, ErrInvalid):
			return ErrInvalid
		case err != nil:
			return errors.Trace(err)
		}
		err = storeError(mongo.RunTransaction(ops))
		switch {
		case errors.Is(err, txn.ErrAborted):
			continue
		case err != nil:
			return errors.Trace(err)
		}
		return nil
	}
	return errors.Trace(ErrExcessiveContention)
}
