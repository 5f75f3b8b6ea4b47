package lease

import (
	"sort"
	"time"

	"github.com/juju/errors"
	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
)

// Snapshot is what [Inspect] read of one namespace's documents, for an
// operator to look at. It changes nothing and caches nothing: it is not a
// [Client], and nothing in it may be used to decide whether a lease has
// expired.
type Snapshot struct {
	// Namespace is the namespace read.
	Namespace string

	// Leases holds every valid lease document of the namespace that has
	// a holder, sorted by name.
	Leases []StoredLease

	// Released holds the names of the leases whose document is kept with
	// no holder (see docs/design.md#released-leases), sorted: they
	// are not held, as if they had no document.
	Released []string

	// HasClock says whether the namespace's shared clock document
	// exists. Every [NewClient] creates it, so a namespace with neither
	// leases nor a clock document has never been used.
	HasClock bool

	// Writers holds what the clock documents record of each writer,
	// sorted by id: what its own clock document records, if it has one,
	// and otherwise what the shared one does (see
	// docs/design.md#clock-documents). What a corrupt clock document
	// records is left out.
	Writers []StoredWriter

	// ReadAfter and ReadBefore are readings of the reader's clock taken
	// just before and just after the read of the clock documents, earlier
	// first (see [Skew]): each writer had reached its LastWrite, on its
	// own clock, at some local time between them.
	ReadAfter, ReadBefore time.Time

	// Problems lists the documents that could not be used, in the order
	// found: lease documents that are corrupt (skipped from Leases),
	// corrupt clock documents (left out of Writers), and leases whose
	// writer has no time in the clock documents. A [Client] would refuse
	// to refresh while any of these is there.
	Problems []Problem
}

// StoredLease is one lease document, as stored.
type StoredLease struct {
	// Name is the lease's name.
	Name string

	// Holder is the lease's holder.
	Holder string

	// Expiry is the time the lease was written to run until, on the
	// clock of Writer: not on the reader's clock (see [Snapshot.Skew]).
	Expiry time.Time

	// Writer is the id of the client that wrote the lease last.
	Writer string

	// Term is the lease's term (see [Info.Term]): 0 for a document
	// written by a client that keeps no terms.
	Term int64
}

// StoredWriter is what the clock documents record of one writer: a
// client that has written in the namespace.
type StoredWriter struct {
	// Id is the writer's client id.
	Id string

	// LastWrite is the latest time the writer recorded, on its own clock.
	LastWrite time.Time

	// Writes counts the transactions the writer has run in the namespace
	// (zero if the document has no count for it).
	Writes int64
}

// Problem is a document that [Inspect] could not use.
type Problem struct {
	// Document is the document's _id (as text, even when it is not a
	// string).
	Document string

	// Err says what is wrong with it.
	Err error
}

// Inspect reads every document of namespace in the named collection of
// mongo (see [ClientConfig]), as [Client.Refresh] does (the lease
// documents first, then the clock documents, with one query, between two
// readings of clock), validated by the same code, and returns what they hold. It
// writes nothing, so it neither creates a clock document nor records a
// writer. A corrupt document does not make it fail: it is left out and
// reported in [Snapshot.Problems]. It returns an error only if the store
// cannot be read, or, matching [ErrInvalidArgument], if collection or
// namespace is not a valid string (see [MaxStringLen]).
func Inspect(mongo Mongo, collection, namespace string, clock Clock) (Snapshot, error) {
	if err := checkString("collection", collection); err != nil {
		return Snapshot{}, errors.Trace(err)
	}
	if err := checkString("namespace", namespace); err != nil {
		return Snapshot{}, errors.Trace(err)
	}
	coll, closer := mongo.GetCollection(collection)
	defer closer()
	return inspect(coll, namespace, clock)
}

// inspect is Inspect on coll.
func inspect(collection *mgo.Collection, namespace string, clock Clock) (Snapshot, error) {
	query := bson.D{
		{Name: fieldType, Value: typeLease},
		{Name: fieldNamespace, Value: namespace},
	}
	var leases []bson.Raw
	if err := collection.Find(query).All(&leases); err != nil {
		return Snapshot{}, errors.Annotatef(err, "cannot read lease documents")
	}
	readAfter := clock.Now()
	var clocks []bson.Raw
	err := collection.Find(clockDocsQuery(namespace)).All(&clocks)
	readBefore := clock.Now()
	if err != nil {
		return Snapshot{}, errors.Annotatef(err, "cannot read clock documents")
	}
	return inspectDocs(namespace, leases, clocks, readAfter, readBefore), nil
}

// inspectDocs decodes the documents that Inspect read: the namespace's
// lease documents and its clock documents (the shared one, if it exists,
// and the writers' own), read between the clock readings readAfter and
// readBefore.
func inspectDocs(namespace string, leases []bson.Raw, clocks []bson.Raw, readAfter, readBefore time.Time) Snapshot {
	if readBefore.Before(readAfter) {
		// A clock stepped back between the readings (see
		// docs/design.md#clock-steps).
		readAfter, readBefore = readBefore, readAfter
	}
	snap := Snapshot{Namespace: namespace, ReadAfter: readAfter, ReadBefore: readBefore}
	for _, raw := range leases {
		name, e, err := decodeLeaseDoc(raw)
		switch {
		case err != nil:
			snap.Problems = append(snap.Problems, Problem{Document: rawId(raw), Err: err})
		case e.holder == "":
			snap.Released = append(snap.Released, name)
		default:
			snap.Leases = append(snap.Leases, StoredLease{Name: name, Holder: e.holder, Expiry: e.expiry, Writer: e.writer, Term: e.term})
		}
	}
	sort.Slice(snap.Leases, func(i, j int) bool { return snap.Leases[i].Name < snap.Leases[j].Name })
	sort.Strings(snap.Released)

	known := map[string]bool{}
	var records []clockRecord
	for _, raw := range clocks {
		if rawId(raw) == clockDocId(namespace) {
			snap.HasClock = true
		}
		r, err := decodeClockRecord(raw)
		if err != nil {
			snap.Problems = append(snap.Problems, Problem{Document: rawId(raw), Err: err})
			continue
		}
		records = append(records, r)
	}
	writers, writes, _ := mergeClocks("", records)
	for id, t := range writers {
		snap.Writers = append(snap.Writers, StoredWriter{Id: id, LastWrite: t, Writes: writes[id]})
		known[id] = true
	}
	sort.Slice(snap.Writers, func(i, j int) bool { return snap.Writers[i].Id < snap.Writers[j].Id })
	for _, l := range snap.Leases {
		if !known[l.Writer] {
			snap.Problems = append(snap.Problems, Problem{
				Document: leaseDocId(namespace, l.Name),
				Err:      errors.Errorf("lease %q invalid: no clock data for %s", l.Name, l.Writer),
			})
		}
	}
	return snap
}

// Writer returns what the clock document records of the writer with the
// given id, and whether it records anything.
func (s Snapshot) Writer(id string) (StoredWriter, bool) {
	i := sort.Search(len(s.Writers), func(i int) bool { return s.Writers[i].Id >= id })
	if i < len(s.Writers) && s.Writers[i].Id == id {
		return s.Writers[i], true
	}
	return StoredWriter{}, false
}

// Skew returns what the snapshot shows of the clock of the writer with
// the given id, as a [Skew] whose Latest maps a time on that writer's
// clock (a lease's Expiry) onto the latest local time at which the writer
// might not yet have reached it; and false if the clock document records
// nothing of that writer.
//
// That bound is all that can be known: the writer had reached LastWrite
// by ReadBefore, but may have written it long before the read, so its
// clock may be further ahead by any amount, and Skew.Earliest is no
// bound (see docs/design.md#clocks-and-skew).
func (s Snapshot) Skew(id string) (Skew, bool) {
	w, ok := s.Writer(id)
	if !ok {
		return Skew{}, false
	}
	return Skew{LastWrite: w.LastWrite, ReadAfter: s.ReadAfter, ReadBefore: s.ReadBefore}, true
}

// Namespaces returns the namespaces that have a lease or a clock document
// in the named collection of mongo, sorted, without duplicates.
// Documents of other types are ignored.
func Namespaces(mongo Mongo, collection string) ([]string, error) {
	if err := checkString("collection", collection); err != nil {
		return nil, errors.Trace(err)
	}
	coll, closer := mongo.GetCollection(collection)
	defer closer()
	query := bson.D{{Name: fieldType, Value: bson.D{{Name: "$in", Value: []string{typeLease, typeClock}}}}}
	var found []interface{}
	if err := coll.Find(query).Distinct(fieldNamespace, &found); err != nil {
		return nil, errors.Annotatef(err, "cannot list namespaces")
	}
	var names []string
	for _, v := range found {
		if s, ok := v.(string); ok {
			names = append(names, s)
		}
	}
	sort.Strings(names)
	return names, nil
}
