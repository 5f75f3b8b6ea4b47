package lease

import "time"

// cache is what a client knows of the leases in its namespace.
type cache struct {
	// entries holds the held leases, by name.
	entries map[string]entry
	// skews holds what is known of each writer's clock, by client id. The
	// client's own id maps to the zero Skew.
	skews map[string]Skew
	// writes holds how many transactions each writer had run when the
	// skews were read, by client id.
	writes map[string]int64
	// releases is the clock document's count of releases when the skews
	// were read (see ReleaseWatcher).
	releases int64
}

// info returns what the cache says about the named lease, as the Client
// interface reports it, and whether the lease is held.
func (c cache) info(s scope, name string) (Info, bool) {
	e, found := c.entries[name]
	if !found {
		return Info{}, false
	}
	return Info{
		Holder:   e.holder,
		Expiry:   c.skews[e.writer].Latest(e.expiry),
		AssertOp: s.assertHolderOp(name, e.holder),
	}, true
}

// entry is what a client caches of one held lease.
type entry struct {
	// holder is the lease's holder.
	holder string
	// expiry is when the lease expires, on writer's clock.
	expiry time.Time
	// writer is the Id of the client that last wrote the lease.
	writer string
}
