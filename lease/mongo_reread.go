package lease

import (
	"github.com/juju/errors"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/mgoread"
)

// rereadLeases brings the named leases up to date in the cache after an
// aborted transaction, as RefreshLease does for one: their documents
// first, then the clock documents, and the skews with them. It returns, by
// name, the error of each lease that could not be read, whose cache entry
// is left as it was: every lease gets the error of a read that failed
// (ErrUnavailable, or a corrupt clock document), and a corrupt lease
// document, or one whose writer has no clock data, is its lease's alone.
// One lease is read by its _id, as RefreshLease reads it; several, with
// one query.
func (c *client) rereadLeases(names []string) map[string]error {
	failed := map[string]error{}
	if len(names) == 1 {
		if err := c.RefreshLease(names[0]); err != nil {
			failed[names[0]] = err
		}
		return failed
	}
	collection, closer := c.config.Mongo.GetCollection(c.config.Collection)
	defer closer()

	byId := make(map[string]string, len(names))
	ids := make([]string, len(names))
	for i, name := range names {
		ids[i] = leaseDocId(c.config.Namespace, name)
		byId[ids[i]] = name
	}
	found := map[string]entry{}
	readErr := mgoread.Each(collection, mgoread.Query{Filter: bson.D{{Name: "_id", Value: bson.D{{Name: "$in", Value: ids}}}}}, func(raw bson.Raw) error {
		id := rawId(raw)
		name, ours := byId[id]
		if !ours {
			return nil
		}
		got, e, err := decodeLeaseDoc(raw)
		if err == nil && got != name {
			err = corrupt(errors.Errorf("corrupt lease document %q: records lease %q", id, got))
		}
		if err != nil {
			failed[name] = err
			return nil
		}
		found[name] = e
		return nil
	})
	if readErr != nil {
		readErr = errors.Annotatef(cursorError(readErr), "cannot read lease documents")
	}
	var view clockView
	if readErr == nil {
		view, readErr = c.readClocks(collection)
	}
	if readErr != nil {
		for _, name := range names {
			failed[name] = readErr
		}
		return failed
	}
	c.keepClocks(view)
	for _, name := range names {
		e, doc := found[name]
		switch {
		case failed[name] != nil:
		case doc && e.holder != "" && !hasSkew(view.skews, e.writer):
			failed[name] = corrupt(errors.Errorf("lease %q invalid: no clock data for %s", name, e.writer))
		default:
			c.cache.put(name, e, doc)
		}
	}
	return failed
}

// hasSkew reports whether skews has clock data for writer.
func hasSkew(skews map[string]Skew, writer string) bool {
	_, found := skews[writer]
	return found
}
