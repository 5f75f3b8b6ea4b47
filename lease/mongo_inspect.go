package lease

import (
	"sort"
	"time"

	"github.com/juju/errors"
	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/mgoread"
)

// Snapshot is what [Inspect] read of one namespace, for an operator. It is
// no [Client], and nothing in it may decide whether a lease has expired.
type Snapshot struct {
	// Namespace is the namespace read.
	Namespace string

	// Leases holds the valid lease documents with a holder, by name.
	Leases []StoredLease

	// Released holds the names of leases whose document is kept with no
	// holder (docs/design.md#released-leases), sorted: not held.
	Released []string

	// HasClock says whether the shared clock document exists (every
	// [NewClient] creates it).
	HasClock bool

	// Writers holds each writer's clock record, sorted by id: from its
	// own clock document if any, else the shared one; corrupt ones left
	// out (docs/design.md#clock-documents).
	Writers []StoredWriter

	// ReadAfter and ReadBefore are the reader's clock readings around
	// the read of the clock documents (see [Skew]).
	ReadAfter, ReadBefore time.Time

	// Problems lists, in order found, the corrupt lease documents (not in
	// Leases), corrupt clock documents (not in Writers), and leases whose
	// writer has no clock time; a [Client] would refuse to refresh.
	Problems []Problem
}

// StoredLease is one lease document, as stored.
type StoredLease struct {
	// Name is the lease's name.
	Name string

	// Holder is the lease's holder.
	Holder string

	// Expiry is the time the lease was written to run until, on Writer's
	// clock, not the reader's (see [Snapshot.Skew]).
	Expiry time.Time

	// Writer is the id of the client that wrote the lease last.
	Writer string

	// Term is the lease's term ([Info.Term]); 0 if written without terms.
	Term int64
}

// StoredWriter is what the clock documents record of one writer.
type StoredWriter struct {
	// Id is the writer's client id.
	Id string

	// LastWrite is the latest time the writer recorded, on its own clock.
	LastWrite time.Time

	// Writes counts the writer's transactions (zero if none recorded).
	Writes int64
}

// Problem is a document that [Inspect] could not use.
type Problem struct {
	// Document is the document's _id, as text.
	Document string

	// Err says what is wrong with it.
	Err error
}

// Inspect reads every document of namespace in the named collection of
// mongo as [Client.Refresh] does, validated by the same code, and returns
// what they hold. It writes nothing. A corrupt document is left out and
// reported in [Snapshot.Problems]; it returns an error only if the store
// cannot be read (matching [ErrUnavailable] if it could not answer), or
// [ErrInvalidArgument] for an invalid collection or namespace.
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
	leases, err := mgoread.All[bson.Raw](collection, mgoread.Query{Filter: query, Batch: refreshBatch})
	if err != nil {
		return Snapshot{}, errors.Annotatef(cursorError(err), "cannot read lease documents")
	}
	readAfter := clock.Now()
	clocks, err := mgoread.All[bson.Raw](collection, mgoread.Query{Filter: clockDocsQuery(namespace)})
	readBefore := clock.Now()
	if err != nil {
		return Snapshot{}, errors.Annotatef(cursorError(err), "cannot read clock documents")
	}
	return inspectDocs(namespace, leases, clocks, readAfter, readBefore), nil
}

// inspectDocs decodes what Inspect read: the lease documents and clock
// documents, between the readings readAfter and readBefore.
func inspectDocs(namespace string, leases []bson.Raw, clocks []bson.Raw, readAfter, readBefore time.Time) Snapshot {
	if readBefore.Before(readAfter) {
		// Stepped back between the readings (docs/design.md#clock-steps).
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

// Skew returns what the snapshot shows of writer id's clock, as a [Skew]
// whose Latest maps a time on that clock (a lease's Expiry) onto the
// latest local time the writer might not have reached it; false if
// nothing is recorded. Earliest is no bound
// (docs/design.md#clocks-and-skew).
func (s Snapshot) Skew(id string) (Skew, bool) {
	w, ok := s.Writer(id)
	if !ok {
		return Skew{}, false
	}
	return Skew{LastWrite: w.LastWrite, ReadAfter: s.ReadAfter, ReadBefore: s.ReadBefore}, true
}

// Namespaces returns the sorted, distinct namespaces with a lease or clock
// document in the named collection of mongo. A store that cannot answer
// gives an error matching [ErrUnavailable], as [Inspect]'s does.
func Namespaces(mongo Mongo, collection string) ([]string, error) {
	if err := checkString("collection", collection); err != nil {
		return nil, errors.Trace(err)
	}
	coll, closer := mongo.GetCollection(collection)
	defer closer()
	query := bson.D{{Name: fieldType, Value: bson.D{{Name: "$in", Value: []string{typeLease, typeClock}}}}}
	var found []interface{}
	if err := coll.Find(query).Distinct(fieldNamespace, &found); err != nil {
		return nil, errors.Annotatef(storeError(err), "cannot list namespaces")
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
