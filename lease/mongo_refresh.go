package lease

import (
	"fmt"
	"sort"

	"github.com/juju/errors"
	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"
)

// Refresh is part of the [Client] interface. It reads the lease documents,
// then the clock documents, which are therefore at least as recent as each
// lease's writer (every transaction writes its time before the lease). A
// store error ([ErrUnavailable]), a corrupt or missing clock document, or
// a clock reading out of range leaves the cache as it was. A corrupt lease
// document, or a lease whose writer has no clock time, is left out while
// the others load, and Refresh returns [ErrCorrupt] naming it (the first,
// and how many more). A released lease needs no clock data.
func (c *client) Refresh() error {
	collection, closer := c.config.Mongo.GetCollection(c.config.Collection)
	defer closer()

	entries, releasedTerms, damaged, err := readEntries(collection, c.config.Namespace)
	if err != nil {
		return errors.Trace(err)
	}
	view, err := c.readClocks(collection)
	if err != nil {
		return errors.Trace(err)
	}
	skews := view.skews
	names := make([]string, 0, len(entries))
	for name := range entries {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		writer := entries[name].writer
		if _, found := skews[writer]; !found {
			damaged = append(damaged, corrupt(errors.Errorf("lease %q invalid: no clock data for %s", name, writer)))
			delete(entries, name)
		}
	}
	released := make(map[string]bool, len(releasedTerms))
	for name, term := range releasedTerms {
		released[name] = true
		if term == 0 {
			delete(releasedTerms, name)
		}
	}
	c.cache = cache{
		entries: entries, released: released, releasedTerms: releasedTerms,
		skews: skews, writes: view.writes, releases: view.releases,
		termFloor: maxTerm(c.cache.termFloor, view.floor),
		clocks:    view.docs,
	}
	switch len(damaged) {
	case 0:
		return nil
	case 1:
		return damaged[0]
	}
	return corrupt(fmt.Errorf("%w (and %d more corrupt lease documents)", damaged[0], len(damaged)-1))
}

// refreshBatch is how many lease documents a full refresh asks for per
// reply, rather than the server's 101 first and a few hundred after, to
// save round trips; a reply is bounded by 16 MiB, and a lease document is
// about 150 bytes.
const refreshBatch = 1000

// refreshPrefetch is the fraction of a reply left when the next is asked
// for (mgo's Query.Prefetch), so reading overlaps decoding.
const refreshPrefetch = 0.5

// readEntries reads every lease document of the namespace and returns the
// held leases by name, the released ones with their terms, and an error
// per corrupt document (left out); it fails if the store cannot be read.
func readEntries(collection *mgo.Collection, namespace string) (map[string]entry, map[string]int64, []error, error) {
	query := bson.D{
		{Name: fieldType, Value: typeLease},
		{Name: fieldNamespace, Value: namespace},
	}
	iter := collection.Find(query).Batch(refreshBatch).Prefetch(refreshPrefetch).Iter()
	entries := map[string]entry{}
	released := map[string]int64{}
	var damaged []error
	var raw bson.Raw
	for iter.Next(&raw) {
		name, e, err := decodeLeaseDoc(raw)
		switch {
		case err != nil:
			damaged = append(damaged, err)
		case e.holder == "":
			released[name] = e.term
		default:
			entries[name] = e
		}
	}
	if err := iter.Close(); err != nil {
		return nil, nil, nil, errors.Annotatef(storeError(err), "cannot read lease documents")
	}
	return entries, released, damaged, nil
}

// ensureClockDoc creates the namespace's clock document unless it exists,
// and checks it if it does.
func (c *client) ensureClockDoc() error {
	return run(c.config.Mongo, func(int) ([]txn.Op, error) {
		collection, closer := c.config.Mongo.GetCollection(c.config.Collection)
		defer closer()
		var raw bson.Raw
		err := collection.FindId(clockDocId(c.config.Namespace)).One(&raw)
		switch {
		case err == mgo.ErrNotFound:
			return createClockOps(c.scope), nil
		case err != nil:
			return nil, errors.Annotatef(storeError(err), "cannot read clock document")
		}
		if _, _, err := decodeClockDoc(raw); err != nil {
			return nil, errors.Trace(err)
		}
		return nil, errNoOperations
	})
}
