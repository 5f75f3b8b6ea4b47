package lease

import (
	"github.com/juju/errors"
)

// ClientConfig holds what [NewClient] needs. Every field is required; none
// has a default, and NewClient never changes the caller's value.
type ClientConfig struct {
	// Id identifies the client among all clients that use the same
	// Collection and Namespace. No two clients that run at the same time
	// may share an Id. It must be a valid string: not empty, and without
	// '.', '$', '#', spaces, tabs or line breaks.
	Id string

	// Namespace groups leases: clients with the same Collection and
	// Namespace collaborate on one set of leases. It must be a valid
	// string, as for Id.
	Namespace string

	// Collection names the MongoDB collection that holds the leases. The
	// package needs exclusive use of it. It must be a valid string, as for
	// Id.
	Collection string

	// Mongo gives the client its collection and runs its transactions.
	// It must not be nil. See [NewMongo].
	Mongo Mongo

	// Clock is the only source of time the client uses. It must not be
	// nil. Clients that share a namespace may disagree about the time, but
	// their clocks must run at the same rate.
	Clock Clock
}

// Validate returns an error describing the first problem with config, or
// nil. It checks Id, Namespace, Collection, Mongo and Clock, in that order.
func (config ClientConfig) Validate() error {
	if err := validateString(config.Id); err != nil {
		return errors.Annotatef(err, "invalid id")
	}
	if err := validateString(config.Namespace); err != nil {
		return errors.Annotatef(err, "invalid namespace")
	}
	if err := validateString(config.Collection); err != nil {
		return errors.Annotatef(err, "invalid collection")
	}
	if config.Mongo == nil {
		return errors.New("missing mongo")
	}
	if config.Clock == nil {
		return errors.New("missing clock")
	}
	return nil
}
