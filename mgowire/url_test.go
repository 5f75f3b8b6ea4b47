package mgowire_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	mgo "gopkg.in/mgo.v2"

	"github.com/seed07a61904/leadership/internal/wiretest"
	"github.com/seed07a61904/leadership/mgowire"
)

func TestParseURL(t *testing.T) {
	info, opts, err := mgowire.ParseURL("mongodb://alice:s3cret@h1:1,h2:2/leases?replicaSet=rs&authSource=admin" +
		"&authMechanism=SCRAM-SHA-256&tls=true&w=majority&wtimeoutMS=1500&journal=true&connectTimeoutMS=2500&retryWrites=true")
	if err != nil {
		t.Fatal(err)
	}
	want := mgo.DialInfo{
		Addrs: []string{"h1:1", "h2:2"}, Database: "leases", ReplicaSetName: "rs", Source: "admin",
		Username: "alice", Password: "s3cret", Mechanism: "SCRAM-SHA-256", Timeout: mgowire.DefaultTimeout,
	}
	if !reflect.DeepEqual(*info, want) {
		t.Errorf("info = %+v\nwant   %+v", *info, want)
	}
	if opts.TLS == nil || opts.ConnectTimeout != 2500*time.Millisecond {
		t.Errorf("TLS %v, ConnectTimeout %v; want TLS and 2.5s", opts.TLS, opts.ConnectTimeout)
	}
	if wc := *opts.WriteConcern; wc != (mgo.Safe{WMode: "majority", WTimeout: 1500, J: true}) {
		t.Errorf("WriteConcern = %+v", wc)
	}

	_, opts, err = mgowire.ParseURL("mongodb://h1/?w=2&connect=direct")
	if err != nil || *opts.WriteConcern != (mgo.Safe{W: 2}) || opts.TLS != nil {
		t.Errorf("w=2: %+v, %v", opts, err)
	}
	_, opts, err = mgowire.ParseURL("mongodb://h1")
	if err != nil || *opts.WriteConcern != (mgo.Safe{WMode: "majority"}) {
		t.Errorf("no options: %+v, %v; want majority", opts, err)
	}
}

func TestParseURLErrors(t *testing.T) {
	for url, mention := range map[string]string{
		"mongodb+srv://alice:s3cret@h1:27017/":                "without a port",
		"mongodb://alice:s3cret@h1/?readPreference=secondary": "readPreference",
		"mongodb://alice:s3cret@h1/?w=0":                      "W 0",
		"mongodb://alice:s3cret@h1/?wtimeoutMS=soon":          "wtimeoutMS",
		"mongodb://alice:s3cret@h1/?tls=maybe":                "tls",
		"mongodb://alice:s3cret@h1/?journal=2x":               "journal",
	} {
		_, _, err := mgowire.ParseURL(url)
		if !errors.Is(err, mgowire.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", url, err)
			continue
		}
		if !strings.Contains(err.Error(), mention) {
			t.Errorf("%s: %q does not mention %q", url, err, mention)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: %q shows the password", url, err)
		}
	}
}

func TestDial(t *testing.T) {
	srv := startServer(t, wiretest.Config{Users: map[string]string{"alice": "pw"}})
	session, err := mgowire.Dial("mongodb://alice:pw@" + srv.Addr() + "/leases?authSource=admin&w=majority")
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	if err := session.DB("").C("c").Insert(map[string]int{"_id": 1}); err != nil {
		t.Fatalf("Insert: %v", err)
	}
	if ins := commandsNamed(srv, "insert"); len(ins) != 1 || ins[0].DB != "leases" {
		t.Fatalf("inserts %v, want one on leases", ins)
	}
}

// TestPasswordNotInErrors: errors from ParseURL (and so Dial), which end up
// in logs, never show the password: with or without the mongodb://
// scheme, and when an unescaped '?' or '@' in the password would make mgo
// split it into an option or a host name (such URLs are refused).
func TestPasswordNotInErrors(t *testing.T) {
	for _, tc := range []struct{ url, secret string }{
		{"alice:s3cretpw@host:27017/?w=0", "s3cretpw"},
		{"alice:s3cretpw@host:27017/?readPreference=nearest", "s3cretpw"},
		{"mongodb://host/?proxyHost=p&proxyUsername=u&proxyPassword=s3cretpw", "s3cretpw"},
		{"mongodb://host/?tlsCertificateKeyFile=/nonexistent&tlsCertificateKeyFilePassword=s3cretpw", "s3cretpw"},
		{"mongodb://alice:s3c?retpw@host/", "retpw"},
		{"mongodb://alice:s3c?retpw@host/?w=1", "retpw"},
		{"mongodb://alice:s3c@retpw@host/", "retpw"},
		{"http://alice:s3cretpw@host/", "s3cretpw"},
		{"alice:s3cretpw@host:99999/", "s3cretpw"},
	} {
		_, _, err := mgowire.ParseURL(tc.url)
		if !errors.Is(err, mgowire.ErrInvalid) {
			t.Errorf("ParseURL(%q): %v, want ErrInvalid", tc.url, err)
			continue
		}
		if strings.Contains(err.Error(), tc.secret) {
			t.Errorf("ParseURL(%q): error %q shows the password", tc.url, err)
		}
	}
	// A '?' or '@' in an option value is still accepted.
	if _, _, err := mgowire.ParseURL("mongodb://alice:pw@host/?authSource=a@b"); err != nil {
		t.Errorf("'@' in an option: %v", err)
	}
}

// TestConnectTimeoutOverflow: connectTimeoutMS values whose milliseconds do
// not fit a time.Duration are refused, naming the option and the value,
// rather than wrapping (18446744073710 ms used to become 448µs).
func TestConnectTimeoutOverflow(t *testing.T) {
	for _, v := range []string{"18446744073710", "9223372036855", "-9223372036855", "99999999999999999999"} {
		_, opts, err := mgowire.ParseURL("mongodb://host/?connectTimeoutMS=" + v)
		if !invalidNaming(err, "connectTimeoutMS", v) {
			t.Errorf("connectTimeoutMS=%s: %v (ConnectTimeout %v), want ErrInvalid naming the option and value", v, err, opts.ConnectTimeout)
		}
	}
	_, opts, err := mgowire.ParseURL("mongodb://host/?connectTimeoutMS=9223372036854")
	if err != nil || opts.ConnectTimeout != 9223372036854*time.Millisecond {
		t.Errorf("connectTimeoutMS=9223372036854 (the largest that fits): %v, %v", opts.ConnectTimeout, err)
	}
}

// TestNegativeDialInfoTimeout: a negative DialInfo.Timeout, which is the
// connect timeout when Options.ConnectTimeout is zero, is refused like a
// negative ConnectTimeout.
func TestNegativeDialInfoTimeout(t *testing.T) {
	srv := startServer(t, wiretest.Config{})
	s, err := mgowire.DialWithInfo(&mgo.DialInfo{Addrs: []string{srv.Addr()}, Timeout: -time.Second}, mgowire.Options{})
	if s != nil {
		s.Close()
	}
	if !invalidNaming(err, "DialInfo.Timeout") {
		t.Errorf("DialInfo.Timeout -1s: %v, want ErrInvalid naming DialInfo.Timeout", err)
	}
}

// TestParseURLRefusesBadHosts: a URL with no host, an empty, unparsable or
// out-of-range port, an empty host between commas, a host with a space, or
// a scheme other than mongodb:// is refused with ErrInvalid naming the bad
// part, rather than spending DefaultTimeout before mgo's "no reachable
// servers"; the forms mgo.ParseURL accepts still work.
func TestParseURLRefusesBadHosts(t *testing.T) {
	checkURLsRefused(t, map[string]string{
		"mongodb://":           "empty host",
		"mongodb://,":          "empty host",
		"mongodb://host:99999": "99999",
		"mongodb://host:-1":    `"-1"`,
		"mongodb://host:abc":   "abc",
		"mongodb://host:+1":    `"+1"`,
		"mongodb://host:":      `port ""`,
		"mongodb://db1,,db2":   "empty host",
		"mongodb:/host":        `"mongodb:"`, // typo: one slash
		"http://host":          "http://",
		"MONGODB://host":       "MONGODB://",
		"mongodb://ho st":      "ho st",
		"mongodb://[::1":       "']'",
		"mongodb://[::1]x":     `"x"`,
		"mongodb://[host]:1":   "IPv6",
		"mongodb://a:b:1":      `"a:b"`,
	})
	for u, addrs := range map[string][]string{
		"mongodb://host/?w=majority":                        {"host"},
		"mongodb://[::1]:27017":                             {"[::1]:27017"},
		"mongodb://[fe80::1%eth0]":                          {"[fe80::1%eth0]"},
		"mongodb://localhost":                               {"localhost"},
		"mongodb://db1:27017,db2:27018/juju?replicaSet=rs0": {"db1:27017", "db2:27018"},
		"localhost:27017":                                   {"localhost:27017"}, // mgo.ParseURL accepts no scheme
		"alice:pw@my_host.example.com:1/db":                 {"my_host.example.com:1"},
		"mongodb://127.0.0.1:65535/?appName=a://b":          {"127.0.0.1:65535"}, // not a scheme
	} {
		info, _, err := mgowire.ParseURL(u)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", u, err)
		} else if !reflect.DeepEqual(info.Addrs, addrs) {
			t.Errorf("ParseURL(%q): servers %q, want %q", u, info.Addrs, addrs)
		}
	}
}

// TestURLOptionSeparatorsAndRepeats: options are split at ';' as well as
// '&', as mgo.ParseURL does (otherwise "w=majority;wtimeoutMS=5000" became
// the tag set "majority;wtimeoutMS=5000"); a repeated option's last value
// counts; tls and ssl that disagree, even in repeats of one of them, are
// refused (the URI Options spec).
func TestURLOptionSeparatorsAndRepeats(t *testing.T) {
	info, opts, err := mgowire.ParseURL("mongodb://host/?w=majority;wtimeoutMS=5000;replicaSet=rs&journal=true")
	if err != nil {
		t.Fatal(err)
	}
	if *opts.WriteConcern != (mgo.Safe{WMode: "majority", WTimeout: 5000, J: true}) || info.ReplicaSetName != "rs" {
		t.Errorf("';' separated: write concern %+v, replica set %q", *opts.WriteConcern, info.ReplicaSetName)
	}
	for u, tlsOn := range map[string]bool{
		"mongodb://host/?tls=true&tls=true":   true,
		"mongodb://host/?tls=false;ssl=false": false,
		"mongodb://host/?ssl=true&tls=true":   true,
		"mongodb://host/?ssl=false":           false,
	} {
		if _, opts, err := mgowire.ParseURL(u); err != nil || (opts.TLS != nil) != tlsOn {
			t.Errorf("%s: TLS %v, %v; want TLS %v", u, opts.TLS != nil, err, tlsOn)
		}
	}
	_, opts, err = mgowire.ParseURL("mongodb://host/?w=2&w=majority&wtimeoutMS=1&wtimeoutMS=2")
	if err != nil || *opts.WriteConcern != (mgo.Safe{WMode: "majority", WTimeout: 2}) {
		t.Errorf("repeated w and wtimeoutMS: %+v, %v; want the last values", opts.WriteConcern, err)
	}
	for _, u := range []string{"mongodb://host/?ssl=false&tls=true", "mongodb://host/?tls=true&tls=false"} {
		_, _, err = mgowire.ParseURL(u)
		if !invalidNaming(err, "=true", "=false") {
			t.Errorf("%s: %v, want ErrInvalid naming both", u, err)
		}
	}
}

// TestUserInfoPercentDecoded: the user name and password are
// percent-decoded as the connection string spec says, a '+' staying a '+'
// (mgo.ParseURL alone would make it a space). An unescaped ':' or '/' in
// a password is refused (TestURLRefusesWhatTheSpecForbids).
func TestUserInfoPercentDecoded(t *testing.T) {
	for u, want := range map[string][2]string{
		"mongodb://alice:a+b@host/":             {"alice", "a+b"},
		"alice:a+b@host":                        {"alice", "a+b"},
		"mongodb://al+ce:p%40ss%3Fw%2B%20@host": {"al+ce", "p@ss?w+ "},
		"mongodb://alice:a%3Ab%2Fc@host/db?w=1": {"alice", "a:b/c"},
		"mongodb://host/?authSource=a+b":        {"", ""},
	} {
		info, _, err := mgowire.ParseURL(u)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", u, err)
		} else if info.Username != want[0] || info.Password != want[1] {
			t.Errorf("ParseURL(%q): user %q, password %q; want %q, %q", u, info.Username, info.Password, want[0], want[1])
		}
	}
}

// TestURLCannotDropAcknowledgement: no URL makes writes
// unacknowledged or gives a negative timeout; each is refused with
// ErrInvalid naming the option. (w=1 or a numeric w below a majority is
// accepted: the issue asks for a configurable write concern, and the
// package documentation says the fencing argument then fails.)
func TestURLCannotDropAcknowledgement(t *testing.T) {
	for _, tc := range []struct{ url, names string }{
		{"mongodb://h/?w=0", "W 0"},
		{"mongodb://h/?w=", "W 0"},
		{"mongodb://h/?w=-1", "-1"},
		{"mongodb://h/?w=majority&w=0", "W 0"},
		{"mongodb://h/?wtimeoutMS=-1", "-1"},
		{"mongodb://h/?wtimeoutMS=99999999999999999999", "wtimeoutMS"},
		{"mongodb://h/?journal=yes", "journal"},
		{"mongodb://h/?connectTimeoutMS=-5", "-5"},
		{"mongodb://h/?tls=maybe", "tls"},
		{"mongodb://h/?retryWrites=sometimes", "retryWrites"},
		{"mongodb://h/?fsync=true", "fsync"},
		{"mongodb://h/?readPreference=secondary", "readPreference"},
		{"mongodb+srv://u:secret@h/?directConnection=true", "directConnection"},
		{"mongodb://h/?readConcernLevel=majority", "readConcernLevel"},
		{"mongodb://h/?authMechanism=PLAIN", "PLAIN"},
		{"mongodb://h/?tlsInsecure=true", "AllowInsecureTLS"},
		{"mongodb://h/?authMechanism=MONGODB-CR", ""}, // refused at DialWithInfo, below
	} {
		info, opts, err := mgowire.ParseURL(tc.url)
		if tc.names == "" {
			if err == nil {
				_, err = mgowire.DialWithInfo(info, opts)
			}
			tc.names = "MONGODB-CR"
		}
		if !invalidNaming(err, tc.names) {
			t.Errorf("%s: %v, want ErrInvalid naming %q", tc.url, err, tc.names)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: error %q shows the password", tc.url, err)
		}
	}
}
