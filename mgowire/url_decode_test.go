package mgowire_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

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
	for u, names := range map[string]string{
		"mongodb://h/?authMechanism=SCRAM-SHA-256": "user name",
		"mongodb://h/?authMechanism=SCRAM-SHA-1":   "user name",
		"mongodb://alice:foo:bar@h":                "second ':'",
		"mongodb://alice:pw@h/db?authSource=":      "authSource",
		"mongodb://h/my%20db":                      "my db",
		"mongodb://h/a$b":                          `'$'`,
		"mongodb://@h/":                            "empty user name",
		"mongodb://:@h/":                           "empty user name",
		"mongodb://h/?w":                           `"w"`,
		"mongodb://al%zzce:pw@h":                   "'%'",
		"mongodb://h1,h2/?directConnection=true":   "directConnection",
		"mongodb://h/?srvServiceName=x":            "srvServiceName",
		"mongodb://h/?tlsInsecure=true&tlsAllowInvalidCertificates=true": "tlsInsecure",
	} {
		_, _, err := mgowire.ParseURL(u)
		if !errors.Is(err, mgowire.ErrInvalid) || !strings.Contains(err.Error(), names) {
			t.Errorf("ParseURL(%q) = %v, want ErrInvalid naming %s", u, err, names)
		}
	}
}
