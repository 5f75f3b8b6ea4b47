package lease

import (
	"time"

	"gopkg.in/mgo.v2/bson"
)

// cache is what a client knows of the leases in its namespace.
type cache struct {
	// entries holds the held leases, by name.
	entries map[string]entry
	// released holds the leases whose document is kept with no holder
	// (docs/design.md#released-leases): a claim updates it, where one of
	// a lease with no document inserts. Disjoint from entries.
	released map[string]bool
	// releasedTerms holds released leases' terms (see claimTerm).
	releasedTerms map[string]int64
	// termFloor is the highest term floor read or written.
	termFloor int64
	// skews holds each writer's Skew by id (the client's own: zero).
	skews map[string]Skew
	// writes holds each writer's count of transactions at that read.
	writes map[string]int64
	// releases is the count of releases at that read.
	releases int64
	// clocks is what the client knows of the clock documents.
	clocks clockDocs
	// touched holds the leases put since a stepped refresh began, nil
	// when none is in flight (see refreshSteps.install).
	touched map[string]bool
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

// info returns the named lease as the Client interface reports it, and
// whether it is held.
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

// put records the named lease as stored: no document if !doc, else e
// (released if its holder is empty), noting it in touched if a stepped
// refresh is in flight.
func (c cache) put(name string, e entry, doc bool) {
	if c.touched != nil {
		c.touched[name] = true
	}
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

// entry is what a client caches of one lease document (released if the
// holder is empty).
type entry struct {
	// holder is the lease's holder, or empty if the lease is released.
	holder string
	// expiry is on writer's clock; for a released lease, the release.
	expiry time.Time
	// writer is the Id of the client that last wrote the lease.
	writer string
	// term is the lease's term: 0 if written by an earlier version.
	term int64
	// write is the write id of the write that left the document so
	// (fieldWriteId): "" if written by an earlier version.
	write bson.ObjectId
}
