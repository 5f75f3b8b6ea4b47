package lease

import (
	"sort"
	"time"

	"github.com/juju/errors"
	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/mgoread"
	"github.com/seed07a61904/leadership/internal/stored"
)

// fieldClocks is the shared clock document's count of the clients' own
// clock documents, which a client's first transaction creates and counts.
// A claim taking its term from the floor asserts it, so it learns of a
// clock document it has not read (docs/design.md#clock-documents). Absent
// means zero.
const fieldClocks = "clocks"

// clockDocs is what a client knows, from its latest read, of its
// namespace's clock documents.
type clockDocs struct {
	// own: the client's own clock document exists (else the next
	// transaction creates it).
	own bool
	// sharedWrites is the shared document's count of the client's
	// transactions (by an earlier version), which its own continues.
	sharedWrites int64
	// others holds the sorted ids of the other clients with their own.
	others []string
	// created is fieldClocks as read.
	created int64
}

// clockView is what one read of a namespace's clock documents shows.
type clockView struct {
	// skews holds each writer's Skew by id (the client's own: zero).
	skews map[string]Skew
	// writes holds how many transactions each writer had run.
	writes map[string]int64
	// releases is the sum of the clock documents' release counts.
	releases int64
	// floor is the highest term floor of the clock documents.
	floor int64
	// docs is what the read showed of the clock documents themselves.
	docs clockDocs
}

// clockRecord is what one clock document records.
type clockRecord struct {
	id string
	// writer owns the document; empty for the shared one.
	writer string
	// writers and writes: times and counts of transactions, by id.
	writers map[string]time.Time
	writes  map[string]int64
	// releases, terms and clocks: its release count, term floor and
	// count of clients' own clock documents.
	releases, terms, clocks int64
}

// clockDocsQuery returns the query for every clock document of the
// namespace, and no other: the _id range from the shared document's _id
// (which ends in '#') up to the next character, '$'.
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

// decodeClockCount returns the shared document's fieldClocks, or zero.
func decodeClockCount(raw bson.Raw) (int64, error) {
	fields, err := decodeClockFields(raw)
	if err != nil {
		return 0, err
	}
	return fields.clocks(raw)
}

// clockFields are a clock document's fields besides its writers' times
// and counts: writer (absent from the shared one), releases, term floor
// and, in the shared one, fieldClocks; nil where absent.
type clockFields struct {
	Writer   interface{} `bson:"writer"`
	Releases interface{} `bson:"releases"`
	Terms    interface{} `bson:"terms"`
	Clocks   interface{} `bson:"clocks"`
}

// decodeClockFields reads raw's clockFields, or an ErrCorrupt error.
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

// clocks returns raw's count of clients' own clock documents.
func (f clockFields) clocks(raw bson.Raw) (int64, error) {
	return clockCount(raw, f.Clocks, "count of clock documents")
}

// termFloor returns raw's term floor: zero if none, ErrCorrupt if not a
// non-negative integer.
func (f clockFields) termFloor(raw bson.Raw) (int64, error) {
	floor, err := decodeTerm(f.Terms)
	if err != nil {
		return 0, corrupt(errors.Annotatef(err, "corrupt clock document %q: invalid term floor", rawId(raw)))
	}
	return floor, nil
}

// clockCount returns v, a count stored in raw, as an integer: zero if nil,
// ErrCorrupt naming what it counts if not an integer.
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

// mergeClocks returns what the records show for client id: each writer's
// time and count (from its own document, else the shared one), the sum of
// releases, the highest term floor, and who has their own document.
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

// readClocks reads every clock document between exactly two readings of
// the client's clock, never an inverted window, and keeps a writer's
// previous Skew while it has not written (docs/design.md#clocks-and-skew).
// A missing shared document or a corrupt one fails with ErrCorrupt, a
// reading out of range with ErrTimeOutOfRange; either changes nothing.
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
		// Further apart than a time.Duration counts (only without a
		// monotonic reading): the second reading ends the window.
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

// findClockDocs reads the clock documents with one query by _id (the
// shared one and the writers the cache knows), and again by _id range
// (clockDocsQuery) if the shared one counts more than were found. A
// missing shared document fails with ErrCorrupt.
func (c *client) findClockDocs(collection *mgo.Collection) ([]bson.Raw, error) {
	shared := clockDocId(c.config.Namespace)
	ids := []string{shared}
	if c.cache.clocks.own {
		ids = append(ids, writerClockDocId(c.config.Namespace, c.config.Id))
	}
	for _, other := range c.cache.clocks.others {
		ids = append(ids, writerClockDocId(c.config.Namespace, other))
	}
	raws, err := mgoread.All[bson.Raw](collection, mgoread.Query{Filter: bson.D{{Name: "_id", Value: bson.D{{Name: "$in", Value: ids}}}}})
	if err != nil {
		return nil, errors.Annotatef(cursorError(err), "cannot read clock document")
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
	raws, err = mgoread.All[bson.Raw](collection, mgoread.Query{Filter: clockDocsQuery(c.config.Namespace)})
	if err != nil {
		return nil, errors.Annotatef(cursorError(err), "cannot read clock document")
	}
	return raws, nil
}

// keepClocks records view, read without the leases, in the cache. A writer
// the cache knows but the documents no longer list (removed behind the
// clients' backs) keeps its clock data, so no cached lease loses it.
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
