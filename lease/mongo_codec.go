package lease

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/juju/errors"
	"gopkg.in/mgo.v2/bson"
)

// The documents in a client's collection: per namespace, one shared clock
// document, one clock document per client that has written
// (docs/design.md#clock-documents), and one document per lease ever
// claimed, held or released (docs/design.md#released-leases). Times are
// int64 UnixNano on the writer's clock, in the store's range only (see
// ErrTimeOutOfRange); a stored value that is not an int64 is corrupt.
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

// leaseDocId returns the _id of the named lease's document; the trailing
// '#' keeps ids parseable in watcher events.
func leaseDocId(namespace, lease string) string {
	return fmt.Sprintf("%s#%s#%s#", typeLease, namespace, lease)
}

// clockDocId returns the _id of the namespace's shared clock document.
func clockDocId(namespace string) string {
	return fmt.Sprintf("%s#%s#", typeClock, namespace)
}

// writerClockDocId returns the _id of client id's clock document. Only
// clock documents' _ids start with the shared one's (no namespace holds
// '#'), so one _id range reads them all (clockDocsQuery).
func writerClockDocId(namespace, id string) string {
	return fmt.Sprintf("%s#%s#%s#", typeClock, namespace, id)
}

// leaseDoc is the document of one lease: held, or released (no holder).
type leaseDoc struct {
	Id        string `bson:"_id"`
	Type      string `bson:"type"`
	Namespace string `bson:"namespace"`
	Name      string `bson:"name"`
	// Holder is a string, empty if released; read as interface{} so a
	// missing holder or another type is reported, not taken as released.
	Holder interface{} `bson:"holder"`
	// Expiry is an int64 (toInt64), read as interface{} so another type
	// is reported rather than truncated or wrapped by mgo.
	Expiry interface{} `bson:"expiry"`
	Writer string      `bson:"writer"`
	// Term is an int64 (fieldTerm), absent (term 0) from earlier
	// versions' documents; read as interface{} so another type is
	// reported.
	Term interface{} `bson:"term,omitempty"`
	// WriteId is a bson.ObjectId (fieldWriteId), absent from earlier
	// versions' documents; read as interface{} so another type is
	// reported.
	WriteId interface{} `bson:"writeid,omitempty"`
}

// newLeaseDoc returns the document of e for the named lease.
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
		WriteId:   writeIdField(e.write),
	}
}

// termField returns the stored term: nothing for term 0 (earlier versions).
func termField(term int64) interface{} {
	if term == 0 {
		return nil
	}
	return term
}

// validate returns doc's holder (empty if released) and expiry, or an
// error if it is invalid. The _id need only end with the expected id (a
// multi-model runner may prefix it).
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

// decodeHolder returns the holder stored as v: a string a client could
// have written (checkStored), or "" for a released lease; missing or of
// another type is an error.
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

// decodeLeaseDoc decodes and validates a lease document into its name and
// entry (holder empty if released); errors say which document.
func decodeLeaseDoc(raw bson.Raw) (string, entry, error) {
	var doc leaseDoc
	var holder string
	var expiry time.Time
	var term int64
	var write bson.ObjectId
	err := raw.Unmarshal(&doc)
	if err == nil {
		holder, expiry, err = doc.validate()
	}
	if err == nil {
		if term, err = decodeTerm(doc.Term); err != nil {
			err = errors.Annotatef(err, "invalid term")
		}
	}
	if err == nil {
		if write, err = decodeWriteId(doc.WriteId); err != nil {
			err = errors.Annotatef(err, "invalid write id")
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
		write:  write,
	}, nil
}

// rawId returns a document's _id as text for error messages, whatever its
// type.
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

// clockDoc is a clock document: the shared one, with the times of clients
// that wrote before clients had their own, or a client's own, naming it
// as Writer (docs/design.md#clock-documents).
type clockDoc struct {
	Id        string `bson:"_id"`
	Type      string `bson:"type"`
	Namespace string `bson:"namespace"`
	// Writer owns the document; empty in the shared one.
	Writer string `bson:"writer,omitempty"`
	// Writers maps client ids to times, read as interface{} so a wrong
	// type is reported.
	Writers map[string]interface{} `bson:"writers"`
	// Writes maps client ids to their counts of transactions, so a
	// reader sees a writer wrote again even at a time it wrote before.
	Writes map[string]interface{} `bson:"writes,omitempty"`
}

// newClockDoc returns a namespace's first clock document.
func newClockDoc(namespace string) clockDoc {
	return clockDoc{
		Id:        clockDocId(namespace),
		Type:      typeClock,
		Namespace: namespace,
		Writers:   map[string]interface{}{},
	}
}

// decodeClockDoc decodes and validates a clock document into each writer's
// latest time (its clock) and count of transactions (zero if none).
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

// writers validates doc and returns each writer's time; a client's own
// document records that client's time alone.
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

// ownedBy errs unless doc records writer's time and no one else's.
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

// decodeTime returns the time stored as v, an int64 (or a small int, as
// mgo reads it). Missing, zero (never written) and any other type (a
// float64 could be out of range) are errors naming the value.
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

// toInt64 returns t as stored. t must be in the store's range, as every
// time the client writes is checked to be: beyond, UnixNano overflows.
func toInt64(t time.Time) int64 {
	return t.UnixNano()
}

// toTime returns the time stored in the database as v, in the local zone.
func toTime(v int64) time.Time {
	return time.Unix(0, v)
}
