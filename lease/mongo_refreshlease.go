package lease

import (
	"github.com/juju/errors"
	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
)

// RefreshLease is part of the [SingleRefresher] interface. It reads the
// lease's document first and the clock documents second, as Refresh does
// and for the same reason, so that it costs two reads, however many
// leases the namespace holds.
func (c *client) RefreshLease(name string) error {
	if err := checkString("lease name", name); err != nil {
		return errors.Trace(err)
	}
	collection, closer := c.config.Mongo.GetCollection(c.config.Collection)
	defer closer()

	e, doc, err := readEntry(collection, c.config.Namespace, name)
	if err != nil {
		return errors.Trace(err)
	}
	view, err := c.readClocks(collection)
	if err != nil {
		return errors.Trace(err)
	}
	if held := doc && e.holder != ""; held && !hasSkew(view.skews, e.writer) {
		return corrupt(errors.Errorf("lease %q invalid: no clock data for %s", name, e.writer))
	}
	c.keepClocks(view)
	c.cache.put(name, e, doc)
	return nil
}

// RefreshClocks is part of the [ClockRefresher] interface. It reads the
// namespace's clock documents (the shared one, and one per client that
// has written) with one query, as findClockDocs does.
func (c *client) RefreshClocks() error {
	collection, closer := c.config.Mongo.GetCollection(c.config.Collection)
	defer closer()

	view, err := c.readClocks(collection)
	if err != nil {
		return errors.Trace(err)
	}
	c.keepClocks(view)
	return nil
}

// readEntry reads the named lease's document by its _id, and returns its
// entry (with an empty holder if the lease is released) and whether there
// is a document. A document that is corrupt, or that records another
// lease, is an error.
func readEntry(collection *mgo.Collection, namespace, name string) (entry, bool, error) {
	var raw bson.Raw
	err := collection.FindId(leaseDocId(namespace, name)).One(&raw)
	switch {
	case err == mgo.ErrNotFound:
		return entry{}, false, nil
	case err != nil:
		return entry{}, false, errors.Annotatef(storeError(err), "cannot read lease document")
	}
	got, e, err := decodeLeaseDoc(raw)
	if err != nil {
		return entry{}, false, errors.Trace(err)
	}
	if got != name {
		return entry{}, false, corrupt(errors.Errorf("corrupt lease document %q: records lease %q", rawId(raw), got))
	}
	return e, true, nil
}
