package lease

import (
	stderrors "errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"
)

type ClockOpsSuite struct{}

var _ = gc.Suite(&ClockOpsSuite{})

// TestUpdatesOwnDocumentOnly: a transaction of a client whose own clock
// document exists, that takes no term from the floor, has one clock op,
// on that document, whatever the other writers: no two clients'
// transactions on different leases share a document.
func (s *ClockOpsSuite) TestUpdatesOwnDocumentOnly(c *gc.C) {
	docs := clockDocs{own: true, others: []string{"a", "b"}, created: 3}
	held := entry{holder: "h", expiry: zero, writer: "a", term: 4}
	extend := leaseWrite{name: "x", held: true, last: held}
	release := leaseWrite{name: "y", release: true, held: true, last: held}
	keptClaim := leaseWrite{name: "z", claim: true, next: entry{term: 5}}
	ops, err := testScope.clockOps(docs, zero, []leaseWrite{extend, release, keptClaim})
	c.Assert(err, jc.ErrorIsNil)
	c.Check(ops, jc.DeepEquals, []txn.Op{{
		C:      "leases",
		Id:     "clock#ns#me#",
		Assert: d("writers.me", d("$lte", zero.UnixNano())),
		Update: d(
			"$set", d("writers.me", zero.UnixNano()),
			"$inc", d("writes.me", int64(1), "releases", int64(1)),
			"$max", d("terms", int64(5)),
		),
	}})
}

// TestFirstTransactionCreatesOwnDocument: a client's first transaction
// inserts its own clock document, continuing the count the shared one
// has of it, and asserts on the shared one what an earlier version's
// transaction with the same id would have: that the client recorded no
// later time there, and the count read; it counts the new document there.
func (s *ClockOpsSuite) TestFirstTransactionCreatesOwnDocument(c *gc.C) {
	docs := clockDocs{sharedWrites: 7, others: []string{"a"}, created: 1}
	release := leaseWrite{name: "y", release: true}
	keptClaim := leaseWrite{name: "z", claim: true, next: entry{term: 5}}
	ops, err := testScope.clockOps(docs, zero, []leaseWrite{release, keptClaim})
	c.Assert(err, jc.ErrorIsNil)
	c.Check(ops, jc.DeepEquals, []txn.Op{{
		C:      "leases",
		Id:     "clock#ns#me#",
		Assert: txn.DocMissing,
		Insert: ownClockDoc{
			Id: "clock#ns#me#", Type: "clock", Namespace: "ns", Writer: "me",
			Writers: map[string]int64{"me": zero.UnixNano()}, Writes: map[string]int64{"me": 8},
			Releases: 1, Terms: 5,
		},
	}, {
		C:  "leases",
		Id: "clock#ns#",
		Assert: d("$and", []bson.D{
			d("$or", []bson.D{d("writers.me", d("$lte", zero.UnixNano())), d("writers.me", d("$exists", false))}),
			d("writes.me", int64(7)),
		}),
		Update: d("$inc", d("clocks", int64(1))),
	}})
	// What it inserts reads back as the client's own clock document.
	r, err := decodeClockRecord(raw(ops[0].Insert))
	c.Assert(err, jc.ErrorIsNil)
	c.Check(r.writer, gc.Equals, "me")
	c.Check(r.writes, jc.DeepEquals, map[string]int64{"me": 8})
	c.Check(r.writers["me"].Equal(zero), jc.IsTrue)
	c.Check(r.releases, gc.Equals, int64(1))
	c.Check(r.terms, gc.Equals, int64(5))
}

// TestTermFromFloorAssertsEveryClockDocument: a claim whose term comes
// from the floor asserts, of every clock document read, that its floor
// is below the lowest such term, and of the shared one that no other
// client has created its own since; it raises each floor to the highest
// term it claims.
func (s *ClockOpsSuite) TestTermFromFloorAssertsEveryClockDocument(c *gc.C) {
	docs := clockDocs{own: true, others: []string{"a", "b"}, created: 3}
	claims := []leaseWrite{
		{name: "x", claim: true, fromFloor: true, next: entry{term: 9}},
		{name: "y", claim: true, fromFloor: true, next: entry{term: 9}},
		{name: "z", claim: true, next: entry{term: 12}},
	}
	ops, err := testScope.clockOps(docs, zero, claims)
	c.Assert(err, jc.ErrorIsNil)
	below := d("$or", []bson.D{d("terms", d("$lt", int64(9))), d("terms", d("$exists", false))})
	raise := d("$max", d("terms", int64(12)))
	c.Check(ops, jc.DeepEquals, []txn.Op{{
		C:      "leases",
		Id:     "clock#ns#me#",
		Assert: d("$and", []bson.D{d("writers.me", d("$lte", zero.UnixNano())), below}),
		Update: d(
			"$set", d("writers.me", zero.UnixNano()),
			"$inc", d("writes.me", int64(1)),
			"$max", d("terms", int64(12)),
		),
	}, {
		C:      "leases",
		Id:     "clock#ns#",
		Assert: d("$and", []bson.D{below, d("clocks", int64(3))}),
		Update: raise,
	}, {
		C: "leases", Id: "clock#ns#a#", Assert: below, Update: raise,
	}, {
		C: "leases", Id: "clock#ns#b#", Assert: below, Update: raise,
	}})
}

// TestMergeClocks: each writer's time and count come from its own clock
// document if it has one, else from the shared one; the counts of
// releases add up, and the term floor is the highest.
func (s *ClockOpsSuite) TestMergeClocks(c *gc.C) {
	at := func(d time.Duration) time.Time { return zero.Add(d) }
	records := []clockRecord{{
		writer:   "b",
		writers:  map[string]time.Time{"b": at(3 * time.Second)},
		writes:   map[string]int64{"b": 10},
		releases: 2, terms: 7,
	}, {
		writers:  map[string]time.Time{"a": at(time.Second), "b": at(5 * time.Second), "me": at(0)},
		writes:   map[string]int64{"a": 4, "b": 9, "me": 6},
		releases: 5, terms: 8, clocks: 2,
	}, {
		writer:   "me",
		writers:  map[string]time.Time{"me": at(2 * time.Second)},
		writes:   map[string]int64{"me": 7},
		releases: 1, terms: 3,
	}}
	writers, writes, view := mergeClocks("me", records)
	c.Check(writers, jc.DeepEquals, map[string]time.Time{"a": at(time.Second), "b": at(3 * time.Second), "me": at(2 * time.Second)})
	c.Check(writes, jc.DeepEquals, map[string]int64{"a": 4, "b": 10, "me": 7})
	c.Check(view.releases, gc.Equals, int64(8))
	c.Check(view.floor, gc.Equals, int64(8))
	c.Check(view.docs, jc.DeepEquals, clockDocs{own: true, sharedWrites: 6, others: []string{"b"}, created: 2})
}

// TestDecodeWriterClockDocument: a client's own clock document records
// that client alone, under its own _id.
func (s *ClockOpsSuite) TestDecodeWriterClockDocument(c *gc.C) {
	doc := func(id, writer string, writers, writes bson.M) bson.Raw {
		return raw(bson.M{"_id": id, "type": "clock", "namespace": "ns", "writer": writer, "writers": writers, "writes": writes})
	}
	for i, t := range []struct {
		about string
		doc   bson.Raw
		err   string
	}{{
		about: "valid",
		doc:   doc("clock#ns#w#", "w", bson.M{"w": int64(1)}, bson.M{"w": int64(2)}),
	}, {
		about: "another writer's _id",
		doc:   doc("clock#ns#v#", "w", bson.M{"w": int64(1)}, nil),
		err:   `corrupt clock document: inconsistent _id`,
	}, {
		about: "the shared _id",
		doc:   doc("clock#ns#", "w", bson.M{"w": int64(1)}, nil),
		err:   `corrupt clock document: inconsistent _id`,
	}, {
		about: "no time",
		doc:   doc("clock#ns#w#", "w", bson.M{}, nil),
		err:   `corrupt clock document: invalid time for writer "w": missing`,
	}, {
		about: "another writer's time",
		doc:   doc("clock#ns#w#", "w", bson.M{"w": int64(1), "v": int64(1)}, nil),
		err:   `corrupt clock document: records writer "v" in the clock document of "w"`,
	}, {
		about: "another writer's count",
		doc:   doc("clock#ns#w#", "w", bson.M{"w": int64(1)}, bson.M{"v": int64(1)}),
		err:   `corrupt clock document: records writer "v" in the clock document of "w"`,
	}, {
		about: "a writer that is not a string",
		doc:   raw(bson.M{"_id": "clock#ns#w#", "type": "clock", "namespace": "ns", "writer": 3}),
		err:   `corrupt clock document "clock#ns#w#": invalid writer 3 \(a int, not a string\)`,
	}} {
		c.Logf("test %d: %s", i, t.about)
		_, err := decodeClockRecord(t.doc)
		if t.err == "" {
			c.Check(err, jc.ErrorIsNil)
			continue
		}
		c.Check(err, gc.ErrorMatches, t.err)
		c.Check(stderrors.Is(err, ErrCorrupt), jc.IsTrue)
	}
}

// TestClockDocsQuery: the query reads a namespace's clock documents, its
// shared one and its writers' own, by a range of _ids, and no other
// document: not its leases, nor another namespace's clock documents.
func (s *ClockOpsSuite) TestClockDocsQuery(c *gc.C) {
	q := clockDocsQuery("ns")
	c.Assert(q, gc.HasLen, 1)
	r := q[0].Value.(bson.D)
	from, to := r[0].Value.(string), r[1].Value.(string)
	in := func(id string) bool { return id >= from && id < to }
	for _, id := range []string{clockDocId("ns"), writerClockDocId("ns", "w"), writerClockDocId("ns", "zzz~")} {
		c.Check(in(id), jc.IsTrue, gc.Commentf("%s", id))
	}
	for _, id := range []string{leaseDocId("ns", "x"), clockDocId("ns2"), clockDocId("n"), writerClockDocId("nsx", "w"), "clock#ns"} {
		c.Check(in(id), jc.IsFalse, gc.Commentf("%s", id))
	}
}
