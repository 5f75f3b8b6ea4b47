package mongotest

import (
	"bytes"
	"testing"

	"gopkg.in/mgo.v2/bson"
)

// d builds a bson.D from alternating keys and values.
func d(kv ...interface{}) bson.D {
	var doc bson.D
	for i := 0; i < len(kv); i += 2 {
		doc = append(doc, bson.DocElem{Name: kv[i].(string), Value: kv[i+1]})
	}
	return doc
}

func mustMarshal(t testing.TB, v interface{}) []byte {
	t.Helper()
	b, err := bson.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEscapeUpdate(t *testing.T) {
	const dollar, dot = "\uFF04", "\uFF0E"
	odd := d("$gte", 1, "a.b", d("$in", []interface{}{d("x.y", 1)}))
	esc := d(dollar+"gte", 1, "a"+dot+"b", d(dollar+"in", []interface{}{d("x"+dot+"y", 1)}))
	for _, tc := range []struct {
		about    string
		in, want bson.D
	}{{
		about: "a replacement is escaped at every depth",
		in:    d("top.level", odd, "plain", 1),
		want:  d("top"+dot+"level", esc, "plain", 1),
	}, {
		about: "field paths stay; stored values are escaped",
		in:    d("$set", d("a.b", odd, "n", 1), "$inc", d("c.d", 1), "$setOnInsert", d("e", odd)),
		want:  d("$set", d("a.b", esc, "n", 1), "$inc", d("c.d", 1), "$setOnInsert", d("e", esc)),
	}, {
		about: "$push modifiers stay; $each elements are escaped",
		in:    d("$push", d("q", d("$each", []interface{}{odd}, "$slice", -3)), "$addToSet", d("r", odd)),
		want:  d("$push", d("q", d("$each", []interface{}{esc}, "$slice", -3)), "$addToSet", d("r", esc)),
	}, {
		about: "$pull conditions, $unset, $currentDate and unknown operators stay",
		in:    d("$pull", d("q", d("$regex", "^a.b")), "$unset", d("x.y", 1), "$currentDate", d("t", d("$type", "date")), "$future", d("k", odd)),
		want:  d("$pull", d("q", d("$regex", "^a.b")), "$unset", d("x.y", 1), "$currentDate", d("t", d("$type", "date")), "$future", d("k", odd)),
	}, {
		about: "$pullAll values are escaped",
		in:    d("$pullAll", d("q", []interface{}{odd})),
		want:  d("$pullAll", d("q", []interface{}{esc})),
	}} {
		got, err := escapeUpdate(mustMarshal(t, tc.in))
		if err != nil {
			t.Errorf("%s: %v", tc.about, err)
			continue
		}
		if want := mustMarshal(t, tc.want); !bytes.Equal(got, want) {
			var gotD bson.D
			_ = bson.Unmarshal(got, &gotD)
			t.Errorf("%s:\n got %v\nwant %v", tc.about, gotD, tc.want)
		}
		back, err := unescapeReply(got)
		if err != nil {
			t.Errorf("%s: unescaping: %v", tc.about, err)
		} else if want := mustMarshal(t, tc.in); !bytes.Equal(back, want) {
			t.Errorf("%s: unescaping does not give back the update", tc.about)
		}
	}
}

func TestUnescapeReplyLeavesPlainReplies(t *testing.T) {
	reply := mustMarshal(t, d("ok", 1.0, "cursor", d("firstBatch", []interface{}{d("a", "$x.y")})))
	got, err := unescapeReply(reply)
	if err != nil {
		t.Fatal(err)
	}
	if &got[0] != &reply[0] {
		t.Error("a reply without escaped keys was copied")
	}
}

func TestRewriteCommand(t *testing.T) {
	for _, tc := range []struct {
		about    string
		in, want bson.D
	}{{
		about: "index options FerretDB refuses are dropped",
		in:    d("createIndexes", "c", "indexes", []interface{}{d("key", d("a", 1), "name", "a_1", "ns", "db.c", "unique", true, "dropDups", true)}),
		want:  d("createIndexes", "c", "indexes", []interface{}{d("key", d("a", 1), "name", "a_1", "unique", true)}),
	}, {
		about: "findAndModify loses its projection; its update is escaped",
		in:    d("findAndModify", "c", "query", d("_id", 1), "update", d("$set", d("o", d("$gt", 1))), "fields", d("a", 1), "new", true),
		want:  d("findAndModify", "c", "query", d("_id", 1), "update", d("$set", d("o", d("\uFF04gt", 1))), "new", true),
	}, {
		about: "inserted documents and update statements are escaped; filters are not",
		in:    d("update", "c", "updates", []interface{}{d("q", d("a", d("$gt", 1)), "u", d("a.b", 1), "multi", false)}),
		want:  d("update", "c", "updates", []interface{}{d("q", d("a", d("$gt", 1)), "u", d("a\uFF0Eb", 1), "multi", false)}),
	}, {
		about: "the client's $db is kept",
		in:    d("insert", "c", "documents", []interface{}{d("_id", 1, "x", d("$y", 2))}, "$db", "other"),
		want:  d("insert", "c", "documents", []interface{}{d("_id", 1, "x", d("\uFF04y", 2))}, "$db", "other"),
	}} {
		elems, err := splitDoc(mustMarshal(t, tc.in))
		if err != nil {
			t.Fatal(err)
		}
		out, err := rewriteCommand(elems[0].key, elems)
		if err != nil {
			t.Errorf("%s: %v", tc.about, err)
			continue
		}
		if got, want := buildDoc(out), mustMarshal(t, tc.want); !bytes.Equal(got, want) {
			var gotD bson.D
			_ = bson.Unmarshal(got, &gotD)
			t.Errorf("%s:\n got %v\nwant %v", tc.about, gotD, tc.want)
		}
	}
}

// FuzzCommand feeds arbitrary documents to the code that reads and rewrites
// commands: it must never panic, and must keep a valid document intact.
func FuzzCommand(f *testing.F) {
	for _, seed := range []interface{}{
		d("insert", "c", "documents", []interface{}{d("_id", 1, "x", d("$y", bson.Binary{Kind: 0, Data: []byte{1}}))}),
		d("update", "c", "updates", []interface{}{d("q", d(), "u", d("$push", d("a", d("$each", []int{1}))))}),
		d("findAndModify", "c", "update", d("x.y", bson.RegEx{Pattern: "a", Options: "i"}), "fields", d()),
		d("createIndexes", "c", "indexes", []interface{}{d("ns", 1, "t", bson.MongoTimestamp(5))}),
		d("getMore", int64(5), "collection", "c", "f", 1.5, "n", nil, "o", bson.NewObjectId()),
	} {
		f.Add(mustMarshal(f, seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		elems, err := splitDoc(doc)
		if err != nil {
			return
		}
		if again := buildDoc(elems); !bytes.Equal(again, doc) {
			t.Fatalf("splitDoc and buildDoc do not round-trip:\n%x\n%x", doc, again)
		}
		if len(elems) > 0 {
			if out, err := rewriteCommand(elems[0].key, elems); err == nil {
				if _, err := splitDoc(buildDoc(out)); err != nil {
					t.Fatalf("rewriteCommand made an invalid document: %v", err)
				}
			}
		}
		_, _ = escapeUpdate(doc)
		if back, err := unescapeReply(doc); err == nil {
			if _, err := splitDoc(back); err != nil {
				t.Fatalf("unescapeReply made an invalid document: %v", err)
			}
		}
	})
}
