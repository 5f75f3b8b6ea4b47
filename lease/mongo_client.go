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
	// steps is the stepped refresh in flight, or nil.
	steps *refreshSteps
}

var (
	_ Client          = (*client)(nil)
	_ Reader          = (*client)(nil)
	_ Revoker         = (*client)(nil)
	_ SingleRefresher = (*client)(nil)
	_ ClockRefresher  = (*client)(nil)
	_ ReleaseWatcher  = (*client)(nil)
	_ Batcher         = (*client)(nil)
	_ StepRefresher   = (*client)(nil)
)

// NewClient returns a [Client], also a [Reader], [Revoker],
// [SingleRefresher], [ClockRefresher], [ReleaseWatcher], [Batcher] and
// [StepRefresher], for config's namespace. It creates the shared clock document if missing and
// loads the leases. It returns an error for an invalid config, a corrupt
// document, or a clock reading out of range ([ErrTimeOutOfRange]). A
// client needs no clean-up; it is not safe for concurrent use.
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

// ClaimLease is part of the [Client] interface: one transaction (retried
// after rereading the lease if the store changed under it) recording the
// client's clock and inserting the lease's document, asserting none, or
// updating a released one, asserting no holder.
func (c *client) ClaimLease(name string, request Request) error {
	if err := checkWrite(name, request); err != nil {
		return err
	}
	return c.applyOne(Op{Kind: OpClaim, Lease: name, Request: request})
}

// ExtendLease is part of the [Client] interface: one transaction (retried
// likewise) recording the clock and the new expiry, asserting the document
// is exactly as cached.
func (c *client) ExtendLease(name string, request Request) error {
	if err := checkWrite(name, request); err != nil {
		return err
	}
	return c.applyOne(Op{Kind: OpExtend, Lease: name, Request: request})
}

// ExpireLease is part of the [Client] interface: one transaction (retried
// likewise) emptying the holder, asserting the document is as cached.
func (c *client) ExpireLease(name string) error {
	if err := checkString("lease name", name); err != nil {
		return errors.Trace(err)
	}
	return c.applyOne(Op{Kind: OpExpire, Lease: name})
}

// RevokeLease is part of the [Revoker] interface: one transaction (retried
// likewise) emptying the holder if holder still holds the lease.
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

// Lease is part of the [Reader] interface: constant time, no store read.
func (c *client) Lease(name string) (Info, bool) {
	return c.cache.info(c.scope, name)
}
