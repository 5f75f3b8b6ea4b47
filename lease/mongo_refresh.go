package lease

import (
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
// and how many more). A released lease needs no clock data. It runs the
// steps of a stepped refresh (mongo_refreshsteps.go) to the end, and
// abandons any stepped refresh in flight.
func (c *client) Refresh() error {
	s := c.beginRefresh(refreshBatch)
	for {
		if done, err := s.Step(); done {
			return err
		}
	}
}

// refreshBatch is how many lease documents a full refresh asks for per
// reply, and so reads a step, rather than the server's 101 first and a
// few hundred after, to save round trips; a reply is bounded by 16 MiB,
// and a lease document is about 150 bytes.
const refreshBatch = 1000

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
