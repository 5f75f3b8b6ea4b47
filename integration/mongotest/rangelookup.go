package mongotest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
)

// A find whose filter is exactly a range of _id between two strings,
// {_id: {$gte or $gt: lo, $lt or $lte: hi}}, FerretDB's SQLite backend
// answers by reading every document of the collection: it pushes down to
// SQL only an equality on _id. The lease client reads all its
// namespace's clock documents with such a find when the namespace counts
// more of them than it knows (its first read, and after another writer
// appears; otherwise it reads them by _id $in), so on the embedded server
// that read's cost grew with the number of leases. MongoDB answers it
// from its _id index, reading only the documents in the range.
//
// The proxy does the same through the index that idindex.go adds: it
// reads the _ids in the range from that index, through a connection of
// its own to the database file, and runs the find as one lookup by _id
// each (runInLookup), in ascending _id order, as an index scan returns
// them. The index holds each _id's JSON text, which for a string is the
// string in double quotes, with some characters escaped. So the proxy
// asks SQLite for the _ids whose JSON text starts with the bounds' common
// prefix (every string between the bounds starts with it), and keeps
// those between the bounds itself, comparing strings byte by byte as
// MongoDB's simple collation does. It does so only when that prefix is
// not empty and holds none of the characters a JSON encoder may escape;
// otherwise FerretDB answers the find as it is.

// idRange is a range of string _ids: lo to hi, each bound included if its
// flag says so.
type idRange struct {
	lo, hi         string
	loIncl, hiIncl bool
}

// contains reports whether id is in r.
func (r idRange) contains(id string) bool {
	if id < r.lo || (id == r.lo && !r.loIncl) {
		return false
	}
	return id < r.hi || (id == r.hi && r.hiIncl)
}

// prefix returns the bytes that every string in r starts with: the
// longest common prefix of its bounds.
func (r idRange) prefix() string {
	n := 0
	for n < len(r.lo) && n < len(r.hi) && r.lo[n] == r.hi[n] {
		n++
	}
	return r.lo[:n]
}

// jsonVerbatim reports whether s is not empty and every byte of s is a
// printable ASCII character that no JSON encoder escapes: not a control
// character, a space, '!' or '"', nor '\\', nor the '<', '>' and '&' that
// Go's encoding/json escapes. Such a string's JSON text is s in double
// quotes.
func jsonVerbatim(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b <= '"' || b >= 0x7f:
			return false
		case b == '\\' || b == '<' || b == '>' || b == '&':
			return false
		}
	}
	return true
}

// rangeLookup returns the range of the find cmd (with fields as
// rewriteCommand returned them) if its filter is exactly
// {_id: {<lower>: lo, <upper>: hi}} of two strings, with lower one of
// $gte and $gt and upper one of $lt and $lte, in either order, their
// common prefix is jsonVerbatim, and it has no field beyond inFindOptions
// (and a skip and a limit of zero); false otherwise.
func rangeLookup(name string, cmd []element) (idRange, bool) {
	if name != "find" || len(cmd) == 0 {
		return idRange{}, false
	}
	if _, ok := cmd[0].str(); !ok {
		return idRange{}, false
	}
	for _, e := range cmd {
		if n, isNum := e.number(); isNum && n == 0 && (e.key == "skip" || e.key == "limit") {
			continue
		}
		if !inFindOptions[e.key] {
			return idRange{}, false
		}
	}
	filter, _ := lookup(cmd, "filter")
	fields, ok := filter.doc()
	if !ok || len(fields) != 1 || fields[0].key != "_id" {
		return idRange{}, false
	}
	ops, ok := fields[0].doc()
	if !ok || len(ops) != 2 {
		return idRange{}, false
	}
	var r idRange
	var lower, upper bool
	for _, op := range ops {
		s, ok := op.str()
		if !ok {
			return idRange{}, false
		}
		switch op.key {
		case "$gte", "$gt":
			if lower {
				return idRange{}, false
			}
			lower, r.lo, r.loIncl = true, s, op.key == "$gte"
		case "$lt", "$lte":
			if upper {
				return idRange{}, false
			}
			upper, r.hi, r.hiIncl = true, s, op.key == "$lte"
		default:
			return idRange{}, false
		}
	}
	if !lower || !upper || !jsonVerbatim(r.prefix()) {
		return idRange{}, false
	}
	return r, true
}

// runRangeLookup runs the find cmd (on database db), whose filter
// rangeLookup found to be the range r, as lookups by _id of the _ids in r,
// and returns its reply; false, and no reply, if the _ids could not be
// read from the index (the caller then sends cmd as it is).
func (c *conn) runRangeLookup(db string, cmd []element, r idRange) ([]byte, bool, error) {
	coll, _ := cmd[0].str()
	ids, ok := c.s.ids.inRange(collName{db, coll}, r)
	if !ok {
		return nil, false, nil
	}
	elems := make([]element, len(ids))
	for i, id := range ids {
		elems[i] = stringElement("_id", id)
	}
	return c.runInLookup(db, cmd, elems)
}

// inRange returns the string _ids of collection c in r, in ascending
// order, read from the index on c's table; false if c is not indexed (or
// x is nil, with Options.NoIDIndex) or the read failed (counted as a
// failure, as an indexing that failed is). It holds mu, so that no
// connection of the server's is open on a database file that FerretDB
// removes.
func (x *idIndexes) inRange(c collName, r idRange) ([]string, bool) {
	if x == nil {
		return nil, false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.indexed[c] {
		return nil, false
	}
	ids, err := x.readRange(c, r)
	if err != nil {
		x.failures++
		return nil, false
	}
	return ids, true
}

// readRange reads the _ids of r from the index on c's table, through a
// connection of the server's own that it closes before it returns. The
// caller holds mu.
func (x *idIndexes) readRange(c collName, r idRange) ([]string, error) {
	var ids []string
	err := x.withTable(c, "ro", func(db *sql.DB, table string) error {
		var err error
		ids, err = rangeIDs(db, table, c, r)
		return err
	})
	if errors.Is(err, errNoCollection) {
		return nil, nil
	}
	return ids, err
}

// rangeIDs reads the _ids of r from the index on table, the table of c,
// through db.
func rangeIDs(db *sql.DB, table string, c collName, r idRange) ([]string, error) {
	ctx := context.Background()
	// Every JSON text that starts with `"` and the prefix sorts from
	// that text up to the same with its last byte one higher (a
	// printable ASCII character, so below 0x7f).
	from := `"` + r.prefix()
	to := from[:len(from)-1] + string(from[len(from)-1]+1)
	rows, err := db.QueryContext(ctx, rangeQuery(table), from, to)
	if err != nil {
		return nil, fmt.Errorf("mongotest: reading _ids of %s.%s: %w", c.db, c.coll, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("mongotest: reading _ids of %s.%s: %w", c.db, c.coll, err)
		}
		if r.contains(id) {
			ids = append(ids, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mongotest: reading _ids of %s.%s: %w", c.db, c.coll, err)
	}
	sort.Strings(ids)
	return ids, nil
}

// rangeQuery returns the query of the _ids of table whose JSON text is
// from its first argument (included) to its second (excluded), which
// SQLite answers from the index on idIndexExpr.
func rangeQuery(table string) string {
	return fmt.Sprintf("SELECT _ferretdb_sjson->>'$._id' FROM %s WHERE %s >= ? AND %s < ?", quoteIdent(table), idIndexExpr, idIndexExpr)
}
