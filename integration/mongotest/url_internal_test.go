package mongotest

import (
	"testing"

	mgo "gopkg.in/mgo.v2"
)

// TestExternalURL checks the URL of a Server on an external server: the
// URL it was given, with the Server's database, keeping the credentials'
// source.
func TestExternalURL(t *testing.T) {
	for _, c := range []struct {
		raw  string
		info mgo.DialInfo
		want string
	}{
		{"mongodb://db1:27017,db2:27017", mgo.DialInfo{Database: "mongotest_ab"},
			"mongodb://db1:27017,db2:27017/mongotest_ab"},
		{"mongodb://db1/?replicaSet=rs0", mgo.DialInfo{Database: "mongotest_ab"},
			"mongodb://db1/mongotest_ab?replicaSet=rs0"},
		{"mongodb://u:p%40@db1/juju?tls=true", mgo.DialInfo{Database: "mongotest_ab", Username: "u", Source: "juju"},
			"mongodb://u:p%40@db1/mongotest_ab?tls=true&authSource=juju"},
		{"mongodb://u:p@db1/juju?authSource=admin", mgo.DialInfo{Database: "mongotest_ab", Username: "u", Source: "admin"},
			"mongodb://u:p@db1/mongotest_ab?authSource=admin"},
		{"mongodb://u:p@db1", mgo.DialInfo{Database: "mongotest_ab", Username: "u", Source: "admin"},
			"mongodb://u:p@db1/mongotest_ab?authSource=admin"},
		// A mongodb+srv URL keeps its scheme (it became
		// "mongodb://mongodb+srv:/mongotest_ab"), ';' separates options
		// as '&' does (its authSource was overridden), and a URL without
		// a scheme is a mongodb:// one.
		{"mongodb+srv://u:p@cluster0.example.net/juju?tls=false", mgo.DialInfo{Database: "mongotest_ab", Username: "u", Source: "juju"},
			"mongodb+srv://u:p@cluster0.example.net/mongotest_ab?tls=false&authSource=juju"},
		{"mongodb://u:p@db1/?tls=false;authSource=admin", mgo.DialInfo{Database: "mongotest_ab", Username: "u", Source: "admin"},
			"mongodb://u:p@db1/mongotest_ab?tls=false&authSource=admin"},
		{"db1:27017", mgo.DialInfo{Database: "mongotest_ab"},
			"mongodb://db1:27017/mongotest_ab"},
	} {
		info := c.info
		s := &Server{ext: &info, extURL: c.raw}
		if got := s.URL(); got != c.want {
			t.Errorf("URL of %q: %q, want %q", c.raw, got, c.want)
		}
	}
}
