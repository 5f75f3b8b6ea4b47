package leasetest

import (
	"time"

	"github.com/juju/errors"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/internal/stored"
	"github.com/seed07a61904/leadership/lease"
)

// Client is one controller's [lease.Client] on a [Store], with its own id
// and cache. It also implements [lease.Reader], [lease.Revoker],
// [lease.SingleRefresher], [lease.ReleaseWatcher] and [lease.Batcher]; not
// [lease.ClockRefresher], since its clients share one clock. Create one
// with [Store.NewClient]. A Client is not safe for concurrent use.
type Client struct {
	store *Store
	id    string
	cache map[string]entry
	// releases is the store's count of releases at the client's last
	// RefreshReleases.
	releases int64
}

var (
	_ lease.Client          = (*Client)(nil)
	_ lease.Reader          = (*Client)(nil)
	_ lease.Revoker         = (*Client)(nil)
	_ lease.SingleRefresher = (*Client)(nil)
	_ lease.ReleaseWatcher  = (*Client)(nil)
)

// change is what an operation, decided from a cached entry, does to the
// store.
type change struct {
	// none means success with nothing written: an extension that would not
	// lengthen the lease.
	none   bool
	remove bool
	entry  entry
}

// decideFunc decides an operation from the cached entry for a lease (held
// is false if there is none) and the time. It returns lease.ErrInvalid if
// the operation is impossible.
type decideFunc func(last entry, held bool, now time.Time) (change, error)

// ClaimLease is part of the [lease.Client] interface.
func (c *Client) ClaimLease(name string, request lease.Request) error {
	if err := validate(name, &request); err != nil {
		return err
	}
	return c.run(name, c.claim(name, request))
}

// ExtendLease is part of the [lease.Client] interface.
func (c *Client) ExtendLease(name string, request lease.Request) error {
	if err := validate(name, &request); err != nil {
		return err
	}
	return c.run(name, c.extend(name, request))
}

// ExpireLease is part of the [lease.Client] interface.
func (c *Client) ExpireLease(name string) error {
	if err := validate(name, nil); err != nil {
		return err
	}
	return c.run(name, expire)
}

// RevokeLease is part of the [lease.Revoker] interface. Like the MongoDB
// client's, it removes the lease whatever its expiry, as long as holder
// holds it.
func (c *Client) RevokeLease(name, holder string) error {
	if err := validateRevoke(name, holder); err != nil {
		return err
	}
	return c.run(name, revoke(holder))
}

// claim decides a claim of the named lease: possible only if it is not
// held.
func (c *Client) claim(name string, request lease.Request) decideFunc {
	return func(_ entry, held bool, now time.Time) (change, error) {
		if held {
			return change{}, lease.ErrInvalid
		}
		expiry := now.Add(request.Duration)
		if err := stored.CheckRequestExpiry(expiry, name, now, request.Duration); err != nil {
			return change{}, err
		}
		return change{entry: entry{holder: request.Holder, expiry: expiry, writer: c.id}}, nil
	}
}

// extend decides an extension of the named lease: possible only by its
// holder, and never shortening it.
func (c *Client) extend(name string, request lease.Request) decideFunc {
	return func(last entry, held bool, now time.Time) (change, error) {
		if !held || last.holder != request.Holder {
			return change{}, lease.ErrInvalid
		}
		expiry := now.Add(request.Duration)
		if err := stored.CheckRequestExpiry(expiry, name, now, request.Duration); err != nil {
			return change{}, err
		}
		if expiry.Before(last.expiry) {
			return change{none: true}, nil
		}
		return change{entry: entry{holder: last.holder, expiry: expiry, writer: c.id, term: last.term}}, nil
	}
}

// expire decides an expiry: possible only once the clock is strictly
// after the lease's expiry.
func expire(last entry, held bool, now time.Time) (change, error) {
	if !held || !now.After(last.expiry) {
		return change{}, lease.ErrInvalid
	}
	return change{remove: true}, nil
}

// revoke decides a revocation by holder: possible only if holder holds
// the lease, whatever its expiry.
func revoke(holder string) decideFunc {
	return func(last entry, held bool, _ time.Time) (change, error) {
		if !held || last.holder != holder {
			return change{}, lease.ErrInvalid
		}
		return change{remove: true}, nil
	}
}

// run decides the operation from the cache. If that says it is impossible,
// or that nothing needs writing, it returns at once, without looking at the
// store. While the store is stopped it fails first (see Store.Stop).
// Otherwise it applies the change if the store still holds what the
// cache does; if it does not, it reloads the cache and decides again, with
// the store locked, so that the second decision is final. Before each
// decision, a clock reading the MongoDB client could not record is an
// ErrTimeOutOfRange error.
func (c *Client) run(name string, decide decideFunc) error {
	if err := c.store.reach(); err != nil {
		return err
	}
	last, held := c.cache[name]
	ch, err := c.decide(decide, last, held)
	if err != nil || ch.none {
		return err
	}
	c.store.transaction(func(reloaded *bool) {
		err = c.applyLocked(name, decide, last, held, ch, reloaded)
	})
	return err
}

// transaction counts one write transaction and runs f, its writes, with
// the store locked. reloaded starts false; applyLocked sets it once it has
// reloaded the cache, which it does at most once per transaction.
func (s *Store) transaction(f func(reloaded *bool)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.transactions++
	reloaded := false
	f(&reloaded)
}

// applyLocked applies ch, decided from the cached entry last (held false
// if there was none), if the store still holds that entry; if it does
// not, it decides again, finally, on the cache reloaded from the store
// (unless *reloaded says this transaction has reloaded it already: every
// write since went to both). The store must be locked.
func (c *Client) applyLocked(name string, decide decideFunc, last entry, held bool, ch change, reloaded *bool) error {
	s := c.store
	if stored, ok := s.leases[name]; ok != held || !stored.same(last) {
		if !*reloaded {
			c.cache = s.copyLocked(c.cache)
			*reloaded = true
		}
		last, held = c.cache[name]
		var err error
		if ch, err = c.decide(decide, last, held); err != nil || ch.none {
			return err
		}
	}
	if ch.remove {
		delete(s.leases, name)
		delete(c.cache, name)
		s.releases++
	} else {
		if !held {
			// A claim: the lease changes hands, in a new term, above
			// every term the store has given any lease.
			s.terms++
			ch.entry.term = s.terms
		}
		s.leases[name] = ch.entry
		c.cache[name] = ch.entry
	}
	return nil
}

// decide reads the clock and decides the operation at that time, unless
// the reading is out of the store's range.
func (c *Client) decide(decide decideFunc, last entry, held bool) (change, error) {
	now := c.store.clock.Now()
	if err := stored.CheckClockReading(now, c.id); err != nil {
		return change{}, err
	}
	return decide(last, held, now)
}

// Leases is part of the [lease.Client] interface.
func (c *Client) Leases() map[string]lease.Info {
	leases := make(map[string]lease.Info, len(c.cache))
	for name, e := range c.cache {
		leases[name] = info(name, e)
	}
	return leases
}

// Lease is part of the [lease.Reader] interface.
func (c *Client) Lease(name string) (lease.Info, bool) {
	e, ok := c.cache[name]
	if !ok {
		return lease.Info{}, false
	}
	return info(name, e), true
}

// Refresh is part of the [lease.Client] interface. Like the MongoDB
// client's, it fails, changing nothing, if the clock reads a time outside
// the store's range (an error matching [lease.ErrTimeOutOfRange]), or
// while the store is stopped (matching [lease.ErrUnavailable]: see
// [Store.Stop]); it never fails otherwise.
func (c *Client) Refresh() error {
	if err := c.store.reach(); err != nil {
		return err
	}
	if err := stored.CheckClockReading(c.store.clock.Now(), c.id); err != nil {
		return err
	}
	c.cache = c.store.snapshot(c.cache)
	return nil
}

// info returns what a client reports of a cached lease. Its AssertOp, like
// the MongoDB client's, asserts only the holder.
func info(name string, e entry) lease.Info {
	return lease.Info{
		Holder: e.holder,
		Expiry: e.expiry,
		AssertOp: txn.Op{
			C:      Collection,
			Id:     name,
			Assert: bson.D{{Name: "holder", Value: e.holder}},
		},
		Term: e.term,
		TermAssertOp: txn.Op{
			C:      Collection,
			Id:     name,
			Assert: bson.D{{Name: "holder", Value: e.holder}, {Name: "term", Value: e.term}},
		},
	}
}

// validateRevoke checks a revocation's lease name, then its holder.
func validateRevoke(name, holder string) error {
	if err := validate(name, nil); err != nil {
		return err
	}
	return stored.CheckString("holder", holder)
}

// validate checks a lease name and, if it is not nil, a request, with the
// MongoDB client's rules and messages.
func validate(name string, request *lease.Request) error {
	if err := stored.CheckString("lease name", name); err != nil {
		return err
	}
	if request != nil {
		if err := request.Validate(); err != nil {
			return errors.Annotate(err, "invalid request")
		}
	}
	return nil
}

// RefreshLease is part of the [lease.SingleRefresher] interface: it
// reloads the named lease only. Like Refresh, it fails, changing nothing,
// on an invalid name or a clock reading outside the store's range (an
// error matching [lease.ErrTimeOutOfRange]) or while the store is stopped
// ([lease.ErrUnavailable]), and never otherwise.
func (c *Client) RefreshLease(name string) error {
	if err := validate(name, nil); err != nil {
		return err
	}
	if err := c.store.reach(); err != nil {
		return err
	}
	if err := stored.CheckClockReading(c.store.clock.Now(), c.id); err != nil {
		return err
	}
	e, held := c.store.lease(name)
	if c.cache == nil {
		c.cache = make(map[string]entry)
	}
	if held {
		c.cache[name] = e
	} else {
		delete(c.cache, name)
	}
	return nil
}
