package lease

import (
	"github.com/juju/errors"
)

// client is the [Client] returned by [NewClient]: it stores leases in
// MongoDB and writes them with mgo/txn transactions.
type client struct {
	config ClientConfig
	scope  scope
	cache  cache
}

var (
	_ Client          = (*client)(nil)
	_ Reader          = (*client)(nil)
	_ Revoker         = (*client)(nil)
	_ SingleRefresher = (*client)(nil)
	_ ClockRefresher  = (*client)(nil)
	_ ReleaseWatcher  = (*client)(nil)
	_ Batcher         = (*client)(nil)
)

// NewClient returns a [Client], which is also a [Reader], a [Revoker], a
// [SingleRefresher], a [ClockRefresher], a [ReleaseWatcher] and a
// [Batcher], for the leases in config's namespace. It creates the
// namespace's shared clock document if it does not exist, and loads the current
// leases. It returns an error if config is invalid, if the store holds a corrupt document, or, matching
// [ErrTimeOutOfRange], if the clock reads a time the store cannot hold.
//
// A client needs no clean-up. It is not safe for concurrent use.
func NewClient(config ClientConfig) (Client, error) {
	if err := config.Validate(); err != nil {
		return nil, errors.Trace(err)
	}
	c := &client{
		config: config,
		scope: scope{
			collection: config.Collection,
			namespace:  config.Namespace,
			id:         config.Id,
		},
		cache: newCache(),
	}
	if err := c.ensureClockDoc(); err != nil {
		return nil, errors.Trace(err)
	}
	if err := c.Refresh(); err != nil {
		return nil, errors.Trace(err)
	}
	return c, nil
}

// ClaimLease is part of the [Client] interface. It runs one transaction
// (retried, after reading that lease again, if the store changed under
// it) that records the client's clock and writes the lease's holder and
// expiry: it creates the lease's document, asserting that there is none,
// or, for a released lease, updates it, asserting that its holder is
// empty.
func (c *client) ClaimLease(name string, request Request) error {
	if err := checkWrite(name, request); err != nil {
		return err
	}
	return c.applyOne(Op{Kind: OpClaim, Lease: name, Request: request})
}

// ExtendLease is part of the [Client] interface. It runs one transaction
// (retried as ClaimLease's) that records the client's clock and writes
// the lease's new expiry, asserting that its document is exactly the one
// cached.
func (c *client) ExtendLease(name string, request Request) error {
	if err := checkWrite(name, request); err != nil {
		return err
	}
	return c.applyOne(Op{Kind: OpExtend, Lease: name, Request: request})
}

// ExpireLease is part of the [Client] interface. It runs one transaction
// (retried as ClaimLease's) that releases the lease (empties its
// document's holder), asserting that its document is exactly the one
// cached, and records the client's clock.
func (c *client) ExpireLease(name string) error {
	if err := checkString("lease name", name); err != nil {
		return errors.Trace(err)
	}
	return c.applyOne(Op{Kind: OpExpire, Lease: name})
}

// RevokeLease is part of the [Revoker] interface. It runs one transaction
// (retried, after reading that lease again, if the store changed under it)
// that records the client's clock and releases the lease (empties its
// document's holder) if holder still holds it.
func (c *client) RevokeLease(name, holder string) error {
	if err := checkRevoke(name, holder); err != nil {
		return err
	}
	return c.applyOne(Op{Kind: OpRevoke, Lease: name, Request: Request{Holder: holder}})
}

// Leases is part of the [Client] interface.
func (c *client) Leases() map[string]Info {
	leases := make(map[string]Info, len(c.cache.entries))
	for name := range c.cache.entries {
		leases[name], _ = c.cache.info(c.scope, name)
	}
	return leases
}

// Lease is part of the [Reader] interface. It takes constant time, and does
// not read the store.
func (c *client) Lease(name string) (Info, bool) {
	return c.cache.info(c.scope, name)
}
