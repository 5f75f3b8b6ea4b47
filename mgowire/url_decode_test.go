package mgowire_test

import (
	"crypto/tls"
	"reflect"
	"strings"
	"testing"
	"time"

	mgo "gopkg.in/mgo.v2"

	"github.com/seed07a61904/leadership/mgowire"
)

// TestURLPercentDecoded: the database, option values and host names are
// decoded as the connection string spec says (they were taken as written:
// authSource=%24external became the source "%24external"); an '@' in an
// option value is not taken for the end of a password; a UTF-8 host name
// becomes its IDNA (ASCII) form, which mgo can resolve.
func TestURLPercentDecoded(t *testing.T) {
	for u, want := range map[string][4]string{ // database, source, replica set, servers
		"mongodb://alice:pw@h/my%3Ddb?authSource=%24external&replicaSet=rs%2F1": {"my=db", "$external", "rs/1", "h"},
		"mongodb://h/?replicaSet=my@replicaset":                                 {"", "", "my@replicaset", "h"},
		"mongodb://alice:pw@h/admin?replicaset=my@replicaset":                   {"admin", "", "my@replicaset", "h"},
		"mongodb://b%C3%BCcher.example.com:1,uml\u00e4ut.example.com/a.b":       {"a.b", "", "", "xn--bcher-kva.example.com:1,xn--umlut-ira.example.com"},
		"mongodb://h/?authSource=a+b":                                           {"", "a+b", "", "h"},
	} {
		info, _, err := mgowire.ParseURL(u)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", u, err)
			continue
		}
		got := [4]string{info.Database, info.Source, info.ReplicaSetName, strings.Join(info.Addrs, ",")}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ParseURL(%q): database, source, replica set, servers %q; want %q", u, got, want)
		}
	}
}

// TestURLRefusesWhatTheSpecForbids: URLs that the connection string and
// auth specs call invalid are refused with ErrInvalid naming the problem
// (an authMechanism without a user name used to connect without
// authenticating; a password with an unescaped ':' was accepted).
func TestURLRefusesWhatTheSpecForbids(t *testing.T) {
	checkURLsRefused(t, map[string]string{
		"mongodb://h/?authMechanism=SCRAM-SHA-256": "user name",
		"mongodb://h/?authMechanism=SCRAM-SHA-1":   "user name",
		"mongodb://alice:foo:bar@h":                "second ':'",
		"mongodb://alice:pw@h/db?authSource=":      "authSource",
		"mongodb://h/my%20db":                      "my db",
		"mongodb://h/a$b":                          `'$'`,
		// Percent-decoded, a NUL would cut the name where mgo writes it
		// as a C string ("db.collection" of OP_QUERY): refused, naming it.
		"mongodb://h/zz%00yy":                    `'\x00'`,
		"mongodb://u:p@h/db?authSource=ad%00min": `authSource`,
		"mongodb://h/ab%E2%82":                   `not UTF-8`,
		"mongodb://u:p@h/db?authSource=ad%FFmin": `authSource`,
		"mongodb://@h/":                          "empty user name",
		"mongodb://:@h/":                         "empty user name",
		"mongodb://h/?w":                         `"w"`,
		"mongodb://al%zzce:pw@h":                 "'%'",
		"mongodb://h1,h2/?directConnection=true": "directConnection",
		"mongodb://h/?srvServiceName=x":          "srvServiceName",
		"mongodb://h/?tlsInsecure=true&tlsAllowInvalidCertificates=true": "tlsInsecure",
	})
}

// TestParseURLWithBase: the Options given to ParseURLWith are defaults
// that the URL overrides, and are never changed themselves.
func TestParseURLWithBase(t *testing.T) {
	base := mgowire.Options{
		WriteConcern:   &mgo.Safe{W: 2, J: true},
		TLS:            &tls.Config{ServerName: "db.example.com", MinVersion: tls.VersionTLS13},
		ConnectTimeout: 3 * time.Second,
		AppName:        "mine",
	}
	_, opts, err := mgowire.ParseURLWith("mongodb://h/?wtimeoutMS=5&socketTimeoutMS=7000", base)
	if err != nil {
		t.Fatal(err)
	}
	if *opts.WriteConcern != (mgo.Safe{W: 2, J: true, WTimeout: 5}) || opts.ConnectTimeout != 3*time.Second ||
		opts.SocketTimeout != 7*time.Second || opts.AppName != "mine" {
		t.Errorf("options %+v, write concern %+v", opts, *opts.WriteConcern)
	}
	if opts.TLS == nil || opts.TLS == base.TLS || opts.TLS.ServerName != "db.example.com" || opts.TLS.MinVersion != tls.VersionTLS13 {
		t.Errorf("TLS %+v, want a copy of the base's", opts.TLS)
	}
	if *base.WriteConcern != (mgo.Safe{W: 2, J: true}) {
		t.Errorf("the base's write concern changed: %+v", *base.WriteConcern)
	}
	_, opts, err = mgowire.ParseURLWith("mongodb://h/?tls=false&w=majority&appName=app&connectTimeoutMS=1000", base)
	if err != nil || opts.TLS != nil || opts.WriteConcern.WMode != "majority" || opts.AppName != "app" || opts.ConnectTimeout != time.Second {
		t.Errorf("overridden: %+v, %v", opts, err)
	}
}
