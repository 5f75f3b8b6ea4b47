package leaseclient_test

import (
	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
)

// storedClocks is what the clock documents of a namespace hold, as the
// tests read them straight from the store: each writer's time and count
// of transactions, from its own clock document if it has one and from
// the shared one otherwise, the namespace's count of releases (the sum
// of theirs) and its term floor (the highest of theirs).
type storedClocks struct {
	Writers  map[string]int64
	Writes   map[string]int64
	Releases int64
	Terms    int64
	// Own holds the ids of the writers that have their own clock
	// document.
	Own map[string]bool
}

// storedClockDoc is one clock document as the tests read it.
type storedClockDoc struct {
	Id       string           `bson:"_id"`
	Writer   string           `bson:"writer"`
	Writers  map[string]int64 `bson:"writers"`
	Writes   map[string]int64 `bson:"writes"`
	Releases int64            `bson:"releases"`
	Terms    int64            `bson:"terms"`
}

// readClockDocs returns the clock documents of namespace in coll: the
// shared one, then the writers' own, by _id.
func readClockDocs(c *gc.C, coll *mgo.Collection, namespace string) []storedClockDoc {
	var docs []storedClockDoc
	query := bson.M{"type": "clock", "namespace": namespace}
	c.Assert(coll.Find(query).Sort("_id").All(&docs), jc.ErrorIsNil)
	return docs
}

// readClocks returns what the clock documents of namespace in coll hold.
func readClocks(c *gc.C, coll *mgo.Collection, namespace string) storedClocks {
	got := storedClocks{Writers: map[string]int64{}, Writes: map[string]int64{}, Own: map[string]bool{}}
	docs := readClockDocs(c, coll, namespace)
	for _, own := range []bool{false, true} {
		for _, doc := range docs {
			if (doc.Writer != "") != own {
				continue
			}
			if own {
				got.Own[doc.Writer] = true
			} else {
				got.Releases, got.Terms = 0, 0
			}
			for id, t := range doc.Writers {
				got.Writers[id] = t
				got.Writes[id] = doc.Writes[id]
			}
		}
	}
	for _, doc := range docs {
		got.Releases += doc.Releases
		if doc.Terms > got.Terms {
			got.Terms = doc.Terms
		}
	}
	return got
}

// clocksOf returns what the clock documents of fix's namespace hold.
func (s *mongoSuite) clocksOf(c *gc.C, fix *Fixture) storedClocks {
	return readClocks(c, s.db.C(fix.Config.Collection), fix.Config.Namespace)
}
