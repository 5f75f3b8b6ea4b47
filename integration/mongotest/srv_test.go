package mongotest_test

import (
	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/mgowire"
)

// srvSuite dials the embedded server with the connection string that
// MongoDB Atlas shows, through a fake DNS resolver.
type srvSuite struct {
	serverFixture
}

var _ = gc.Suite(&srvSuite{serverFixture{embedded: true}})

func (s *srvSuite) SetUpTest(c *gc.C) {
	s.serverFixture.SetUpTest(c)
	c.Assert(s.server.RequireAuth("user", "pa$$"), jc.ErrorIsNil)
}

// atlasTXT is the TXT record of the fake Atlas cluster. (Atlas's also
// names the replica set; the embedded server is no replica set member, so
// this one does not.)
var atlasTXT = []string{"authSource=admin"}

// TestAtlasURL: an Atlas-shaped mongodb+srv URL, with its usual
// retryWrites, w and appName, dials the embedded server: the servers from
// the SRV record, authSource from the TXT record, the credentials from the
// URL, appName in the handshake. The URL adds tls=false: the embedded
// server speaks no TLS, which a mongodb+srv URL otherwise turns on.
func (s *srvSuite) TestAtlasURL(c *gc.C) {
	const url = "mongodb+srv://user:pa%24%24@cluster0.abcde.mongodb.net/?retryWrites=true&w=majority&appName=Cluster0&tls=false"
	info, opts, err := mgowire.ParseURLWith(url, mgowire.Options{Resolver: mongofixture.Resolver{Addr: s.server.Addr(), TXT: atlasTXT}})
	c.Assert(err, jc.ErrorIsNil)
	c.Check(info.Addrs, jc.DeepEquals, []string{s.server.Addr()})
	c.Check(info.Source, gc.Equals, "admin")
	c.Check(opts.AppName, gc.Equals, "Cluster0")
	c.Check(opts.TLS, gc.IsNil)
	info.Database = "atlas"
	session, err := mgowire.DialWithInfo(info, opts)
	c.Assert(err, jc.ErrorIsNil)
	defer session.Close()
	coll := session.DB("").C("things")
	c.Assert(coll.Insert(bson.M{"_id": 1, "via": "srv"}), jc.ErrorIsNil)
	var got bson.M
	c.Assert(coll.FindId(1).One(&got), jc.ErrorIsNil)
	c.Check(got["via"], gc.Equals, "srv")

	// Without the credentials the server refuses the commands.
	info.Username, info.Password = "", ""
	session2, err := mgowire.DialWithInfo(info, opts)
	c.Assert(err, jc.ErrorIsNil)
	defer session2.Close()
	c.Check(session2.DB("").C("things").FindId(1).One(&got), gc.ErrorMatches, ".*(Unauthorized|requires authentication).*")
}
