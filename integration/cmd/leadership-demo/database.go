package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/mgowire"
)

// The names the demo uses in the database. The lease clients and the
// guarded writes share txnCollection: a token only fences transactions
// that go through the same transaction collection as the leases.
const (
	namespace          = "service-leadership"
	leaseCollection    = "leases"
	txnCollection      = "txns"
	settingsCollection = "settings"
)

// database is where the demo keeps its leases and settings.
type database struct {
	db    *mgo.Database
	desc  string       // for the header line
	url   string       // for leasectl -url: the server and database, no password
	close func() error // releases the session and the server or database
}

// openDatabase starts an embedded server if url is "", or dials url
// through mgowire (MongoDB 6.0 and later speak only OP_MSG) and uses a new
// database, under a random name, that close drops. observer, if not nil,
// is told what the mgowire connections do.
func openDatabase(url string, observer mgowire.Observer) (*database, error) {
	if url == "" {
		server, err := mongotest.Start()
		if err != nil {
			return nil, err
		}
		session, err := server.DialWith(mgowire.Options{Observer: observer})
		if err != nil {
			server.Close()
			return nil, err
		}
		return &database{
			db:   session.DB(""),
			desc: "embedded FerretDB at " + server.Addr(),
			url:  server.URL(),
			close: func() error {
				session.Close()
				return server.Close()
			},
		}, nil
	}
	// mgowire's warnings about the URL (options it ignores) go to stderr.
	warnings := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	info, opts, err := mgowire.ParseURLWith(url, mgowire.Options{Logger: warnings})
	if err != nil {
		return nil, fmt.Errorf("-mongo: %w", err)
	}
	if info.Source == "" {
		// Keep authenticating against the URL's database, if any.
		info.Source = info.Database
		if info.Source == "" {
			info.Source = "admin"
		}
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	info.Database = "leadership_demo_" + hex.EncodeToString(b[:])
	info.Timeout = 15 * time.Second
	opts.Observer = observer
	opts.Logger = nil // the URL's warnings only, not the connections' log
	session, err := mgowire.DialWithInfo(info, opts)
	if err != nil {
		return nil, fmt.Errorf("dialing %s: %w", url, err)
	}
	return &database{
		db:   session.DB(""),
		desc: fmt.Sprintf("database %s on %s", info.Database, info.Addrs[0]),
		url:  leasectlURL(url, info.Database, info.Source),
		close: func() error {
			defer session.Close()
			return session.DB("").DropDatabase()
		},
	}, nil
}

// settingsDoc is a service's settings document. Each guarded write bumps
// Version, records its writer and term, and appends them to Log, so that
// the document keeps the order in which the writes committed.
type settingsDoc struct {
	Service string     `bson:"_id"`
	Leader  string     `bson:"leader"`
	Term    int        `bson:"term"`
	Version int        `bson:"version"`
	Log     []logEntry `bson:"log"`
}

// logEntry records one guarded write in a settingsDoc.
type logEntry struct {
	Unit string `bson:"unit"`
	Term int    `bson:"term"`
}

// createSettings inserts an empty settings document for each service.
func createSettings(mongo lease.Mongo, services []string) error {
	var ops []txn.Op
	for _, service := range services {
		ops = append(ops, txn.Op{
			C:      settingsCollection,
			Id:     service,
			Assert: txn.DocMissing,
			Insert: bson.D{{Name: "version", Value: 0}, {Name: "log", Value: []logEntry{}}},
		})
	}
	return mongo.RunTransaction(ops)
}

// guardedWrite updates the service's settings as unit, leader in the given
// term, if and only if token still holds: the token's assertions and the
// update run as one transaction, which aborts (txn.ErrAborted) if the
// unit has lost leadership. This is the pattern to copy: check leadership,
// then put the token's AssertOps in the transaction that needs them.
func guardedWrite(mongo lease.Mongo, token leadership.Token, service, unit string, term int) error {
	ops := append(token.AssertOps(), txn.Op{
		C:      settingsCollection,
		Id:     service,
		Assert: txn.DocExists,
		Update: bson.D{
			{Name: "$set", Value: bson.D{{Name: "leader", Value: unit}, {Name: "term", Value: term}}},
			{Name: "$inc", Value: bson.D{{Name: "version", Value: 1}}},
			{Name: "$push", Value: bson.D{{Name: "log", Value: logEntry{Unit: unit, Term: term}}}},
		},
	})
	return mongo.RunTransaction(ops)
}

// readSettings returns the settings document of each service.
func readSettings(mongo lease.Mongo, services []string) (map[string]settingsDoc, error) {
	coll, closer := mongo.GetCollection(settingsCollection)
	defer closer()
	docs := make(map[string]settingsDoc, len(services))
	for _, service := range services {
		var doc settingsDoc
		if err := coll.FindId(service).One(&doc); err != nil {
			return nil, fmt.Errorf("reading the settings of %s: %w", service, err)
		}
		docs[service] = doc
	}
	return docs, nil
}

// leasectlURL returns the connection string for leasectl -url that
// reaches database db as the demo does: rawURL (which ParseURLWith
// accepted) with its database replaced by db and, if it has user
// information and no authSource, authSource set to source, the database
// the demo authenticates against. The scheme, hosts and options are kept
// (a mongodb+srv URL, TLS, replicaSet), and every password (the URL's,
// tlsCertificateKeyFilePassword) is replaced by the word PASSWORD, for the
// operator to fill in, so that the demo's output does not show it.
func leasectlURL(rawURL, db, source string) string {
	scheme, rest := "mongodb://", rawURL
	if i := strings.Index(rawURL, "://"); i >= 0 {
		scheme, rest = rawURL[:i+3], rawURL[i+3:]
	}
	hostInfo, query := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		hostInfo = rest[:i]
		_, query, _ = strings.Cut(rest[i:], "?")
	}
	at := strings.LastIndex(hostInfo, "@")
	if at >= 0 {
		if user, _, ok := strings.Cut(hostInfo[:at], ":"); ok {
			hostInfo = user + ":PASSWORD" + hostInfo[at:]
		}
	}
	var opts []string
	hasSource := false
	for _, pair := range strings.FieldsFunc(query, func(c rune) bool { return c == '&' || c == ';' }) {
		name, _, _ := strings.Cut(pair, "=")
		key := strings.ToLower(name)
		if strings.HasSuffix(key, "password") {
			pair = name + "=PASSWORD"
		}
		hasSource = hasSource || key == "authsource"
		opts = append(opts, pair)
	}
	if at >= 0 && !hasSource {
		opts = append(opts, "authSource="+url.PathEscape(source))
	}
	u := scheme + hostInfo + "/" + url.PathEscape(db)
	if len(opts) > 0 {
		u += "?" + strings.Join(opts, "&")
	}
	return u
}

// shellQuote returns s as a POSIX shell word: itself if it has only
// characters that no shell treats specially, else in single quotes (a
// connection string's '&' and '?' would otherwise end the command or
// match files).
func shellQuote(s string) string {
	safe := func(r rune) bool {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("@%+=:,./_-", r)
	}
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !safe(r) }) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
