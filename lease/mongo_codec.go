package lease

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/juju/errors"
	"gopkg.in/mgo.v2/bson"
)

// The documents in a client's collection. Each namespace has one shared
// clock document, and one clock document per client that has written in
// the namespace, with the latest time that client has written (see
// docs/design.md#clock-documents), and one document per lease that has
// been claimed: held, or released (its holder empty: see
// docs/design.md#released-leases). Times are int64 nanoseconds since the
// Unix epoch (UnixNano), so that no precision is lost; each is on the clock
// of the client that wrote it. That holds times from 1677-09-21 to
// 2262-04-11 only (see ErrTimeOutOfRange): the client refuses to write any
// other, and a stored value that is not an int64 is corrupt.
const (
	typeLease = "lease"
	typeClock = "clock"

	fieldType      = "type"
	fieldNamespace = "namespace"
	fieldName      = "name"
	fieldHolder    = "holder"
	fieldExpiry    = "expiry"
	fieldWriter    = "writer"
	fieldWriters   = "writers"
	fieldWrites    = "writes"
)

// leaseDocId returns the _id of the document for the named lease. The
// trailing '#' is deliberate: it keeps ids parseable in watcher events.
func leaseDocId(namespace, lease string) string {
	return fmt.Sprintf("%s#%s#%s#", typeLease, namespace, lease)
}

// clockDocId returns the _id of the namespace's shared clock document.
func clockDocId(namespace string) string {
	return fmt.Sprintf("%s#%s#", typeClock, namespace)
}

// writerClockDocId returns the _id of the clock document of the client
// with the given id in the namespace. It starts with the namespace's
// shared clock document's _id, and no other document's _id does (no
// namespace contains '#'), so that one query by a range of _ids reads
// every clock document of a namespace (see clockDocsQuery).
func writerClockDocId(namespace, id string) string {
	return fmt.Sprintf("%s#%s#%s#", typeClock, namespace, id)
}

// leaseDoc is the document that records one lease: held, or, with an
// empty holder, released.
type leaseDoc struct {
	Id        string `bson:"_id"`
	Type      string `bson:"type"`
	Namespace string `bson:"namespace"`
	Name      string `bson:"name"`
	// Holder is a string: empty if the lease is released. It is read as
	// an interface{} value so that a missing holder, or one of another
	// type (which mgo would leave empty), is reported, not taken for a
	// released lease.
	Holder interface{} `bson:"holder"`
	// Expiry is an int64 (see toInt64). It is read as an interface{}
	// value so that a value of another type is reported, not converted:
	// mgo would truncate a float, and turn one beyond the int64 range
	// into a time in 1677.
	Expiry interface{} `bson:"expiry"`
	Writer string      `bson:"writer"`
	// Term is an int64 (see fieldTerm), absent from documents written
	// by earlier versions, which read as term 0. It is read as an
	// interface{} value so that a value of another type is reported.
	Term interface{} `bson:"term,omitempty"`
}

// newLeaseDoc returns the document that records e for the named lease
// (released if e's holder is empty).
func newLeaseDoc(namespace, name string, e entry) leaseDoc {
	return leaseDoc{
		Id:        leaseDocId(namespace, name),
		Type:      typeLease,
		Namespace: namespace,
		Name:      name,
		Holder:    e.holder,
		Expiry:    toInt64(e.expiry),
		Writer:    e.writer,
		Term:      termField(e.term),
	}
}

// termField returns what a lease document stores for term: nothing for
// term 0, which only documents of earlier versions have.
func termField(term int64) interface{} {
	if term == 0 {
		return nil
	}
	return term
}

// validate returns an error if doc is not a valid lease document, and
// otherwise its holder (empty if the lease is released) and its expiry.
// The _id is only checked to end with the expected id, because a
// multi-model transaction runner may prefix it.
func (doc leaseDoc) validate() (string, time.Time, error) {
	if doc.Type != typeLease {
		return "", time.Time{}, errors.Errorf("invalid type %q", doc.Type)
	}
	if !strings.HasSuffix(doc.Id, leaseDocId(doc.Namespace, doc.Name)) {
		return "", time.Time{}, errors.New("inconsistent _id")
	}
	holder, err := decodeHolder(doc.Holder)
	if err != nil {
		return "", time.Time{}, errors.Annotatef(err, "invalid holder")
	}
	expiry, err := decodeTime(doc.Expiry)
	if err != nil {
		return "", time.Time{}, errors.Annotatef(err, "invalid expiry")
	}
	if err := checkStored(doc.Writer); err != nil {
		return "", time.Time{}, errors.Annotatef(err, "invalid writer")
	}
	return holder, expiry, nil
}

// decodeHolder returns the holder stored as v: a string that a client
// could have written as a holder (see checkStored), or the empty string
// of a released lease. A missing holder, and one of another type, are
// errors.
func decodeHolder(v interface{}) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", errors.New("missing")
	case string:
		if v == "" {
			return "", nil
		}
		return v, checkStored(v)
	default:
		return "", errors.Errorf("%v is a %T, not a string", v, v)
	}
}

// decodeLeaseDoc decodes and validates a lease document, and returns the
// lease's name and its entry, whose holder is empty if the lease is
// released. Errors say which document is corrupt.
func decodeLeaseDoc(raw bson.Raw) (string, entry, error) {
	var doc leaseDoc
	var holder string
	var expiry time.Time
	var term int64
	err := raw.Unmarshal(&doc)
	if err == nil {
		holder, expiry, err = doc.validate()
	}
	if err == nil {
		if term, err = decodeTerm(doc.Term); err != nil {
			err = errors.Annotatef(err, "invalid term")
		}
	}
	if err != nil {
		return "", entry{}, corrupt(errors.Annotatef(err, "corrupt lease document %q", rawId(raw)))
	}
	return doc.Name, entry{
		holder: holder,
		expiry: expiry,
		writer: doc.Writer,
		term:   term,
	}, nil
}

// rawId returns the _id of a document, as text, for error messages; it
// works even when the _id is not a string.
func rawId(raw bson.Raw) string {
	var doc struct {
		Id interface{} `bson:"_id"`
	}
	_ = raw.Unmarshal(&doc)
	if id, ok := doc.Id.(string); ok {
		return id
	}
	return fmt.Sprint(doc.Id)
}

// clockDoc is a clock document: the namespace's shared one, which
// records, for each client that wrote in the namespace before clients had
// their own (see docs/design.md#clock-documents), the latest time that
// client wrote; or one client's own, which records that client's alone
// and names it as its Writer.
type clockDoc struct {
	Id        string `bson:"_id"`
	Type      string `bson:"type"`
	Namespace string `bson:"namespace"`
	// Writer is the id of the client whose own clock document this is,
	// and empty in the namespace's shared clock document.
	Writer string `bson:"writer,omitempty"`
	// Writers maps client ids to times. It is read as interface{} values
	// so that a value of the wrong type is reported, not silently dropped.
	Writers map[string]interface{} `bson:"writers"`
	// Writes maps client ids to how many transactions each has run in the
	// namespace, so that a reader can tell whether a writer has written
	// again since it last read, even at a time it had written before (its
	// clock having stepped back). Absent until the first write.
	Writes map[string]interface{} `bson:"writes,omitempty"`
}

// newClockDoc returns the clock document a namespace starts with: nobody
// has written yet.
func newClockDoc(namespace string) clockDoc {
	return clockDoc{
		Id:        clockDocId(namespace),
		Type:      typeClock,
		Namespace: namespace,
		Writers:   map[string]interface{}{},
	}
}

// decodeClockDoc decodes and validates a clock document, and returns the
// latest time written by each writer, on that writer's clock, and how many
// transactions each has run (zero for a writer with no count).
func decodeClockDoc(raw bson.Raw) (map[string]time.Time, map[string]int64, error) {
	var doc clockDoc
	if err := raw.Unmarshal(&doc); err != nil {
		return nil, nil, corrupt(errors.Annotatef(err, "corrupt clock document"))
	}
	writers, err := doc.writers()
	if err != nil {
		return nil, nil, corrupt(errors.Annotatef(err, "corrupt clock document"))
	}
	writes, err := doc.writes()
	if err != nil {
		return nil, nil, corrupt(errors.Annotatef(err, "corrupt clock document"))
	}
	return writers, writes, nil
}

// writes returns the count of transactions recorded for each writer.
func (doc clockDoc) writes() (map[string]int64, error) {
	names := make([]string, 0, len(doc.Writes))
	for writer := range doc.Writes {
		names = append(names, writer)
	}
	sort.Strings(names) // so that the first problem reported is always the same
	writes := make(map[string]int64, len(doc.Writes))
	for _, writer := range names {
		switch v := doc.Writes[writer].(type) {
		case int64:
			writes[writer] = v
		case int:
			writes[writer] = int64(v)
		default:
			return nil, errors.Errorf("invalid write count for writer %q", writer)
		}
	}
	return writes, nil
}

// writers validates doc and returns the time recorded for each writer.
// A client's own clock document must record that client's time, and no
// other client's time or count.
func (doc clockDoc) writers() (map[string]time.Time, error) {
	if doc.Type != typeClock {
		return nil, errors.Errorf("invalid type %q", doc.Type)
	}
	want := clockDocId(doc.Namespace)
	if doc.Writer != "" {
		if err := checkStored(doc.Writer); err != nil {
			return nil, errors.Annotatef(err, "invalid writer")
		}
		want = writerClockDocId(doc.Namespace, doc.Writer)
	}
	if !strings.HasSuffix(doc.Id, want) {
		return nil, errors.New("inconsistent _id")
	}
	if doc.Writer != "" {
		if err := doc.ownedBy(doc.Writer); err != nil {
			return nil, errors.Trace(err)
		}
	}
	names := make([]string, 0, len(doc.Writers))
	for writer := range doc.Writers {
		names = append(names, writer)
	}
	sort.Strings(names) // so that the first problem reported is always the same
	writers := make(map[string]time.Time, len(doc.Writers))
	for _, writer := range names {
		t, err := decodeTime(doc.Writers[writer])
		if err != nil {
			return nil, errors.Annotatef(err, "invalid time for writer %q", writer)
		}
		writers[writer] = t
	}
	return writers, nil
}

// ownedBy returns an error unless doc records the time of writer, and
// no other writer's time or count.
func (doc clockDoc) ownedBy(writer string) error {
	if _, found := doc.Writers[writer]; !found {
		return errors.Errorf("invalid time for writer %q: missing", writer)
	}
	for _, records := range []map[string]interface{}{doc.Writers, doc.Writes} {
		for other := range records {
			if other != writer {
				return errors.Errorf("records writer %q in the clock document of %q", other, writer)
			}
		}
	}
	return nil
}

// decodeTime returns the time stored as v, which the client writes as an
// int64 (see toInt64) and mgo reads as an int64 or, if it is small, an
// int. Every int64 is a time in the store's range. Anything else is an
// error that names the value: a missing value, zero (which the client
// never writes, and which a missing field would read as), and any other
// type, such as a float64 (which no client writes, and which could be
// beyond the store's range).
func decodeTime(v interface{}) (time.Time, error) {
	var nanos int64
	switch v := v.(type) {
	case nil:
		return time.Time{}, errors.New("missing")
	case int64:
		nanos = v
	case int:
		nanos = int64(v)
	case string:
		return time.Time{}, errors.Errorf("%q is a string, not int64 nanoseconds since 1970", v)
	default:
		return time.Time{}, errors.Errorf("%v is a %T, not int64 nanoseconds since 1970", v, v)
	}
	if nanos == 0 {
		return time.Time{}, errors.New("zero")
	}
	return toTime(nanos), nil
}

// toInt64 returns t as stored in the database. t must be in the store's
// range (see ErrTimeOutOfRange): beyond it, UnixNano overflows silently.
// Every time the client writes is checked before it gets here.
func toInt64(t time.Time) int64 {
	return t.UnixNano()
}

// toTime returns the time stored in the database as v, in the local zone.
func toTime(v int64) time.Time {
	return time.Unix(0, v)
}
