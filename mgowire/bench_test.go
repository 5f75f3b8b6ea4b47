package mgowire_test

import (
	"testing"

	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wiretest"
	"github.com/seed07a61904/leadership/mgowire"
)

// BenchmarkRoundTrip measures one command, a find of one document by _id,
// from mgo to an in-process server on loopback and back: directly, with
// mgo speaking OP_QUERY to a server that still accepts it, and through
// mgowire, speaking OP_MSG to the same server. The difference is what
// the translation adds per command; the server's own work is the same.
func BenchmarkRoundTrip(b *testing.B) {
	srv := startServer(b, wiretest.Config{Legacy: true})
	info := mgo.DialInfo{Addrs: []string{srv.Addr()}, Timeout: longWait, Database: "test"}
	direct, err := mgo.DialWithInfo(&info)
	if err != nil {
		b.Fatal(err)
	}
	defer direct.Close()
	translated := dial(b, srv, info, mgowire.Options{})
	if err := direct.DB("test").C("leases").Insert(bson.M{"_id": "svc", "holder": "unit/0", "expiry": int64(1) << 40}); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name    string
		session *mgo.Session
	}{{"path=direct", direct}, {"path=mgowire", translated}} {
		b.Run(bc.name, func(b *testing.B) {
			c := bc.session.DB("test").C("leases")
			var doc struct {
				Holder string `bson:"holder"`
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := c.FindId("svc").One(&doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
