package mgowire_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"reflect"
	"sort"
	"strings"
	"testing"

	mgo "gopkg.in/mgo.v2"

	"github.com/seed07a61904/leadership/internal/observetest"
	"github.com/seed07a61904/leadership/mgowire"
)

// fakeResolver serves SRV, TXT and A records from maps, and "not found"
// for any other name; it never touches the network.
type fakeResolver struct {
	srv  map[string][]*net.SRV // by "_service._proto.name"
	txt  map[string][]string
	host map[string][]string
}

var _ mgowire.Resolver = fakeResolver{}

func notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (r fakeResolver) LookupSRV(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
	full := "_" + service + "._" + proto + "." + name
	if recs, ok := r.srv[full]; ok {
		return full, recs, nil
	}
	return "", nil, notFound(full)
}

func (r fakeResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	if recs, ok := r.txt[name]; ok {
		return recs, nil
	}
	return nil, notFound(name)
}

func (r fakeResolver) LookupHost(_ context.Context, host string) ([]string, error) {
	if addrs, ok := r.host[host]; ok {
		return addrs, nil
	}
	return nil, notFound(host)
}

// atlasResolver has the records of an Atlas-like cluster: three members
// under abcde.mongodb.net, and a TXT record with authSource and
// replicaSet.
func atlasResolver() fakeResolver {
	return fakeResolver{
		srv: map[string][]*net.SRV{"_mongodb._tcp.cluster0.abcde.mongodb.net": {
			{Target: "ac-1-shard-00-00.abcde.mongodb.net.", Port: 27017},
			{Target: "ac-1-shard-00-01.abcde.mongodb.net.", Port: 27017},
			{Target: "ac-1-shard-00-02.abcde.mongodb.net.", Port: 27017},
		}},
		txt: map[string][]string{"cluster0.abcde.mongodb.net": {"authSource=admin&replicaSet=atlas-xyz-shard-0"}},
		host: map[string][]string{
			"ac-1-shard-00-00.abcde.mongodb.net": {"2001:db8::1", "192.0.2.1"},
			"ac-1-shard-00-01.abcde.mongodb.net": {"192.0.2.2"},
			"ac-1-shard-00-02.abcde.mongodb.net": {"192.0.2.3"},
		},
	}
}

// atlasURL is the connection string that MongoDB Atlas shows.
const atlasURL = "mongodb+srv://user:pa%24%24@cluster0.abcde.mongodb.net/?retryWrites=true&w=majority&appName=Cluster0"

// TestSRVURL: a mongodb+srv URL as Atlas shows it is read as the Initial
// DNS Seedlist Discovery spec says: the servers from the SRV records
// (resolved through the Options' Resolver, IPv4 first), authSource and
// replicaSet from the TXT record, TLS on, and the URL's own options.
func TestSRVURL(t *testing.T) {
	info, opts, err := mgowire.ParseURLWith(atlasURL, mgowire.Options{Resolver: atlasResolver()})
	if err != nil {
		t.Fatal(err)
	}
	addrs := append([]string(nil), info.Addrs...)
	sort.Strings(addrs)
	if want := []string{"192.0.2.1:27017", "192.0.2.2:27017", "192.0.2.3:27017"}; !reflect.DeepEqual(addrs, want) {
		t.Errorf("servers %q, want %q", addrs, want)
	}
	want := mgo.DialInfo{Addrs: info.Addrs, Timeout: mgowire.DefaultTimeout, ReplicaSetName: "atlas-xyz-shard-0",
		Source: "admin", Username: "user", Password: "pa$$"}
	if !reflect.DeepEqual(*info, want) {
		t.Errorf("info %+v\nwant %+v", *info, want)
	}
	if opts.TLS == nil || opts.AppName != "Cluster0" || *opts.WriteConcern != (mgo.Safe{WMode: "majority"}) {
		t.Errorf("TLS %v, AppName %q, WriteConcern %+v; want TLS, Cluster0, majority", opts.TLS != nil, opts.AppName, *opts.WriteConcern)
	}

	// The URL's options win over the TXT record's; tls=false turns TLS off.
	info, opts, err = mgowire.ParseURLWith("mongodb+srv://cluster0.abcde.mongodb.net/db?replicaSet=mine&tls=false",
		mgowire.Options{Resolver: atlasResolver()})
	if err != nil || info.ReplicaSetName != "mine" || info.Source != "admin" || info.Database != "db" || opts.TLS != nil {
		t.Errorf("overridden: %+v, TLS %v, %v", info, opts.TLS != nil, err)
	}
}

// TestSRVURLRefused: SRV and TXT records that the seedlist spec forbids
// are refused with ErrInvalid naming the record; a failed lookup is
// reported with the resolver's error, not as ErrInvalid.
func TestSRVURLRefused(t *testing.T) {
	for name, tc := range map[string]struct {
		change func(*fakeResolver)
		names  string
	}{
		"target outside the domain": {func(r *fakeResolver) {
			r.srv["_mongodb._tcp.cluster0.abcde.mongodb.net"][1].Target = "evil.mongodb.net."
		}, "evil.mongodb.net"},
		"target sharing a suffix only": {func(r *fakeResolver) {
			r.srv["_mongodb._tcp.cluster0.abcde.mongodb.net"][0].Target = "x.notabcde.mongodb.net."
		}, "x.notabcde.mongodb.net"},
		"two TXT records": {func(r *fakeResolver) {
			r.txt["cluster0.abcde.mongodb.net"] = []string{"authSource=admin", "replicaSet=rs"}
		}, "2 TXT records"},
		"TXT with another option": {func(r *fakeResolver) {
			r.txt["cluster0.abcde.mongodb.net"] = []string{"authSource=admin&tls=false"}
		}, `"tls=false"`},
		"no SRV records": {func(r *fakeResolver) {
			r.srv["_mongodb._tcp.cluster0.abcde.mongodb.net"] = nil
		}, "no SRV records"},
		"TXT value with a '%' that starts no escape": {func(r *fakeResolver) {
			r.txt["cluster0.abcde.mongodb.net"] = []string{"authSource=ad%zzmin"}
		}, "TXT record"},
	} {
		r := atlasResolver()
		tc.change(&r)
		_, _, err := mgowire.ParseURLWith(atlasURL, mgowire.Options{Resolver: r})
		if !invalidNaming(err, tc.names) {
			t.Errorf("%s: %v, want ErrInvalid naming %s", name, err, tc.names)
		}
		if err != nil && strings.Contains(err.Error(), "pa%24%24") {
			t.Errorf("%s: %v shows the password", name, err)
		}
	}
	_, _, err := mgowire.ParseURLWith("mongodb+srv://cluster1.abcde.mongodb.net/", mgowire.Options{Resolver: atlasResolver()})
	var dnsErr *net.DNSError
	if errors.Is(err, mgowire.ErrInvalid) || !errors.As(err, &dnsErr) {
		t.Errorf("unknown name: %v, want the resolver's *net.DNSError", err)
	}
}

// TestURLWarnings: options that mgowire ignores, and repeated ones, are
// logged as warnings through Options.Logger (message, option, reason), and
// the rest of the URL is used.
func TestURLWarnings(t *testing.T) {
	h := observetest.NewHandler(slog.LevelDebug)
	info, opts, err := mgowire.ParseURLWith("mongodb://h1,h2/db?compressors=zlib&maxIdleTimeMS=5000&replicaSet=a&replicaSet=b"+
		"&heartbeatFrequencyMS=500&noSuchOption=1&journal=&wtimeout=5&wtimeoutMS=10&retryWrites=true",
		mgowire.Options{Logger: slog.New(h)})
	if err != nil {
		t.Fatal(err)
	}
	if info.ReplicaSetName != "b" || info.Database != "db" || len(info.Addrs) != 2 || opts.WriteConcern.WTimeout != 10 || opts.WriteConcern.J {
		t.Errorf("info %+v, write concern %+v", info, opts.WriteConcern)
	}
	var warned []string
	for _, r := range h.Records() {
		if r.Level != slog.LevelWarn || r.Message != "connection string option ignored" || r.Attrs["reason"].String() == "" {
			t.Errorf("log line %v", r)
		}
		warned = append(warned, r.Attrs["option"].String())
	}
	sort.Strings(warned)
	want := []string{"compressors", "heartbeatFrequencyMS", "journal", "maxIdleTimeMS", "noSuchOption", "replicaSet", "wtimeout"}
	if !reflect.DeepEqual(warned, want) {
		t.Errorf("warnings for %q, want %q", warned, want)
	}
}

// TestOptionsValidateNewFields: AppName longer than the handshake allows, a
// negative SocketTimeout and a typed-nil Resolver are refused.
func TestOptionsValidateNewFields(t *testing.T) {
	var nilResolver *net.Resolver
	for name, o := range map[string]mgowire.Options{
		"AppName":       {AppName: strings.Repeat("a", 129)},
		"SocketTimeout": {SocketTimeout: -1},
		"Resolver":      {Resolver: nilResolver},
	} {
		if err := o.Validate(); !invalidNaming(err, name) {
			t.Errorf("%s: %v, want ErrInvalid naming it", name, err)
		}
	}
	if err := (mgowire.Options{AppName: strings.Repeat("a", 128), Resolver: net.DefaultResolver}).Validate(); err != nil {
		t.Errorf("128-byte AppName: %v", err)
	}
}

// TestURLWeakWriteConcernWarned: a w other than majority is used, as the
// URL asks, but no longer silently: it voids the fencing guarantee, and
// Options.Logger is told so.
func TestURLWeakWriteConcernWarned(t *testing.T) {
	for _, c := range []struct {
		query string
		warn  bool
	}{
		{"w=1", true}, {"w=5", true}, {"w=dc-east", true}, {"W=1&w=majority", false},
		{"w=majority", false}, {"", false}, {"journal=true", false},
	} {
		h := observetest.NewHandler(slog.LevelDebug)
		_, _, err := mgowire.ParseURLWith("mongodb://h/db?"+c.query, mgowire.Options{Logger: slog.New(h)})
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		warned := false
		for _, r := range h.Records() {
			if r.Message == "connection string option weakens fencing" {
				warned = r.Level == slog.LevelWarn && r.Attrs["option"].String() != "" &&
					strings.Contains(r.Attrs["reason"].String(), "only w=majority keeps the fencing guarantee")
			}
		}
		if warned != c.warn {
			t.Errorf("%s: warned %v, want %v (log %v)", c.query, warned, c.warn, h.Records())
		}
	}
}

// TestSRVTXTDecoded: the TXT record's options are read as the URL's are:
// values percent-decoded (authSource=%24external was kept as
// "%24external"), and a repeated option's last value counts (the first
// did).
func TestSRVTXTDecoded(t *testing.T) {
	r := atlasResolver()
	r.txt["cluster0.abcde.mongodb.net"] = []string{"authSource=%24external&replicaSet=first&replicaSet=rs%2D0"}
	info, _, err := mgowire.ParseURLWith("mongodb+srv://cluster0.abcde.mongodb.net/db", mgowire.Options{Resolver: r})
	if err != nil {
		t.Fatal(err)
	}
	if info.Source != "$external" || info.ReplicaSetName != "rs-0" {
		t.Errorf("authSource %q, replicaSet %q; want $external and rs-0", info.Source, info.ReplicaSetName)
	}
}
