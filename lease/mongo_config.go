package lease

import (
	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/internal/isnil"
)

// ClientConfig holds what [NewClient] needs. Every field is required; none
// has a default, and NewClient never changes the caller's value.
type ClientConfig struct {
	// Id identifies the client among those sharing Collection and
	// Namespace; no two running at once may share it. 1 to
	// [MaxStringLen] bytes of UTF-8 with no '.', '$', '#', white space or
	// control characters (it is a field name in every write); a host name
	// with hyphens for dots ("ctl-1-example-com") makes a good one.
	Id string

	// Namespace groups leases: clients with the same Collection and
	// Namespace share one set. A valid string, as for Id.
	Namespace string

	// Collection names the MongoDB collection that holds the leases, for
	// the package's exclusive use. A valid string, as for Id (the server
	// may refuse a long one: database, dot and collection in 255 bytes).
	Collection string

	// Mongo gives the client its collection and runs its transactions
	// ([NewMongo]). Required.
	Mongo Mongo

	// Clock is the client's only source of time: [SystemClock]{} for the
	// wall clock. Required. Clients sharing a namespace may disagree about
	// the time, but their clocks must run at the same rate.
	Clock Clock
}

// Validate returns an error describing the first problem with config, or
// nil, checking Id, Namespace, Collection, Mongo and Clock in that order.
// A bad string, or a Mongo whose transaction collection MongoDB cannot
// hold, matches [ErrInvalidArgument]. A nil pointer in Mongo or Clock, or
// a Mongo made from a nil database, is refused like a missing one.
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
