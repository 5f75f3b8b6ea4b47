package connstr

import (
	"regexp"
	"testing"

	"gopkg.in/mgo.v2"
)

// TestUseNewDatabase: the database is the prefix and 12 hex digits, new
// on each call; the credentials' source is the URL's authSource, else
// its database, else admin.
func TestUseNewDatabase(t *testing.T) {
	for _, c := range []struct {
		database, source, wantSource string
	}{
		{"", "", "admin"},
		{"app", "", "app"},
		{"app", "auth", "auth"},
		{"", "auth", "auth"},
	} {
		info := &mgo.DialInfo{Database: c.database, Source: c.source}
		if err := UseNewDatabase(info, "demo_"); err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^demo_[0-9a-f]{12}$`).MatchString(info.Database) {
			t.Errorf("database %q, want demo_ and 12 hex digits", info.Database)
		}
		if info.Source != c.wantSource {
			t.Errorf("URL database %q, authSource %q: source %q, want %q", c.database, c.source, info.Source, c.wantSource)
		}
	}
	a, b := &mgo.DialInfo{}, &mgo.DialInfo{}
	if UseNewDatabase(a, "x_") != nil || UseNewDatabase(b, "x_") != nil || a.Database == b.Database {
		t.Errorf("two calls gave databases %q and %q, want two new ones", a.Database, b.Database)
	}
}
