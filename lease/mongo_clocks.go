package lease

import (
	"sort"
	"time"

	"github.com/juju/errors"
	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/stored"
)

// fieldClocks is the shared clock document's count of the clients' own
// clock documents created in the namespace: a client's first transaction
// creates its own and adds one. A claim that takes its term from the
// namespace's term floor asserts the count, so that it learns of a
// client whose clock document it has not read (see
// docs/design.md#clock-documents). It is absent until the first client
// creates its own, and reads as zero there.
const fieldClocks = "clocks"

// clockDocs is what a client knows, from its latest read of them, of the
// clock documents of its namespace: which clients have their own, and
// what the client's own transactions must assert of the shared one.
type clockDocs struct {
	// own says that the client's own clock document exists: its next
	// transaction updates it, where the first creates it.
	own bool
	// sharedWrites is the shared clock document's count of the
	// client's transactions (written by an earlier version with the
	// same id), which the count in its own document continues.
	sharedWrites int64
	// others holds the ids of the other clients that have their own
	// clock document, sorted.
	others []string
	// created is the shared clock document's count of the clients' own
	// clock documents (fieldClocks).
	created int64
}

// clockView is what one read of a namespace's clock documents shows.
type clockView struct {
	// skews holds what is known of each writer's clock, by client id,
	// the client's own id mapping to the zero Skew.
	skews map[string]Skew
	// writes holds how many transactions each writer had run.
	writes map[string]int64
	// releases is the namespace's count of releases: the sum of the
	// counts of its clock documents (see ReleaseWatcher).
	releases int64
	// floor is the namespace's term floor: the highest term floor of
	// its clock documents (see fieldTerms).
	floor int64
	// docs is what the read showed of the clock documents themselves.
	docs clockDocs
}

// clockRecord is what one clock document records.
type clockRecord struct {
	// id is the document's _id.
	id string
	// writer is the client whose own document it is: empty for the
	// namespace's shared one.
	writer string
	// writers and writes are the times and counts of transactions it
	// records, by client id.
	writers map[string]time.Time
	writes  map[string]int64
	// releases, terms and clocks are its count of releases, term floor
	// and count of clients' own clock documents.
	releases, terms, clocks int64
}

// clockDocsQuery returns the query that reads every clock document of the
// namespace, and no other document: those whose _id starts with the
// shared clock document's, which ends with '#', found through the _id
// index as a range of _ids that ends before the next character, '$'.
func clockDocsQuery(namespace string) bson.D {
	shared := clockDocId(namespace)
	return bson.D{{Name: "_id", Value: bson.D{
		{Name: "$gte", Value: shared},
		{Name: "$lt", Value: shared[:len(shared)-1] + "$"},
	}}}
}

// decodeClockRecord decodes and validates a clock document, shared or a
// client's own. Errors match ErrCorrupt.
func decodeClockRecord(raw bson.Raw) (clockRecord, error) {
	fields, err := decodeClockFields(raw)
	if err != nil {
		return clockRecord{}, errors.Trace(err)
	}
	writer, ok := fields.Writer.(string)
	if fields.Writer != nil && !ok {
		return clockRecord{}, corrupt(errors.Errorf("corrupt clock document %q: invalid writer %v (a %T, not a string)", rawId(raw), fields.Writer, fields.Writer))
	}
	r := clockRecord{id: rawId(raw), writer: writer}
	if r.writers, r.writes, err = decodeClockDoc(raw); err != nil {
		return clockRecord{}, errors.Trace(err)
	}
	if r.releases, err = fields.releases(raw); err != nil {
		return clockRecord{}, errors.Trace(err)
	}
	if r.terms, err = fields.termFloor(raw); err != nil {
		return clockRecord{}, errors.Trace(err)
	}
	if r.clocks, err = fields.clocks(raw); err != nil {
		return clockRecord{}, errors.Trace(err)
	}
	return r, nil
}

// decodeClockCount returns the shared clock document's count of the
// clients' own clock documents (see fieldClocks): zero if it has none.
func decodeClockCount(raw bson.Raw) (int64, error) {
	fields, err := decodeClockFields(raw)
	if err != nil {
		return 0, err
	}
	return fields.clocks(raw)
}

// clockFields are the fields of a clock document besides its writers'
// times and counts (see clockDoc), as stored: the client whose own
// document it is (absent from the shared one), its count of releases
// (fieldReleases), its term floor (fieldTerms) and, in the shared one,
// its count of clients' own clock documents (fieldClocks). Each is nil
// where the document has none.
type clockFields struct {
	Writer   interface{} `bson:"writer"`
	Releases interface{} `bson:"releases"`
	Terms    interface{} `bson:"terms"`
	Clocks   interface{} `bson:"clocks"`
}

// decodeClockFields reads the fields of the clock document raw, or
// returns an ErrCorrupt error naming it.
func decodeClockFields(raw bson.Raw) (clockFields, error) {
	var fields clockFields
	if err := raw.Unmarshal(&fields); err != nil {
		return clockFields{}, corrupt(errors.Annotatef(err, "corrupt clock document %q", rawId(raw)))
	}
	return fields, nil
}

// releases returns the count of releases of raw, whose fields f are.
func (f clockFields) releases(raw bson.Raw) (int64, error) {
	return clockCount(raw, f.Releases, "release count")
}

// clocks returns the count of clients' own clock documents of raw, whose
// fields f are.
func (f clockFields) clocks(raw bson.Raw) (int64, error) {
	return clockCount(raw, f.Clocks, "count of clock documents")
}

// termFloor returns the term floor of raw, whose fields f are: zero if
// it has none, and an ErrCorrupt error naming the document if it is not
// a non-negative integer.
func (f clockFields) termFloor(raw bson.Raw) (int64, error) {
	floor, err := decodeTerm(f.Terms)
	if err != nil {
		return 0, corrupt(errors.Annotatef(err, "corrupt clock document %q: invalid term floor", rawId(raw)))
	}
	return floor, nil
}

// clockCount returns v, a count stored in the clock document raw, as an
// integer: zero if the document has none (v is nil), and an ErrCorrupt
// error naming the document and what v counts if v is not an integer.
func clockCount(raw bson.Raw, v interface{}, what string) (int64, error) {
	switch v := v.(type) {
	case nil:
		return 0, nil
	case int64:
		return v, nil
	case int:
		return int64(v), nil
	default:
		return 0, corrupt(errors.Errorf("corrupt clock document %q: invalid %s %v (a %T, not an integer)", rawId(raw), what, v, v))
	}
}

// mergeClocks returns what the clock documents records show, for the
// client with the given id: each writer's time and count of
// transactions, from its own clock document if it has one and from the
// shared one otherwise; the sum of their counts of releases; the highest
// of their term floors; and which writers have their own document.
func mergeClocks(id string, records []clockRecord) (map[string]time.Time, map[string]int64, clockView) {
	writers := map[string]time.Time{}
	writes := map[string]int64{}
	var view clockView
	for _, r := range records {
		view.releases += r.releases
		view.floor = maxTerm(view.floor, r.terms)
		if r.writer != "" {
			continue
		}
		view.docs.created = r.clocks
		view.docs.sharedWrites = r.writes[id]
		for writer, t := range r.writers {
			writers[writer] = t
			writes[writer] = r.writes[writer]
		}
	}
	for _, r := range records {
		if r.writer == "" {
			continue
		}
		writers[r.writer] = r.writers[r.writer]
		writes[r.writer] = r.writes[r.writer]
		if r.writer == id {
			view.docs.own = true
		} else {
			view.docs.others = append(view.docs.others, r.writer)
		}
	}
	sort.Strings(view.docs.others)
	return writers, writes, view
}

// readClocks reads every clock document of the namespace (see
// findClockDocs), between exactly two readings of the client's clock, and
// returns what they show (see clockView).
//
// It keeps a writer's previous Skew while the writer has not written since
// (see docs/design.md#clocks-and-skew). The read window is never
// inverted, even by a clock stepped back during the read. A missing
// shared clock document, or any corrupt clock document, fails it with
// ErrCorrupt; a reading that the store cannot hold, with
// ErrTimeOutOfRange; either changes nothing.
func (c *client) readClocks(collection *mgo.Collection) (clockView, error) {
	readAfter := c.config.Clock.Now()
	raws, err := c.findClockDocs(collection)
	readEnd := c.config.Clock.Now()
	if err != nil {
		return clockView{}, errors.Trace(err)
	}
	for _, reading := range []time.Time{readAfter, readEnd} {
		if err := stored.CheckClockReading(reading, c.config.Id); err != nil {
			return clockView{}, errors.Trace(err)
		}
	}
	elapsed := readEnd.Sub(readAfter)
	readBefore := readAfter.Add(elapsed)
	switch {
	case elapsed < 0:
		// The clock stepped back between the readings.
		readAfter, readBefore = readEnd, readAfter
	case readBefore.Before(readEnd):
		// The readings are further apart than a time.Duration counts
		// (Sub saturated): only a clock without a monotonic reading can
		// do that, and its second reading is then the end of the window.
		readBefore = readEnd
	}

	records := make([]clockRecord, len(raws))
	for i, raw := range raws {
		if records[i], err = decodeClockRecord(raw); err != nil {
			return clockView{}, errors.Trace(err)
		}
	}
	writers, writes, view := mergeClocks(c.config.Id, records)
	view.writes = writes
	view.skews = make(map[string]Skew, len(writers)+1)
	for writer, lastWrite := range writers {
		previous, found := c.cache.skews[writer]
		if found && previous.LastWrite.Equal(lastWrite) && c.cache.writes[writer] == writes[writer] {
			view.skews[writer] = previous
			continue
		}
		view.skews[writer] = Skew{
			LastWrite:  lastWrite,
			ReadAfter:  readAfter,
			ReadBefore: readBefore,
		}
	}
	view.skews[c.config.Id] = Skew{}
	return view, nil
}

// findClockDocs reads every clock document of the namespace with one
// query in the usual case: the shared one and those of the writers the
// cache knows, by their _ids (which MongoDB, and the embedded test
// server, find by the _id index). If the shared document counts more
// writers' documents than that found (a writer that has written since the
// last read, or the first read of a client), it reads them all again, by
// a range of _ids (see clockDocsQuery). It fails, matching ErrCorrupt, if
// the shared document is missing.
func (c *client) findClockDocs(collection *mgo.Collection) ([]bson.Raw, error) {
	shared := clockDocId(c.config.Namespace)
	ids := []string{shared}
	if c.cache.clocks.own {
		ids = append(ids, writerClockDocId(c.config.Namespace, c.config.Id))
	}
	for _, other := range c.cache.clocks.others {
		ids = append(ids, writerClockDocId(c.config.Namespace, other))
	}
	var raws []bson.Raw
	err := collection.Find(bson.D{{Name: "_id", Value: bson.D{{Name: "$in", Value: ids}}}}).All(&raws)
	if err != nil {
		return nil, errors.Annotatef(storeError(err), "cannot read clock document")
	}
	found, writers, counted := false, int64(0), int64(0)
	for _, raw := range raws {
		if rawId(raw) != shared {
			writers++
			continue
		}
		found = true
		if counted, err = decodeClockCount(raw); err != nil {
			return nil, errors.Trace(err)
		}
	}
	if !found {
		return nil, corrupt(errors.Errorf("clock document %q missing (was the collection dropped?)", shared))
	}
	if counted <= writers {
		return raws, nil
	}
	raws = nil
	if err := collection.Find(clockDocsQuery(c.config.Namespace)).All(&raws); err != nil {
		return nil, errors.Annotatef(storeError(err), "cannot read clock document")
	}
	return raws, nil
}

// keepClocks records view, read without reading every lease, in the
// cache. A writer that the cache knows of but the clock documents no
// longer list keeps what the cache knew, so that no cached lease is left
// without clock data (which would make its expiry read as local). The
// clock documents only gain writers, so that happens only if one was
// removed or replaced behind the clients' backs.
func (c *client) keepClocks(view clockView) {
	for writer, skew := range c.cache.skews {
		if _, found := view.skews[writer]; !found {
			view.skews[writer] = skew
			view.writes[writer] = c.cache.writes[writer]
		}
	}
	c.cache.skews, c.cache.writes = view.skews, view.writes
	c.cache.releases = view.releases
	c.cache.termFloor = maxTerm(c.cache.termFloor, view.floor)
	c.cache.clocks = view.docs
}
