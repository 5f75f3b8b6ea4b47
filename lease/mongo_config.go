package lease

import (
	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/internal/isnil"
)

// ClientConfig holds what [NewClient] needs. Every field is required; none
// has a default, and NewClient never changes the caller's value.
type ClientConfig struct {
	// Id identifies the client among all clients that use the same
	// Collection and Namespace. No two clients that run at the same time
	// may share an Id. It must be 1 to [MaxStringLen] bytes of UTF-8 text
	// with no '.', '$', '#', white space or control characters: it is a
	// field name in every write, where '.' and '$' would be read as a
	// path or an operator. A host name makes a good Id once its dots
	// are hyphens ("ctl-1-example-com"); the error for an Id with a dot
	// suggests that form.
	Id string

	// Namespace groups leases: clients with the same Collection and
	// Namespace collaborate on one set of leases. It must be a valid
	// string, as for Id.
	Namespace string

	// Collection names the MongoDB collection that holds the leases. The
	// package needs exclusive use of it. It must be a valid string, as for
	// Id. (The server may limit collection names further: MongoDB allows
	// at most 255 bytes for the database name, a dot and the collection
	// name together; NewClient then fails with the server's error.)
	Collection string

	// Mongo gives the client its collection and runs its transactions.
	// It must not be nil. See [NewMongo].
	Mongo Mongo

	// Clock is the only source of time the client uses. It must not be
	// nil: [SystemClock]{} for the wall clock. Clients that share a namespace may disagree about the time, but
	// their clocks must run at the same rate.
	Clock Clock
}

// Validate returns an error describing the first problem with config, or
// nil. It checks Id, Namespace, Collection, Mongo and Clock, in that order.
// The error for a string field matches [ErrInvalidArgument], quotes the
// value and states the rule (see MaxStringLen).
// A Mongo or Clock that is an interface holding a nil pointer, and a Mongo
// that [NewMongo] made from a nil database, are refused like missing ones:
// using them would panic on the goroutine of the client's owner. A Mongo
// that NewMongo made with a transaction collection that MongoDB cannot
// hold (empty, or with a '$' or a NUL) is refused with an error matching
// ErrInvalidArgument, rather than by the server at the first write.
func (config ClientConfig) Validate() error {
	if err := checkString("id", config.Id); err != nil {
		return errors.Trace(err)
	}
	if err := checkString("namespace", config.Namespace); err != nil {
		return errors.Trace(err)
	}
	if err := checkString("collection", config.Collection); err != nil {
		return errors.Trace(err)
	}
	if config.Mongo == nil {
		return errors.New(`missing mongo: set Mongo to lease.NewMongo(session.DB(""), "txns"), on the database and txn collection that your fenced transactions use`)
	}
	if isnil.Value(config.Mongo) {
		return errors.Errorf("invalid mongo: nil %T", config.Mongo)
	}
	if m, ok := config.Mongo.(*dbMongo); ok {
		if m.db == nil {
			return errors.New("invalid mongo: NewMongo was given a nil database")
		}
		if err := checkTxnCollection(m.txnCollection); err != nil {
			return errors.Annotate(err, "invalid mongo")
		}
	}
	if config.Clock == nil {
		return errors.New("missing clock: set Clock to lease.SystemClock{}, the wall clock (in tests, a fake one such as leasetest.NewClock(leasetest.Start))")
	}
	if isnil.Value(config.Clock) {
		return errors.Errorf("invalid clock: nil %T", config.Clock)
	}
	return nil
}
