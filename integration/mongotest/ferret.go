package mongotest

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sync"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// ferret is a running embedded FerretDB.
type ferret struct {
	addr   string // where it listens
	cancel context.CancelFunc
	done   chan struct{} // closed when it has stopped
}

// sqlitePragmas is the query of FerretDB's SQLite URL. FerretDB itself
// sets write-ahead logging, under which synchronous(normal) syncs the log
// at checkpoints rather than at every commit: a commit survives the
// process (FerretDB stopping, or the test binary dying), though not the
// machine's own crash, which a test server need not survive.
const sqlitePragmas = "_pragma=synchronous(normal)"

// newMu serialises ferretdb.New, which writes package-level state of
// FerretDB's.
var newMu sync.Mutex

// startFerret starts FerretDB with the SQLite backend on the data
// directory dir, listening on a free loopback port.
func startFerret(dir string) (*ferret, error) {
	newMu.Lock()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Logger:    slog.New(slog.DiscardHandler),
		Handler:   "sqlite",
		SQLiteURL: (&url.URL{Scheme: "file", Path: dir + "/", RawQuery: sqlitePragmas}).String(),
	})
	newMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("mongotest: starting FerretDB: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &ferret{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		f.Run(ctx)
	}()
	// New has opened the listener already, so this does not block.
	u, err := url.Parse(f.MongoDBURI())
	if err != nil {
		r.stop()
		return nil, fmt.Errorf("mongotest: FerretDB's address: %w", err)
	}
	r.addr = u.Host
	return r, nil
}

// stop stops FerretDB and waits until it has closed its backend. The
// proxy closes its connections to FerretDB first: FerretDB waits three
// seconds for open connections before it closes them itself.
func (f *ferret) stop() {
	f.cancel()
	<-f.done
}
