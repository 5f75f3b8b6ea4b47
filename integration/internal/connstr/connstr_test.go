package connstr

import (
	"strings"
	"testing"

	"github.com/seed07a61904/leadership/mgowire"
)

// TestWithDatabaseForPrinting: the URL the demo prints for leasectl -url
// reaches its database as the demo dialled it (scheme, hosts, TLS,
// replica set and authentication source kept), and shows no password. It
// used to be "mongodb://" and the resolved hosts, which for a mongodb+srv,
// TLS or authenticated URL is one leasectl cannot connect with.
func TestWithDatabaseForPrinting(t *testing.T) {
	for _, c := range []struct{ url, source, want string }{{
		"mongodb://127.0.0.1:27017/mongotest", "mongotest",
		"mongodb://127.0.0.1:27017/demo",
	}, {
		"127.0.0.1:27017", "admin",
		"mongodb://127.0.0.1:27017/demo",
	}, {
		"mongodb://u%40x:s3cret@h1:1,h2:2/app?replicaSet=rs0&tls=true", "app",
		"mongodb://u%40x:PASSWORD@h1:1,h2:2/demo?replicaSet=rs0&tls=true&authSource=app",
	}, {
		"mongodb+srv://user:pw@cluster0.abcde.mongodb.net/?retryWrites=true&w=majority&appName=Cluster0", "admin",
		"mongodb+srv://user:PASSWORD@cluster0.abcde.mongodb.net/demo?retryWrites=true&w=majority&appName=Cluster0&authSource=admin",
	}, {
		"mongodb://user@h/db?AuthSource=other;tlsCertificateKeyFilePassword=secret", "other",
		"mongodb://user@h/demo?AuthSource=other&tlsCertificateKeyFilePassword=PASSWORD",
	}} {
		got := HidePasswords(WithDatabase(c.url, "demo", c.source))
		if got != c.want {
			t.Errorf("%s: %s, want %s", c.url, got, c.want)
		}
		if strings.Contains(got, "s3cret") || strings.Contains(got, "secret") || strings.Contains(got, ":pw@") {
			t.Errorf("%s: %s shows a password", c.url, got)
		}
		if strings.HasPrefix(c.url, "mongodb+srv") {
			continue // reading it needs DNS
		}
		// mgowire reads it as the original, with the new database.
		info, _, err := mgowire.ParseURL(got)
		if err != nil {
			t.Fatalf("%s: %v", got, err)
		}
		orig, _, err := mgowire.ParseURL(c.url)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(info.Addrs, ",") != strings.Join(orig.Addrs, ",") || info.Database != "demo" || info.Username != orig.Username ||
			(orig.Username != "" && info.Source != c.source) {
			t.Errorf("%s read as %+v, want the servers and user of %+v, database demo, source %q", got, info, orig, c.source)
		}
	}
}

// TestShellQuote: the printed leasectl command can be pasted into a shell.
// A URL with options ("?appName=demo&w=majority") printed bare would
// run the command in the background at its '&', without the rest of it.
func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"mongodb://127.0.0.1:27017/demo":                       "mongodb://127.0.0.1:27017/demo",
		"mongodb://h/demo?appName=demo&w=majority":             "'mongodb://h/demo?appName=demo&w=majority'",
		"mongodb+srv://u:PASSWORD@c.example.net/demo?tls=true": "'mongodb+srv://u:PASSWORD@c.example.net/demo?tls=true'",
		"it's": `'it'\''s'`,
		"":     "''",
	} {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
