package main

import (
	"strings"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/mgowire"
)

// urlSuite tests the connection string the demo prints for leasectl.
type urlSuite struct{}

var _ = gc.Suite(&urlSuite{})

// TestLeasectlURL: the URL printed for leasectl -url reaches the demo's
// database as the demo dialled it (scheme, hosts, TLS, replica set and
// authentication source kept), and shows no password. It used to be
// "mongodb://" and the resolved hosts, which for a mongodb+srv, TLS or
// authenticated URL is one leasectl cannot connect with.
func (s *urlSuite) TestLeasectlURL(c *gc.C) {
	for _, t := range []struct{ url, source, want string }{{
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
		got := leasectlURL(t.url, "demo", t.source)
		c.Check(got, gc.Equals, t.want, gc.Commentf("%s", t.url))
		c.Check(strings.Contains(got, "s3cret") || strings.Contains(got, "secret") || strings.Contains(got, ":pw@"), jc.IsFalse)
		// leasectl (mgowire) reads it as the demo dialled: same hosts and
		// database, user and source.
		if strings.HasPrefix(t.url, "mongodb+srv") {
			continue // needs DNS
		}
		info, _, err := mgowire.ParseURL(got)
		c.Assert(err, jc.ErrorIsNil, gc.Commentf("%s", got))
		orig, _, err := mgowire.ParseURL(t.url)
		c.Assert(err, jc.ErrorIsNil)
		c.Check(info.Addrs, jc.DeepEquals, orig.Addrs)
		c.Check(info.Database, gc.Equals, "demo")
		c.Check(info.Username, gc.Equals, orig.Username)
		if orig.Username != "" {
			c.Check(info.Source, gc.Equals, t.source)
		}
	}
}

// TestShellQuote: the printed leasectl command can be pasted into a shell.
// A URL with options ("?appName=demo&w=majority") was printed bare, and
// its '&' ran the command in the background without the rest of it.
func (s *urlSuite) TestShellQuote(c *gc.C) {
	for in, want := range map[string]string{
		"mongodb://127.0.0.1:27017/demo":                       "mongodb://127.0.0.1:27017/demo",
		"mongodb://h/demo?appName=demo&w=majority":             "'mongodb://h/demo?appName=demo&w=majority'",
		"mongodb+srv://u:PASSWORD@c.example.net/demo?tls=true": "'mongodb+srv://u:PASSWORD@c.example.net/demo?tls=true'",
		"it's": `'it'\''s'`,
		"":     "''",
	} {
		c.Check(shellQuote(in), gc.Equals, want)
	}
}
