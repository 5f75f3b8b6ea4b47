package leasectl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"

	"gopkg.in/mgo.v2"

	"github.com/seed07a61904/leadership/internal/stored"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/mgowire"
)

// conn is a session on the server, and where the leases are.
type conn struct {
	session   *mgo.Session
	db        *mgo.Database
	mongo     lease.Mongo // on db, with the -txns transaction collection
	where     string      // the servers, for messages; never the password
	urlDB     string      // the database the URL names, "" if none
	namespace string
	coll      string
	txns      string // the -txns collection
}

// connect checks the URL, collection and namespace names, and dials the
// server through mgowire, waiting at most opts.timeout on env.Clock for
// it, and no longer than ctx allows. A bad URL or name is a usage error.
// The URL is read by mgowire.ParseURLWith, with env.Resolver for a
// mongodb+srv URL; its warnings (options it ignores) go to env.Stderr.
// -timeout bounds the dial, each connection's setup and each operation,
// whatever the URL's serverSelectionTimeoutMS, connectTimeoutMS and
// socketTimeoutMS say.
//
// mgo checks its own timeout only between rounds of its server sync (half
// a second apart, each with a dial that may itself take the timeout), so
// it can fail seconds late: the deadline is kept here, and a dial still
// running at the deadline is left to finish, and its session closed, in
// the background.
func connect(ctx context.Context, opts options, env Env) (*conn, error) {
	clock := env.Clock
	for _, f := range []struct{ flag, what, value string }{
		{"collection", "collection", opts.collection}, {"namespace", "namespace", opts.namespace}, {"txns", "collection", opts.txns},
	} {
		if err := stored.CheckString(f.what, f.value); err != nil {
			return nil, usagef("-%s: %v", f.flag, err)
		}
	}
	info, wopts, err := mgowire.ParseURLWith(opts.url, mgowire.Options{Logger: warnLogger(env.Stderr), Resolver: env.Resolver})
	if err != nil {
		return nil, usagef("invalid -url: %v", err)
	}
	info.Timeout = opts.timeout
	wopts.ConnectTimeout = opts.timeout
	where := strings.Join(info.Addrs, ",")
	type dialed struct {
		session *mgo.Session
		err     error
	}
	done := make(chan dialed, 1)
	firstErr := make(chan error, 1) // the fail-fast dial's, for the deadline's message
	deadline := clock.Alarm(clock.Now().Add(opts.timeout))
	go func() {
		// mgo retries a server whose connection setup failed until its
		// timeout, even when the server refused the credentials: one
		// fail-fast dial first tells that apart, and its session is
		// closed (a fail-fast session would not wait for a server that
		// comes back, as watch's refreshes must).
		fast := *info
		fast.FailFast = true
		session, err := mgowire.DialWithInfo(&fast, wopts)
		switch {
		case err == nil:
			session.Close()
		case errors.Is(err, mgowire.ErrAuth), errors.Is(err, mgowire.ErrInvalid):
			done <- dialed{nil, err}
			return
		default:
			firstErr <- err
		}
		session, err = mgowire.DialWithInfo(info, wopts)
		done <- dialed{session, err}
	}()
	abandon := func() {
		go func() {
			if d := <-done; d.session != nil {
				d.session.Close()
			}
		}()
	}
	var d dialed
	select {
	case d = <-done:
	case <-deadline:
		abandon()
		select {
		case err := <-firstErr:
			return nil, fmt.Errorf("cannot reach the server at %s within %v; the first attempt: %w", where, opts.timeout, err)
		default:
			return nil, fmt.Errorf("cannot reach the server at %s within %v", where, opts.timeout)
		}
	case <-ctx.Done():
		abandon()
		return nil, fmt.Errorf("interrupted while dialing the server at %s: %w", where, ctx.Err())
	}
	if errors.Is(d.err, mgowire.ErrInvalid) {
		// Options the URL set that mgowire refuses, as authMechanism=PLAIN.
		return nil, usagef("invalid -url: %v", d.err)
	}
	if errors.Is(d.err, mgowire.ErrAuth) {
		return nil, fmt.Errorf("the server at %s refused the credentials: %w", where, d.err)
	}
	if d.err != nil {
		return nil, fmt.Errorf("cannot reach the server at %s within %v: %w", where, opts.timeout, d.err)
	}
	session := d.session
	session.SetSyncTimeout(opts.timeout)
	session.SetSocketTimeout(opts.timeout)
	db := session.DB("")
	return &conn{
		session:   session,
		db:        db,
		mongo:     lease.NewMongo(db, opts.txns),
		where:     where + "/" + db.Name,
		namespace: opts.namespace,
		coll:      opts.collection,
		txns:      opts.txns,
		urlDB:     info.Database,
	}, nil
}

// warnLogger returns a logger that writes mgowire's warnings (about the
// URL, and failed connections) to w, one line each, without a time stamp.
// A warning that repeats one already written, but for its "duration", is
// dropped: mgo retries a refused connection about twice a second until the
// timeout, and the error that ends the command reports it.
func warnLogger(w io.Writer) *slog.Logger {
	return slog.New(&onceHandler{
		Handler: slog.NewTextHandler(w, &slog.HandlerOptions{
			Level: slog.LevelWarn,
			ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
				if len(groups) == 0 && a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			},
		}),
		seen: make(map[string]bool),
	})
}

// onceHandler passes each distinct record (level, message and attributes
// other than "duration") to Handler once. warnLogger never adds attributes
// or groups to its logger, and mgowire does not either, so WithAttrs and
// WithGroup keep the set of records seen.
type onceHandler struct {
	slog.Handler
	mu   sync.Mutex
	seen map[string]bool
}

// Handle passes r on unless a record with the same key was passed before.
func (h *onceHandler) Handle(ctx context.Context, r slog.Record) error {
	var key strings.Builder
	fmt.Fprintf(&key, "%s %q", r.Level, r.Message)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key != "duration" {
			fmt.Fprintf(&key, " %s=%q", a.Key, a.Value.String())
		}
		return true
	})
	h.mu.Lock()
	seen := h.seen[key.String()]
	h.seen[key.String()] = true
	h.mu.Unlock()
	if seen {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

// close ends the session.
func (c *conn) close() {
	c.session.Close()
}

// inspect reads the namespace with [lease.Inspect]. Each read is on a
// copy of the session (lease.NewMongo's GetCollection): after a network
// error, mgo keeps failing on a session that held the broken socket until
// it is refreshed, and a copy gets a new socket.
func (c *conn) inspect(clock lease.Clock) (lease.Snapshot, error) {
	return lease.Inspect(c.mongo, c.coll, c.namespace, clock)
}

// checkNamespace returns an error unless the lease collection exists and
// holds a lease or the clock document of the namespace; the error for an
// unknown namespace lists those that exist.
func (c *conn) checkNamespace(clock lease.Clock) error {
	names, err := c.db.CollectionNames()
	if err != nil {
		return fmt.Errorf("cannot list the collections of database %q on %s: %w", c.db.Name, c.where, err)
	}
	sort.Strings(names)
	if i := sort.SearchStrings(names, c.coll); i == len(names) || names[i] != c.coll {
		hint := ""
		if len(names) == 0 {
			// A database with no collections is most likely the wrong
			// one: the URL's database misspelt, or left out (mgo's
			// default is "test").
			if c.urlDB == "" {
				hint = "; the URL names no database, so mgo used \"test\": add it after the host, as in mongodb://host:port/DATABASE"
			}
			if dbs, err := c.session.DatabaseNames(); err == nil {
				sort.Strings(dbs)
				hint += "; the server's databases: " + quoteList(dbs)
			}
		}
		return fmt.Errorf("no collection %q in database %q on %s (the database's collections: %s%s)",
			c.coll, c.db.Name, c.where, quoteList(names), hint)
	}
	snap, err := c.inspect(clock)
	if err != nil {
		return fmt.Errorf("cannot read namespace %q: %w", c.namespace, err)
	}
	if snap.HasClock || len(snap.Leases) > 0 || len(snap.Problems) > 0 {
		return nil
	}
	namespaces, err := lease.Namespaces(c.mongo, c.coll)
	if err != nil {
		return fmt.Errorf("no namespace %q in collection %q (and %v)", c.namespace, c.coll, err)
	}
	return fmt.Errorf("no namespace %q in collection %q: no lease and no clock document (namespaces there: %s)",
		c.namespace, c.coll, quoteList(namespaces))
}

// quoteList returns names quoted and comma-separated, or "none".
func quoteList(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(quoted, ", ")
}
