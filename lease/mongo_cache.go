package lease

import "time"

// cache is what a client knows of the leases in its namespace.
type cache struct {
	// entries holds the held leases, by name.
	entries map[string]entry
	// released holds the names of the leases whose document is kept,
	// with no holder (see docs/design.md#released-leases): a claim
	// of one of them updates its document, where a claim of a lease
	// with no document inserts one. No name is in both entries and
	// released.
	released map[string]bool
	// releasedTerms holds the term of each released lease whose
	// document has one (see claimTerm).
	releasedTerms map[string]int64
	// termFloor is the namespace's term floor (see fieldTerms), the
	// highest read or written by the client.
	termFloor int64
	// skews holds what is known of each writer's clock, by client id. The
	// client's own id maps to the zero Skew.
	skews map[string]Skew
	// writes holds how many transactions each writer had run when the
	// skews were read, by client id.
	writes map[string]int64
	// releases is the namespace's count of releases when the skews were
	// read (see ReleaseWatcher).
	releases int64
	// clocks is what the client knows of the namespace's clock
	// documents.
	clocks clockDocs
}

// newCache returns an empty cache.
func newCache() cache {
	return cache{
		entries:       map[string]entry{},
		released:      map[string]bool{},
		releasedTerms: map[string]int64{},
		skews:         map[string]Skew{},
		writes:        map[string]int64{},
	}
}

// info returns what the cache says about the named lease, as the Client
// interface reports it, and whether the lease is held.
func (c cache) info(s scope, name string) (Info, bool) {
	e, found := c.entries[name]
	if !found {
		return Info{}, false
	}
	return Info{
		Holder:       e.holder,
		Expiry:       c.skews[e.writer].Latest(e.expiry),
		AssertOp:     s.assertHolderOp(name, e.holder),
		Term:         e.term,
		TermAssertOp: s.assertTermOp(name, e.holder, e.term),
	}, true
}

// put records what the store holds of the named lease: no document if
// doc is false, and otherwise e, released if its holder is empty.
func (c cache) put(name string, e entry, doc bool) {
	delete(c.entries, name)
	delete(c.released, name)
	delete(c.releasedTerms, name)
	switch {
	case !doc:
	case e.holder == "":
		c.released[name] = true
		if e.term != 0 {
			c.releasedTerms[name] = e.term
		}
	default:
		c.entries[name] = e
	}
}

// entry is what a client caches of one lease document: a held lease, or,
// with an empty holder, a released one.
type entry struct {
	// holder is the lease's holder, or empty if the lease is released.
	holder string
	// expiry is when the lease expires, on writer's clock; for a
	// released lease, when it was released.
	expiry time.Time
	// writer is the Id of the client that last wrote the lease.
	writer string
	// term is the lease's term (see fieldTerm): 0 if its document was
	// written by an earlier version.
	term int64
}
