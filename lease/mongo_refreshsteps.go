package lease

import (
	"fmt"
	"sort"

	"github.com/juju/errors"
	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
)

// BeginRefresh is part of the [StepRefresher] interface. Each step reads
// one reply of at most batch lease documents (up to refreshBatch) from a
// cursor kept open between steps, asking for no reply ahead; the step
// whose reply exhausts the cursor reads the clock documents, after every
// lease document as Refresh reads them, and installs the cache.
func (c *client) BeginRefresh(batch int) RefreshSteps {
	if batch <= 0 || batch > refreshBatch {
		batch = refreshBatch
	}
	return c.beginRefresh(batch)
}

// beginRefresh abandons the refresh in flight, if any, and starts one
// that reads batch documents a step.
func (c *client) beginRefresh(batch int) *refreshSteps {
	if c.steps != nil {
		c.steps.Close()
	}
	s := &refreshSteps{
		c: c, batch: batch,
		entries: map[string]entry{}, released: map[string]int64{},
	}
	c.steps = s
	c.cache.touched = map[string]bool{}
	return s
}

// refreshSteps is the client's [RefreshSteps]: what the steps have read.
// The steps send the find and getMore commands themselves, one reply a
// step: mgo's iterator deadlocks if its connection has died when it asks
// for the next reply, as it may between two steps.
type refreshSteps struct {
	c          *client
	batch      int
	collection *mgo.Collection // nil until the first step
	closer     func()
	cursor     int64            // the server's cursor; 0 once exhausted
	entries    map[string]entry // held leases read
	released   map[string]int64 // released leases read, with terms
	damaged    []error          // corrupt lease documents, left out
}

// cursorReply is the reply of a find or a getMore command.
type cursorReply struct {
	Cursor struct {
		Id         int64      `bson:"id"`
		FirstBatch []bson.Raw `bson:"firstBatch"`
		NextBatch  []bson.Raw `bson:"nextBatch"`
	} `bson:"cursor"`
}

// Step is part of the [RefreshSteps] interface.
func (s *refreshSteps) Step() (bool, error) {
	c := s.c
	if c.steps != s {
		return true, ErrRefreshAbandoned
	}
	var cmd bson.D
	if s.collection == nil {
		s.collection, s.closer = c.config.Mongo.GetCollection(c.config.Collection)
		query := bson.D{
			{Name: fieldType, Value: typeLease},
			{Name: fieldNamespace, Value: c.config.Namespace},
		}
		cmd = bson.D{{Name: "find", Value: s.collection.Name}, {Name: "filter", Value: query}, {Name: "batchSize", Value: s.batch}}
	} else {
		cmd = bson.D{{Name: "getMore", Value: s.cursor}, {Name: "collection", Value: s.collection.Name}, {Name: "batchSize", Value: s.batch}}
	}
	var reply cursorReply
	if err := s.collection.Database.Run(cmd, &reply); err != nil {
		// The server forgets the cursor in time; a store that failed
		// is not asked again now.
		s.cursor = 0
		s.end()
		return true, errors.Annotatef(cursorError(err), "cannot read lease documents")
	}
	docs := reply.Cursor.NextBatch
	if cmd[0].Name == "find" {
		docs = reply.Cursor.FirstBatch
	}
	s.cursor = reply.Cursor.Id
	for _, raw := range docs {
		name, e, err := decodeLeaseDoc(raw)
		switch {
		case err != nil:
			s.damaged = append(s.damaged, err)
		case e.holder == "":
			s.released[name] = e.term
		default:
			s.entries[name] = e
		}
	}
	if s.cursor != 0 {
		return false, nil
	}
	return true, s.finish()
}

// codeCursorNotFound is MongoDB's CursorNotFound: the server no longer has
// the cursor a getMore names (it timed out, or the server restarted or
// changed, the step reaching it through a new connection).
const codeCursorNotFound = 43

// cursorError returns err, the error of a read through a cursor (a
// step's command, or internal/mgoread's), as storeError does, but
// matching [ErrUnavailable] for a cursor the server lost too: the store
// could not answer, for a reason that passes, and a new read opens a new
// cursor.
func cursorError(err error) error {
	var queryErr *mgo.QueryError
	if errors.As(err, &queryErr) && queryErr.Code == codeCursorNotFound {
		return &classifiedError{err: err, kind: ErrUnavailable}
	}
	return storeError(err)
}

// Close is part of the [RefreshSteps] interface.
func (s *refreshSteps) Close() {
	if s.c.steps != s {
		return
	}
	s.end()
}

// end ends the refresh: it closes the cursor (not waiting for the
// answer's outcome: the server forgets an idle cursor in time) and the
// session, and stops recording which leases the cache changes.
func (s *refreshSteps) end() {
	if s.collection != nil {
		if s.cursor != 0 {
			kill := bson.D{{Name: "killCursors", Value: s.collection.Name}, {Name: "cursors", Value: []int64{s.cursor}}}
			_ = s.collection.Database.Run(kill, nil)
		}
		s.closer()
		s.collection, s.closer, s.cursor = nil, nil, 0
	}
	s.c.steps = nil
	s.c.cache.touched = nil
}

// finish is the last step, once the cursor is exhausted: it reads the
// clock documents and installs the cache (install), or leaves it as it
// was on an error but a corrupt lease's.
func (s *refreshSteps) finish() error {
	view, err := s.c.readClocks(s.collection)
	if err != nil {
		s.end()
		return errors.Trace(err)
	}
	touched := s.c.cache.touched
	s.end()
	return s.install(view, touched)
}

// install replaces the client's cache with what the steps read and view,
// except that each lease in touched (written or read alone since the
// refresh began) keeps its cache entry, with its writer's clock data if
// view lacks it, and the term floor only rises
// (docs/design.md#stepped-refreshes). It returns ErrCorrupt for corrupt
// lease documents and leases whose writer has no clock data, left out.
func (s *refreshSteps) install(view clockView, touched map[string]bool) error {
	c, entries, damaged := s.c, s.entries, s.damaged
	skews := view.skews
	names := make([]string, 0, len(entries))
	for name := range entries {
		if !touched[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		writer := entries[name].writer
		if _, found := skews[writer]; !found {
			damaged = append(damaged, corrupt(errors.Errorf("lease %q invalid: no clock data for %s", name, writer)))
			delete(entries, name)
		}
	}
	releasedTerms := s.released
	for name := range touched {
		delete(entries, name)
		delete(releasedTerms, name)
		if e, held := c.cache.entries[name]; held {
			entries[name] = e
			skew, known := c.cache.skews[e.writer]
			if _, found := skews[e.writer]; !found && known {
				skews[e.writer] = skew
				view.writes[e.writer] = c.cache.writes[e.writer]
			}
		}
		if c.cache.released[name] {
			releasedTerms[name] = c.cache.releasedTerms[name]
		}
	}
	released := make(map[string]bool, len(releasedTerms))
	for name, term := range releasedTerms {
		released[name] = true
		if term == 0 {
			delete(releasedTerms, name)
		}
	}
	c.cache = cache{
		entries: entries, released: released, releasedTerms: releasedTerms,
		skews: skews, writes: view.writes, releases: view.releases,
		termFloor: maxTerm(c.cache.termFloor, view.floor),
		clocks:    view.docs,
	}
	switch len(damaged) {
	case 0:
		return nil
	case 1:
		return damaged[0]
	}
	return corrupt(fmt.Errorf("%w (and %d more corrupt lease documents)", damaged[0], len(damaged)-1))
}
