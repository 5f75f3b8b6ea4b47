package lease

import (
	"time"

	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/internal/stored"
)

// ownClockDoc is a client's own clock document as its first transaction
// inserts it (see clockDoc, which reads it).
type ownClockDoc struct {
	Id        string           `bson:"_id"`
	Type      string           `bson:"type"`
	Namespace string           `bson:"namespace"`
	Writer    string           `bson:"writer"`
	Writers   map[string]int64 `bson:"writers"`
	Writes    map[string]int64 `bson:"writes"`
	Releases  int64            `bson:"releases,omitempty"`
	Terms     int64            `bson:"terms,omitempty"`
}

// clockOps returns the clock documents' ops of a transaction applying
// writes at now (docs/design.md#clock-documents). The first, often the
// only one, is on the client's own clock document: it records now,
// aborting if a later time is recorded (a stale transaction, a clock
// stepped back); counts the transaction, so readers see a write at a time
// recorded before; adds the releases; and raises the term floor to the
// highest term claimed. The first transaction inserts that document,
// continuing what the shared one records of the client, and counts it
// there.
//
// A claim whose term comes from the floor also asserts every clock
// document's floor is below that term, and the shared count of clock
// documents is the one read, so no term is written twice; it raises each
// floor (a write, not only an assertion, so mgo/txn drains the queues of
// documents no one else writes). It returns ErrTimeOutOfRange, and no ops,
// if now cannot be stored: every transaction gets the check.
func (s scope) clockOps(docs clockDocs, now time.Time, writes []leaseWrite) ([]txn.Op, error) {
	if err := stored.CheckClockReading(now, s.id); err != nil {
		return nil, err
	}
	var releases int64
	for _, w := range writes {
		if w.release {
			releases++
		}
	}
	highest, lowestFromFloor := claimedTerms(writes)
	timeKey := fieldWriters + "." + s.id
	writesKey := fieldWrites + "." + s.id
	dbNow := toInt64(now)

	own := txn.Op{C: s.collection, Id: writerClockDocId(s.namespace, s.id)}
	var shared []bson.D
	var sharedUpdate interface{}
	if docs.own {
		inc := bson.D{{Name: writesKey, Value: int64(1)}}
		if releases > 0 {
			inc = append(inc, bson.DocElem{Name: fieldReleases, Value: releases})
		}
		update := bson.D{
			{Name: "$set", Value: bson.D{{Name: timeKey, Value: dbNow}}},
			{Name: "$inc", Value: inc},
		}
		if highest > 0 {
			update = append(update, bson.DocElem{Name: "$max", Value: bson.D{{Name: fieldTerms, Value: highest}}})
		}
		own.Update = update
		own.Assert = bson.D{{Name: timeKey, Value: bson.D{{Name: "$lte", Value: dbNow}}}}
		if lowestFromFloor > 0 {
			own.Assert = bson.D{{Name: "$and", Value: []bson.D{own.Assert.(bson.D), belowOrMissing(fieldTerms, lowestFromFloor)}}}
		}
	} else {
		own.Assert = txn.DocMissing
		own.Insert = ownClockDoc{
			Id:        writerClockDocId(s.namespace, s.id),
			Type:      typeClock,
			Namespace: s.namespace,
			Writer:    s.id,
			Writers:   map[string]int64{s.id: dbNow},
			Writes:    map[string]int64{s.id: docs.sharedWrites + 1},
			Releases:  releases,
			Terms:     highest,
		}
		shared = append(shared,
			bson.D{{Name: "$or", Value: []bson.D{
				{{Name: timeKey, Value: bson.D{{Name: "$lte", Value: dbNow}}}},
				{{Name: timeKey, Value: bson.D{{Name: "$exists", Value: false}}}},
			}}},
			countIs(writesKey, docs.sharedWrites),
		)
		sharedUpdate = bson.D{{Name: "$inc", Value: bson.D{{Name: fieldClocks, Value: int64(1)}}}}
	}
	ops := []txn.Op{own}
	raise := bson.DocElem{Name: "$max", Value: bson.D{{Name: fieldTerms, Value: highest}}}
	if lowestFromFloor > 0 {
		shared = append(shared, belowOrMissing(fieldTerms, lowestFromFloor), countIs(fieldClocks, docs.created))
		if sharedUpdate == nil {
			sharedUpdate = bson.D{raise}
		} else {
			sharedUpdate = append(sharedUpdate.(bson.D), raise)
		}
	}
	if len(shared) > 0 {
		ops = append(ops, txn.Op{
			C:      s.collection,
			Id:     clockDocId(s.namespace),
			Assert: bson.D{{Name: "$and", Value: shared}},
			Update: sharedUpdate,
		})
	}
	if lowestFromFloor > 0 {
		for _, other := range docs.others {
			ops = append(ops, txn.Op{
				C:      s.collection,
				Id:     writerClockDocId(s.namespace, other),
				Assert: belowOrMissing(fieldTerms, lowestFromFloor),
				Update: bson.D{raise},
			})
		}
	}
	return ops, nil
}

// belowOrMissing returns the query that matches a document whose field
// is below v, or missing.
func belowOrMissing(field string, v int64) bson.D {
	return bson.D{{Name: "$or", Value: []bson.D{
		{{Name: field, Value: bson.D{{Name: "$lt", Value: v}}}},
		{{Name: field, Value: bson.D{{Name: "$exists", Value: false}}}},
	}}}
}

// countIs returns the query that matches a document whose count field is
// n, as the client reads it: missing reads as zero.
func countIs(field string, n int64) bson.D {
	if n != 0 {
		return bson.D{{Name: field, Value: n}}
	}
	return bson.D{{Name: "$or", Value: []bson.D{
		{{Name: field, Value: int64(0)}},
		{{Name: field, Value: bson.D{{Name: "$exists", Value: false}}}},
	}}}
}
