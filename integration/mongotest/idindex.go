package mongotest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB registers too
)

// This file gives every collection of the embedded server an index on
// the expression that FerretDB's SQLite backend looks documents up by.
//
// FerretDB v1 (backends/sqlite) keeps each database in a file
// <dir>/<db>.sqlite, and each collection in a table whose name its
// metadata table _ferretdb_collections holds (metadata/registry.go,
// collectionCreate). Its default index on _id is
// CREATE UNIQUE INDEX ... ON <table> (_ferretdb_sjson->"_id")
// (registry.go, indexesCreate), but it reads, updates and deletes by _id
// with WHERE _ferretdb_sjson->'$._id' = ? (metadata.IDColumn, in
// collection.go's Query, UpdateAll and DeleteAll). SQLite uses an index on
// an expression only for that same expression, so every lookup by _id
// scans the table and decodes every document's JSON: its time grows with
// the collection. An index on _ferretdb_sjson->'$._id' itself turns the
// scan into a search. It is not unique (FerretDB's own index keeps _id
// unique), it never changes an answer, and FerretDB knows nothing of it:
// listIndexes and collStats do not report it (dbStats' totalSize, the
// size of the file, counts it).

// idIndexExpr is the expression FerretDB looks documents up by (and
// metadata.IDColumn's value).
const idIndexExpr = `_ferretdb_sjson->'$._id'`

// idIndexPrefix starts the name of each index the server adds, followed by
// the table's name. FerretDB names its own indexes <table>_<index>, and
// no table name starts with _ferretdb_, a prefix FerretDB refuses for
// collections, so the names cannot clash.
const idIndexPrefix = "_ferretdb_mongotest_id_"

// idIndexPragmas are the pragmas of the server's own connections to a
// database file: FerretDB's busy timeout (10 s; SQLite's own wait, not a
// Go timer) and synchronous mode (see sqlitePragmas). The file is in
// write-ahead-log mode already, which FerretDB set when it created it.
const idIndexPragmas = "_pragma=busy_timeout(10000)&_pragma=synchronous(normal)"

// creatingCommands names the commands that may create a collection (the
// one they name), and with it its database: explicitly or as an insert,
// an upsert or an index creation does.
var creatingCommands = map[string]bool{
	"create": true, "insert": true, "update": true, "findAndModify": true,
	"findandmodify": true, "createIndexes": true,
}

// droppingCommands names the commands that may remove a collection's
// table, and with it the index on it: drop, dropDatabase, and
// renameCollection (whose dropTarget drops the target, and which moves
// the source's table to the target's name).
var droppingCommands = map[string]bool{"drop": true, "dropDatabase": true, "renameCollection": true}

// idIndexes adds the index to each collection once: it remembers the
// collections it indexed, and forgets them when they may have been
// dropped. A nil *idIndexes does nothing (Options.NoIDIndex).
type idIndexes struct {
	dir string // FerretDB's data directory

	// mu serialises the indexing of a collection with the commands that
	// drop one, so that no connection of the server's is open on a
	// database file while FerretDB removes it (FerretDB removes the
	// file alone: the write-ahead log and shared memory that such a
	// connection kept would meet the next database of that name), and
	// guards indexed and failures.
	mu       sync.Mutex
	indexed  map[collName]bool
	failures int // how many times indexing a collection failed
}

// collName names one collection of one database.
type collName struct{ db, coll string }

// newIDIndexes returns the indexer of the databases in the data
// directory dir.
func newIDIndexes(dir string) *idIndexes {
	return &idIndexes{dir: dir, indexed: map[collName]bool{}}
}

// track is called before the command name with fields cmd (after
// rewriting) runs in database db; the caller calls the function it
// returns, once, when the command has run, whatever its outcome. After a
// command that may create a collection, that function indexes the
// collection if it exists and is not indexed yet. A command that may drop
// one runs under mu, and the function forgets what it may have dropped.
func (x *idIndexes) track(name, db string, cmd []element) func() {
	switch {
	case x == nil:
		return func() {}
	case creatingCommands[name]:
		coll, ok := cmd[0].str()
		if !ok || coll == "" {
			return func() {}
		}
		return func() { x.ensure(collName{db, coll}) }
	case droppingCommands[name]:
		x.mu.Lock()
		return func() {
			defer x.mu.Unlock()
			x.forget(name, db, cmd)
		}
	}
	return func() {}
}

// forget removes from indexed the collections that the command name with
// fields cmd, run in database db, may have dropped or moved. The caller
// holds mu.
func (x *idIndexes) forget(name, db string, cmd []element) {
	switch name {
	case "drop":
		if coll, ok := cmd[0].str(); ok {
			delete(x.indexed, collName{db, coll})
		}
	case "dropDatabase":
		for k := range x.indexed {
			if k.db == db {
				delete(x.indexed, k)
			}
		}
	case "renameCollection":
		// Both namespaces are "<db>.<collection>"; the target keeps the
		// source's table, and its index, and ensure finds it there.
		for _, key := range []string{"renameCollection", "to"} {
			e, _ := lookup(cmd, key)
			if ns, ok := e.str(); ok {
				if db, coll, ok := strings.Cut(ns, "."); ok {
					delete(x.indexed, collName{db, coll})
				}
			}
		}
	}
}

// ensure indexes the collection c if it exists and is not indexed yet.
// A failure (such as a collection dropped meanwhile) leaves it to the
// next command that may create c, and is counted: the index only saves
// time.
func (x *idIndexes) ensure(c collName) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.indexed[c] {
		return
	}
	ok, err := x.create(c)
	if err != nil {
		x.failures++
	}
	if ok {
		x.indexed[c] = true
	}
}

// create creates the index on the table of collection c, if c exists,
// through a connection of the server's own to c's database file, which it
// closes before it returns (so that none is open when FerretDB removes
// the file of a dropped database). It returns false, and no error, if
// the database or the collection does not exist. The caller holds mu.
func (x *idIndexes) create(c collName) (bool, error) {
	err := x.withTable(c, "rw", func(db *sql.DB, table string) error {
		q := fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)", quoteIdent(idIndexPrefix+table), quoteIdent(table), idIndexExpr)
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			return fmt.Errorf("mongotest: indexing %s.%s by _id: %w", c.db, c.coll, err)
		}
		return nil
	})
	if errors.Is(err, errNoDatabase) || errors.Is(err, errNoCollection) {
		return false, nil
	}
	return err == nil, err
}

// errNoDatabase and errNoCollection are withTable's errors for a
// collection whose database file, or whose table, does not exist.
var (
	errNoDatabase   = errors.New("mongotest: no database file")
	errNoCollection = errors.New("mongotest: no such collection")
)

// withTable calls f with a connection of the server's own to the database
// file of c, opened in mode ("rw" or "ro"; neither creates the file), and
// the name of c's table in FerretDB's metadata, and closes the connection
// before it returns. It returns f's error; an error matching
// errNoDatabase (and wrapping os.Stat's) if the file does not exist, or
// errNoCollection if the collection does not, without calling f; or the
// error of opening the file or reading the metadata.
func (x *idIndexes) withTable(c collName, mode string, f func(db *sql.DB, table string) error) error {
	file := filepath.Join(x.dir, c.db+".sqlite")
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("%w: %w", errNoDatabase, err)
	}
	u := url.URL{Scheme: "file", Path: file, RawQuery: "mode=" + mode + "&" + idIndexPragmas}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return fmt.Errorf("mongotest: opening database %s: %w", c.db, err)
	}
	defer db.Close()
	var table string
	err = db.QueryRowContext(context.Background(), "SELECT table_name FROM _ferretdb_collections WHERE name = ?", c.coll).Scan(&table)
	if errors.Is(err, sql.ErrNoRows) {
		return errNoCollection
	}
	if err != nil {
		return fmt.Errorf("mongotest: reading the table of %s.%s: %w", c.db, c.coll, err)
	}
	return f(db, table)
}

// quoteIdent returns name as an SQLite identifier in double quotes.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
