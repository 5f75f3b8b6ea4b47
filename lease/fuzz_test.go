package lease

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/mgo.v2/bson"
)

// validOracle is the string rule of package lease, written out again
// independently: 1 to 256 bytes of UTF-8, none of . $ # and no white
// space or control character.
func validOracle(s string) bool {
	if s == "" || len(s) > 256 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if strings.ContainsRune(".$#", r) || unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// FuzzRequestValidate checks Request.Validate against the rule: the holder
// is checked first, with the string error, then the duration; both match
// ErrInvalidArgument.
func FuzzRequestValidate(f *testing.F) {
	for _, seed := range []struct {
		holder string
		d      int64
	}{
		{"redis/0", int64(time.Minute)}, {"", 1}, {"a.b", 1}, {"a$b", 1}, {"a#b", 1}, {"a b", 1},
		{"a\tb", 1}, {"a\rb", 1}, {"a\nb", 1}, {"é/ü", 1}, {"holder", 0}, {"holder", -1},
		{"", 0}, {"x", math.MaxInt64}, {"x", math.MinInt64}, {"\x00", 1}, {"\xff", 1},
		{"a\u00a0b", 1}, {"a\u0085b", 1}, {"\ufffd", 1}, {strings.Repeat("x", 256), 1}, {strings.Repeat("x", 257), 1},
	} {
		f.Add(seed.holder, seed.d)
	}
	f.Fuzz(func(t *testing.T, holder string, d int64) {
		err := Request{Holder: holder, Duration: time.Duration(d)}.Validate()
		var want string
		switch {
		case !validOracle(holder):
			want = "invalid holder " + fmt.Sprintf("%q", holder)
			if len(holder) > 64 {
				want = "invalid holder " + fmt.Sprintf("%q...", holder[:64])
			}
		case d <= 0:
			want = fmt.Sprintf("invalid duration %v: must be positive", time.Duration(d))
		}
		if want == "" {
			if err != nil {
				t.Fatalf("Validate(%q, %d) = %v, want nil", holder, d, err)
			}
			return
		}
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Fatalf("Validate(%q, %d) = %v, want %q...", holder, d, err, want)
		}
		if !errors.Is(err, ErrInvalidArgument) {
			t.Fatalf("Validate(%q, %d) = %v, which does not match ErrInvalidArgument", holder, d, err)
		}
	})
}

// Kinds of BSON value a fuzzed document field is stored as.
const (
	kindCanonical = iota // as the client writes it
	kindMissing
	kindInt32
	kindFloat
	kindString
	kindBool
	kindCount
)

// fuzzValue returns v stored as kind; the second result is false for a
// missing field.
func fuzzValue(kind uint8, v interface{}) (interface{}, bool) {
	n := func() int64 {
		switch v := v.(type) {
		case int64:
			return v
		case string:
			return int64(len(v))
		}
		return 0
	}
	switch kind % kindCount {
	case kindMissing:
		return nil, false
	case kindInt32:
		return int32(n()), true
	case kindFloat:
		return float64(n()) + 0.5, true
	case kindString:
		return fmt.Sprint(v), true
	case kindBool:
		return n() != 0, true
	}
	return v, true
}

// FuzzLeaseDoc builds lease documents field by field, storing each field
// as the client does or as something else, and decodes them. A document
// whose fields are all stored as the client stores them must decode
// exactly when it is valid by the rules (type "lease", _id ending with the
// lease's id, valid holder and writer, non-zero expiry). Whatever the
// fields, decoding never panics, an error names the document, and a
// document that decodes round-trips through newLeaseDoc.
func FuzzLeaseDoc(f *testing.F) {
	f.Add("", "lease", "service-leadership", "redis", "redis/0", int64(1), "machine-0", uint64(0))
	f.Add("env-uuid:", "lease", "ns", "name", "holder", zero.UnixNano(), "writer", uint64(0))
	f.Add("", "clock", "ns", "name", "holder", int64(1), "writer", uint64(0))
	f.Add("", "lease", "ns", "name", "", int64(1), "writer", uint64(0))
	f.Add("", "lease", "ns", "name", "a.b", int64(1), "writer", uint64(0))
	f.Add("", "lease", "ns", "name", "holder", int64(0), "writer", uint64(0))
	f.Add("", "lease", "ns", "name", "holder", int64(-1), "$w", uint64(0))
	f.Add("", "lease", "ns", "name", "holder", int64(1), "writer", uint64(1<<40)) // the _id alone
	f.Add("", "lease", "ns", "na#me", "holder", int64(1), "writer", uint64(0))
	f.Add("", "lease", "ns", "name", "holder", int64(7), "writer", uint64(0x2222222))
	// The ends of the store's range, as int64 (valid) and as floats (not:
	// mgo would have read 9.2e18+0.5 as math.MinInt64, in 1677).
	f.Add("", "lease", "ns", "name", "holder", int64(math.MaxInt64), "writer", uint64(0))
	f.Add("", "lease", "ns", "name", "holder", int64(math.MinInt64), "writer", uint64(0))
	f.Add("", "lease", "ns", "name", "holder", int64(math.MaxInt64), "writer", uint64(kindFloat<<20))
	f.Add("", "lease", "ns", "name", "holder", int64(math.MinInt64), "writer", uint64(kindFloat<<20))
	f.Add("", "lease", "ns", "name", "holder", int64(1), "writer", uint64(kindBool<<20))
	f.Fuzz(func(t *testing.T, prefix, typ, ns, name, holder string, expiry int64, writer string, kinds uint64) {
		id := prefix + leaseDocId(ns, name)
		if kinds&(1<<40) != 0 {
			id = prefix
		}
		fields := []struct {
			key   string
			value interface{}
		}{
			{"_id", id}, {"type", typ}, {"namespace", ns}, {"name", name},
			{"holder", holder}, {"expiry", expiry}, {"writer", writer},
		}
		var doc bson.D
		canonical := true
		for i, field := range fields {
			kind := uint8(kinds>>(4*i)) & 0xf
			if kind%kindCount != kindCanonical {
				canonical = false
			}
			if v, ok := fuzzValue(kind, field.value); ok {
				doc = append(doc, bson.DocElem{Name: field.key, Value: v})
			}
		}
		gotName, got, err := checkDecodeLease(t, doc)
		switch (uint8(kinds>>20) & 0xf) % kindCount {
		case kindFloat, kindString, kindBool:
			if err == nil {
				t.Fatalf("decoding %v: an expiry that no client writes decoded as %v", doc, got.expiry)
			}
		}
		if canonical {
			valid := typ == typeLease && strings.HasSuffix(id, leaseDocId(ns, name)) &&
				(holder == "" || validOracle(holder)) && expiry != 0 && validOracle(writer)
			if valid != (err == nil) {
				t.Fatalf("decoding %v: %v; valid by the rules: %v", doc, err, valid)
			}
			if err == nil && (gotName != name || got.holder != holder || got.writer != writer || got.expiry.UnixNano() != expiry) {
				t.Fatalf("decoding %v: got %q %+v", doc, gotName, got)
			}
		}
		if err == nil {
			roundTripLease(t, ns, gotName, got)
		}
	})
}

// FuzzLeaseDocBSON decodes arbitrary well-formed BSON documents as lease
// documents: decoding never panics, an error names the document, and a
// document that decodes round-trips, its term and write id included.
func FuzzLeaseDocBSON(f *testing.F) {
	addBSONSeeds(f,
		newLeaseDoc("ns", "name", entry{holder: "holder", expiry: zero, writer: "writer"}),
		bson.M{"_id": "lease#ns#name#", "type": "lease", "namespace": "ns", "name": "name",
			"holder": "h", "expiry": "soon", "writer": "w", "txn-revno": int64(2), "txn-queue": []string{"x"}},
		bson.M{"_id": "lease#ns#name#", "type": "lease", "namespace": "ns", "name": "name",
			"holder": "h", "expiry": 3e19, "writer": "w"},
		bson.M{"_id": "lease#ns#name#", "type": "lease", "namespace": "ns", "name": "name",
			"holder": "h", "expiry": time.Date(2276, 9, 29, 0, 0, 0, 0, time.UTC), "writer": "w"},
		newLeaseDoc("ns", "name", entry{holder: "holder", expiry: time.Unix(0, math.MaxInt64), writer: "writer"}),
		bson.M{"_id": 42, "type": "lease"},
		bson.M{"_id": bson.M{"a": 1}, "holder": []int{1}},
		// Write ids: as the client writes one, none (null), and of
		// other types.
		newLeaseDoc("ns", "name", entry{holder: "holder", expiry: zero, writer: "writer", term: 3, write: bson.ObjectIdHex("5f1e0c2a9d3b4c0012345678")}),
		bson.M{"_id": "lease#ns#name#", "type": "lease", "namespace": "ns", "name": "name",
			"holder": "h", "expiry": int64(1), "writer": "w", "term": nil, "writeid": nil},
		bson.M{"_id": "lease#ns#name#", "type": "lease", "namespace": "ns", "name": "name",
			"holder": "h", "expiry": int64(1), "writer": "w", "writeid": "5f1e0c2a9d3b4c0012345678"},
		bson.M{"_id": "lease#ns#name#", "type": "lease", "namespace": "ns", "name": "name",
			"holder": "h", "expiry": int64(1), "writer": "w", "writeid": []byte("123456789012")},
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, ok := wellFormed(data)
		if !ok {
			return
		}
		if name, got, err := checkDecodeLease(t, doc); err == nil {
			var fields struct {
				Namespace string `bson:"namespace"`
			}
			if err := bson.Unmarshal(data, &fields); err != nil {
				t.Fatalf("the document decoded as a lease, but not its namespace: %v", err)
			}
			roundTripLease(t, fields.Namespace, name, got)
		}
	})
}

// wellFormed returns data as a document, if it is one that a server could
// have returned: BSON that mgo decodes and encodes again. mgo's decoder
// panics on some malformed input; MongoDB never sends that.
func wellFormed(data []byte) (doc bson.D, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	if err := bson.Unmarshal(data, &doc); err != nil {
		return nil, false
	}
	if _, err := bson.Marshal(doc); err != nil {
		return nil, false
	}
	return doc, true
}

// checkDecodeLease decodes doc as a lease document, and checks that an
// error names it and that a success is a valid entry.
func checkDecodeLease(t *testing.T, doc interface{}) (string, entry, error) {
	t.Helper()
	r := raw(doc)
	name, e, err := decodeLeaseDoc(r)
	if err != nil {
		prefix := fmt.Sprintf("corrupt lease document %q: ", rawId(r))
		if !strings.HasPrefix(err.Error(), prefix) {
			t.Fatalf("decoding %v: error %q does not start %q", doc, err, prefix)
		}
		return "", entry{}, err
	}
	if (e.holder != "" && !validOracle(e.holder)) || !validOracle(e.writer) || e.expiry.UnixNano() == 0 {
		t.Fatalf("decoding %v: invalid entry %+v", doc, e)
	}
	return name, e, nil
}

// roundTripLease checks that the document the client would write for e
// decodes to e.
func roundTripLease(t *testing.T, ns, name string, e entry) {
	t.Helper()
	name2, e2, err := decodeLeaseDoc(raw(newLeaseDoc(ns, name, e)))
	if err != nil {
		t.Fatalf("round trip of %q %+v in %q: %v", name, e, ns, err)
	}
	if name2 != name || e2.holder != e.holder || e2.writer != e.writer || !e2.expiry.Equal(e.expiry) ||
		e2.term != e.term || e2.write != e.write {
		t.Fatalf("round trip of %q %+v: got %q %+v", name, e, name2, e2)
	}
}

// FuzzClockDoc builds clock documents with two writers, storing each
// field as the client does or as something else, and decodes them. With
// every field stored as the client stores it, decoding succeeds exactly
// when the document is valid (type "clock", _id ending with the
// namespace's clock id, no zero time) and returns the times written.
// Whatever the fields, decoding never panics, an error says it is the
// clock document, and a document that decodes round-trips.
func FuzzClockDoc(f *testing.F) {
	f.Add("", "clock", "service-leadership", "machine-0", int64(1), "machine-1", zero.UnixNano(), uint64(0))
	f.Add("uuid:", "clock", "ns", "a", int64(-5), "b", int64(7), uint64(0))
	f.Add("", "lease", "ns", "a", int64(1), "b", int64(2), uint64(0))
	f.Add("", "clock", "ns", "a", int64(0), "b", int64(2), uint64(0))
	f.Add("", "clock", "ns", "a", int64(1), "b", int64(2), uint64(0x300000))
	f.Add("", "clock", "ns", "a", int64(1), "b", int64(2), uint64(0x4000000))
	f.Add("", "clock", "ns", "a", int64(math.MinInt64), "b", int64(math.MaxInt64), uint64(0))
	f.Add("", "clock", "ns", "a", int64(math.MinInt64), "b", int64(math.MaxInt64), uint64(kindFloat<<16|kindFloat<<20))
	f.Fuzz(func(t *testing.T, prefix, typ, ns, w1 string, t1 int64, w2 string, t2 int64, kinds uint64) {
		if strings.Contains(w1+w2, "\x00") {
			return // a BSON key cannot hold a NUL
		}
		kind := func(i int) uint8 { return uint8(kinds>>(4*i)) & 0xf }
		canonical := true
		var writers bson.D
		for i, w := range []struct {
			name string
			t    int64
		}{{w1, t1}, {w2, t2}} {
			if kind(4+i)%kindCount != kindCanonical {
				canonical = false
			}
			if v, ok := fuzzValue(kind(4+i), w.t); ok {
				writers = append(writers, bson.DocElem{Name: w.name, Value: v})
			}
		}
		var doc bson.D
		for i, field := range []struct {
			key   string
			value interface{}
		}{{"_id", prefix + clockDocId(ns)}, {"type", typ}, {"namespace", ns}, {"writers", writers}} {
			if kind(i)%kindCount != kindCanonical {
				canonical = false
			}
			if v, ok := fuzzValue(kind(i), field.value); ok {
				doc = append(doc, bson.DocElem{Name: field.key, Value: v})
			}
		}
		got, err := checkDecodeClock(t, doc)
		for i := 4; i < 6; i++ {
			switch kind(i) % kindCount {
			case kindFloat, kindString, kindBool:
				if err == nil && w1 != w2 && kind(3)%kindCount == kindCanonical {
					t.Fatalf("decoding %v: a time that no client writes decoded: %v", doc, got)
				}
			}
		}
		if canonical && w1 != w2 {
			valid := typ == typeClock && t1 != 0 && t2 != 0
			if valid != (err == nil) {
				t.Fatalf("decoding %v: %v; valid by the rules: %v", doc, err, valid)
			}
			if err == nil && (len(got) != 2 || got[w1].UnixNano() != t1 || got[w2].UnixNano() != t2) {
				t.Fatalf("decoding %v: got %v", doc, got)
			}
		}
		if err == nil {
			roundTripClock(t, ns, got)
		}
	})
}

// FuzzClockDocBSON decodes arbitrary well-formed BSON documents as clock
// documents: decoding never panics, an error says it is the clock
// document, and a document that decodes round-trips.
func FuzzClockDocBSON(f *testing.F) {
	addBSONSeeds(f,
		newClockDoc("ns"),
		bson.M{"_id": "clock#ns#", "type": "clock", "namespace": "ns", "writers": bson.M{"a": int64(1), "b": 2}},
		bson.M{"_id": "clock#ns#", "type": "clock", "namespace": "ns", "writers": "all of them"},
		bson.M{"_id": "clock#ns#", "type": "clock", "namespace": "ns", "writers": bson.M{"a": 3e19}},
		bson.M{"_id": "clock#ns#", "type": "clock", "namespace": "ns", "writers": bson.M{"a": int64(math.MinInt64), "b": int64(math.MaxInt64)}},
		bson.M{"_id": "clock#ns#", "type": "clock", "namespace": "ns", "writers": bson.M{"a": bson.M{"b": 1}}},
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, ok := wellFormed(data)
		if !ok {
			return
		}
		if got, err := checkDecodeClock(t, doc); err == nil {
			var fields struct {
				Namespace string `bson:"namespace"`
			}
			if err := bson.Unmarshal(data, &fields); err != nil {
				t.Fatalf("the document decoded as a clock, but not its namespace: %v", err)
			}
			roundTripClock(t, fields.Namespace, got)
		}
	})
}

// checkDecodeClock decodes doc as a clock document, and checks that an
// error says so and that a success has no zero time.
func checkDecodeClock(t *testing.T, doc interface{}) (map[string]time.Time, error) {
	t.Helper()
	writers, _, err := decodeClockDoc(raw(doc))
	if err != nil {
		if !strings.HasPrefix(err.Error(), "corrupt clock document: ") {
			t.Fatalf("decoding %v: error %q does not say it is the clock document", doc, err)
		}
		return nil, err
	}
	for w, at := range writers {
		if at.UnixNano() == 0 {
			t.Fatalf("decoding %v: zero time for %q", doc, w)
		}
	}
	return writers, nil
}

// roundTripClock checks that a clock document holding writers, as the
// client writes times, decodes to writers.
func roundTripClock(t *testing.T, ns string, writers map[string]time.Time) {
	t.Helper()
	doc := newClockDoc(ns)
	for w, at := range writers {
		doc.Writers[w] = toInt64(at)
	}
	got, _, err := decodeClockDoc(raw(doc))
	if err != nil {
		t.Fatalf("round trip of %v in %q: %v", writers, ns, err)
	}
	if len(got) != len(writers) {
		t.Fatalf("round trip of %v: got %v", writers, got)
	}
	for w, at := range writers {
		if !got[w].Equal(at) {
			t.Fatalf("round trip of %v: got %v", writers, got)
		}
	}
}

// addBSONSeeds adds each document, marshalled to BSON, to f's seed corpus.
func addBSONSeeds(f *testing.F, docs ...interface{}) {
	for _, doc := range docs {
		data, err := bson.Marshal(doc)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}
