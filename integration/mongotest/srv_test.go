package mongotest_test

import (
	"context"
	"net"
	"strconv"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/mgowire"
)

// srvSuite dials the embedded server with the connection string that
// MongoDB Atlas shows, through a fake DNS resolver.
type srvSuite struct {
	serverFixture
}

var _ = gc.Suite(&srvSuite{})

func (s *srvSuite) SetUpTest(c *gc.C) {
	embeddedOnly(c)
	s.serverFixture.SetUpTest(c)
	c.Assert(s.server.RequireAuth("user", "pa$$"), jc.ErrorIsNil)
}

// atlasResolver serves, for cluster0.abcde.mongodb.net, one SRV record
// pointing at addr under a member's name, and the TXT record
// "authSource=admin"; the member's name resolves to addr's IP. It never
// touches the network. (Atlas's TXT record also names the replica set;
// the embedded server is no replica set member, so this one does not.)
type atlasResolver struct{ addr string }

func (r atlasResolver) LookupSRV(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
	if service != "mongodb" || proto != "tcp" || name != "cluster0.abcde.mongodb.net" {
		return "", nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	_, port, _ := net.SplitHostPort(r.addr)
	p, _ := strconv.Atoi(port)
	return "", []*net.SRV{{Target: "ac-1-shard-00-00.abcde.mongodb.net.", Port: uint16(p)}}, nil
}

func (r atlasResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	if name != "cluster0.abcde.mongodb.net" {
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	return []string{"authSource=admin"}, nil
}

func (r atlasResolver) LookupHost(_ context.Context, host string) ([]string, error) {
	if host != "ac-1-shard-00-00.abcde.mongodb.net" {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	ip, _, _ := net.SplitHostPort(r.addr)
	return []string{ip}, nil
}

// TestAtlasURL: an Atlas-shaped mongodb+srv URL, with its usual
// retryWrites, w and appName, dials the embedded server: the servers from
// the SRV record, authSource from the TXT record, the credentials from the
// URL, appName in the handshake. The URL adds tls=false: the embedded
// server speaks no TLS, which a mongodb+srv URL otherwise turns on.
func (s *srvSuite) TestAtlasURL(c *gc.C) {
	const url = "mongodb+srv://user:pa%24%24@cluster0.abcde.mongodb.net/?retryWrites=true&w=majority&appName=Cluster0&tls=false"
	info, opts, err := mgowire.ParseURLWith(url, mgowire.Options{Resolver: atlasResolver{s.server.Addr()}})
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
