// Package mgoread reads documents through mgo.v2 with the find and getMore
// commands, one reply at a time, in place of mgo's iterator.
//
// mgo.v2's iterator (Query.Iter, and Query.All, which uses it) deadlocks
// when the connection it reads from has died by the time it asks for the
// next reply: Iter.getMore holds the iterator's lock while it sends, and
// a dead socket fails the send by calling the iterator's reply function
// at once, which waits for the same lock. The goroutine never returns; a
// lease manager whose loop made the read could not even be killed. The
// bug is MGO-156, fixed in 10gen/mgo pull request 17 and never in
// gopkg.in/mgo.v2. A command sent with Database.Run fails at once on a
// dead connection instead, so every read of the library that may need
// more than one reply goes through [Each] or [All]; make check's mgoiter
// target keeps mgo's iterator out of non-test code. The tests, which need
// a server, are in integration/mgoread.
package mgoread

import (
	"fmt"

	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
)

// Query is what [Each] asks the find command for.
type Query struct {
	// Filter selects the documents; nil selects all.
	Filter interface{}
	// Projection selects their fields; nil returns whole documents.
	Projection interface{}
	// Sort orders them, as {field: 1 or -1, ...}; nil leaves the order
	// to the server.
	Sort bson.D
	// Limit caps how many are returned; 0 sets no cap. It is never
	// negative: mgo's Query.Limit(-n), one reply of at most n documents,
	// has no counterpart here, and the find command refuses a negative
	// limit.
	Limit int
	// Batch caps how many documents one reply holds; 0 leaves it to the
	// server (101 in the first reply, then up to 16 MiB). It is never
	// negative.
	Batch int
}

// cursorReply is the reply of a find or a getMore command.
type cursorReply struct {
	Cursor struct {
		Id         int64      `bson:"id"`
		FirstBatch []bson.Raw `bson:"firstBatch"`
		NextBatch  []bson.Raw `bson:"nextBatch"`
	} `bson:"cursor"`
}

// Each runs q on coll with a find command, and getMore commands until the
// cursor is exhausted, and calls fn on each document, in the order the
// server returns them. It returns the error of the first command that
// fails (mgo's, unclassified: a dead connection's, or a *mgo.QueryError
// such as CursorNotFound, code 43, for a cursor the server lost), or fn's
// first error, after asking the server to close the cursor (not waiting
// to learn whether it did: a server forgets an idle cursor in time).
// A negative Limit or Batch is an error, and sends nothing.
func Each(coll *mgo.Collection, q Query, fn func(bson.Raw) error) error {
	if q.Limit < 0 || q.Batch < 0 {
		return fmt.Errorf("mgoread: invalid query of %q: Limit %d and Batch %d must not be negative", coll.Name, q.Limit, q.Batch)
	}
	find := bson.D{{Name: "find", Value: coll.Name}}
	if q.Filter != nil {
		find = append(find, bson.DocElem{Name: "filter", Value: q.Filter})
	}
	if q.Projection != nil {
		find = append(find, bson.DocElem{Name: "projection", Value: q.Projection})
	}
	if q.Sort != nil {
		find = append(find, bson.DocElem{Name: "sort", Value: q.Sort})
	}
	if q.Limit > 0 {
		find = append(find, bson.DocElem{Name: "limit", Value: q.Limit})
	}
	if q.Batch > 0 {
		find = append(find, bson.DocElem{Name: "batchSize", Value: q.Batch})
	}
	var reply cursorReply
	if err := coll.Database.Run(find, &reply); err != nil {
		return err
	}
	docs, cursor := reply.Cursor.FirstBatch, reply.Cursor.Id
	for {
		for _, raw := range docs {
			if err := fn(raw); err != nil {
				if cursor != 0 {
					kill := bson.D{{Name: "killCursors", Value: coll.Name}, {Name: "cursors", Value: []int64{cursor}}}
					_ = coll.Database.Run(kill, nil)
				}
				return err
			}
		}
		if cursor == 0 {
			return nil
		}
		more := bson.D{{Name: "getMore", Value: cursor}, {Name: "collection", Value: coll.Name}}
		if q.Batch > 0 {
			more = append(more, bson.DocElem{Name: "batchSize", Value: q.Batch})
		}
		reply = cursorReply{}
		if err := coll.Database.Run(more, &reply); err != nil {
			return err
		}
		docs, cursor = reply.Cursor.NextBatch, reply.Cursor.Id
	}
}

// All is [Each] decoding every document into a T, returned in order. It
// decodes as mgo's Query.All does, with bson.Unmarshal's rules: a bson.Raw
// keeps the document as stored, and a field whose value has another type
// is left unset. A document that is not valid BSON ends the read with the
// decoder's error.
func All[T any](coll *mgo.Collection, q Query) ([]T, error) {
	var out []T
	err := Each(coll, q, func(raw bson.Raw) error {
		var v T
		if err := raw.Unmarshal(&v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}
