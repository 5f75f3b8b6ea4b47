package lease

import (
	"time"

	"github.com/juju/errors"
	"gopkg.in/mgo.v2/txn"
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
)

// NewClient returns a [Client], which is also a [Reader], a [Revoker], a
// [SingleRefresher], a [ClockRefresher] and a [ReleaseWatcher], for the
// leases in config's namespace. It creates the namespace's clock document
// if it does not exist, and loads the current leases. It returns an error if config is
// invalid, if the store holds a corrupt document, or, matching
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
		cache: cache{
			entries: map[string]entry{},
			skews:   map[string]Skew{},
			writes:  map[string]int64{},
		},
	}
	if err := c.ensureClockDoc(); err != nil {
		return nil, errors.Trace(err)
	}
	if err := c.Refresh(); err != nil {
		return nil, errors.Trace(err)
	}
	return c, nil
}

// ClaimLease is part of the [Client] interface.
func (c *client) ClaimLease(name string, request Request) error {
	return c.write(name, request, claimOps)
}

// ExtendLease is part of the [Client] interface.
func (c *client) ExtendLease(name string, request Request) error {
	return c.write(name, request, extendOps)
}

// writeOps builds the ops of a claim or an extension: claimOps or
// extendOps.
type writeOps func(s scope, c cache, name string, request Request, now time.Time) ([]txn.Op, entry, error)

// write validates a claim or an extension, runs the transaction that build
// makes of it (refreshing before each retry), and caches the entry it
// wrote.
func (c *client) write(name string, request Request, build writeOps) error {
	if err := checkString("lease name", name); err != nil {
		return errors.Trace(err)
	}
	if err := request.Validate(); err != nil {
		return errors.Annotatef(err, "invalid request")
	}
	var next entry
	err := run(c.config.Mongo, func(attempt int) ([]txn.Op, error) {
		if err := c.refreshForRetry(name, attempt); err != nil {
			return nil, errors.Trace(err)
		}
		var ops []txn.Op
		var err error
		ops, next, err = build(c.scope, c.cache, name, request, c.config.Clock.Now())
		return ops, err
	})
	if err != nil {
		return err
	}
	c.cache.entries[name] = next
	return nil
}

// ExpireLease is part of the [Client] interface.
func (c *client) ExpireLease(name string) error {
	if err := checkString("lease name", name); err != nil {
		return errors.Trace(err)
	}
	err := run(c.config.Mongo, func(attempt int) ([]txn.Op, error) {
		if err := c.refreshForRetry(name, attempt); err != nil {
			return nil, errors.Trace(err)
		}
		return expireOps(c.scope, c.cache, name, c.config.Clock.Now())
	})
	if err != nil {
		return err
	}
	delete(c.cache.entries, name)
	return nil
}

// RevokeLease is part of the [Revoker] interface. It runs one transaction
// (retried, after reading that lease again, if the store changed under it)
// that records the client's clock and removes the lease document if holder
// still holds it.
func (c *client) RevokeLease(name, holder string) error {
	if err := checkString("lease name", name); err != nil {
		return errors.Trace(err)
	}
	if err := checkString("holder", holder); err != nil {
		return errors.Trace(err)
	}
	err := run(c.config.Mongo, func(attempt int) ([]txn.Op, error) {
		if err := c.refreshForRetry(name, attempt); err != nil {
			return nil, errors.Trace(err)
		}
		return revokeOps(c.scope, c.cache, name, holder, c.config.Clock.Now())
	})
	if err != nil {
		return err
	}
	delete(c.cache.entries, name)
	return nil
}

// refreshForRetry refreshes the named lease, and the clock document,
// before every attempt but the first: the first attempt trusts the cache,
// and a later one only happens because the store changed under it. Only
// that lease is read, so that a retry costs the same however many leases
// the namespace holds.
func (c *client) refreshForRetry(name string, attempt int) error {
	if attempt == 0 {
		return nil
	}
	return errors.Trace(c.RefreshLease(name))
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
