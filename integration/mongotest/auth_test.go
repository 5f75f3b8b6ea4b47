package mongotest_test

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	"github.com/xdg-go/scram"
	gc "gopkg.in/check.v1"
	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wiretest"
	"github.com/seed07a61904/leadership/mgowire"
)

// authSuite checks the server's SCRAM authentication on raw connections,
// with xdg-go/scram's client.
type authSuite struct {
	serverFixture
}

var _ = gc.Suite(&authSuite{serverFixture{embedded: true}})

const (
	testUser     = "ann"
	testPassword = "secret\u00a0pass" // SASLprep maps the no-break space
)

func (s *authSuite) SetUpTest(c *gc.C) {
	s.serverFixture.SetUpTest(c)
	c.Assert(s.server.RequireAuth(testUser, testPassword), jc.ErrorIsNil)
}

// scramClient returns a client conversation for mech, with MongoDB's
// password digest for SCRAM-SHA-1.
func scramClient(c *gc.C, mech, user, password string) *scram.ClientConversation {
	var client *scram.Client
	var err error
	if mech == "SCRAM-SHA-1" {
		digest := md5.Sum([]byte(user + ":mongo:" + password))
		client, err = scram.SHA1.NewClientUnprepped(user, hex.EncodeToString(digest[:]), "")
	} else {
		client, err = scram.SHA256.NewClient(user, password, "")
	}
	c.Assert(err, jc.ErrorIsNil)
	return client.NewConversation()
}

// login runs a SCRAM conversation on conn and returns the reply that
// ended it: the failure, or the last success.
func login(c *gc.C, conn *rawConn, db, mech, user, password string, skipEmpty bool) bson.M {
	conv := scramClient(c, mech, user, password)
	first, err := conv.Step("")
	c.Assert(err, jc.ErrorIsNil)
	reply := conn.run(db, bson.D{
		{Name: "saslStart", Value: 1}, {Name: "mechanism", Value: mech},
		{Name: "payload", Value: []byte(first)}, {Name: "autoAuthorize", Value: 1},
		{Name: "options", Value: bson.M{"skipEmptyExchange": skipEmpty}},
	})
	for reply["ok"] == 1.0 && reply["done"] == false {
		c.Assert(reply["conversationId"], gc.Equals, 1)
		var next string
		if !conv.Done() {
			next, err = conv.Step(string(reply["payload"].([]byte)))
			c.Assert(err, jc.ErrorIsNil)
		}
		reply = conn.run(db, bson.D{
			{Name: "saslContinue", Value: 1}, {Name: "conversationId", Value: 1}, {Name: "payload", Value: []byte(next)},
		})
	}
	if reply["ok"] == 1.0 && !conv.Done() {
		// The server's final message came with done: check it.
		_, err := conv.Step(string(reply["payload"].([]byte)))
		c.Assert(err, jc.ErrorIsNil)
	}
	if reply["ok"] == 1.0 {
		c.Check(conv.Valid(), jc.IsTrue)
	}
	return reply
}

var unauthorized = bson.M{"ok": 0.0, "code": 13, "codeName": "Unauthorized", "errmsg": "command count requires authentication"}

func (s *authSuite) TestLogin(c *gc.C) {
	for _, mech := range []string{"SCRAM-SHA-256", "SCRAM-SHA-1"} {
		for _, skipEmpty := range []bool{true, false} {
			conn := dialRaw(c, s.server.Addr())
			c.Check(conn.run("test", countCmd()), jc.DeepEquals, unauthorized)
			c.Check(conn.run("admin", bson.D{{Name: "ping", Value: 1}})["ok"], gc.Equals, 1.0)
			c.Check(conn.run("admin", bson.D{{Name: "isMaster", Value: 1}})["ok"], gc.Equals, 1.0)

			reply := login(c, conn, "admin", mech, testUser, testPassword, skipEmpty)
			c.Check(reply["ok"], gc.Equals, 1.0, gc.Commentf("%s, skipEmptyExchange %v: %v", mech, skipEmpty, reply))
			c.Check(reply["done"], gc.Equals, true)
			c.Check(conn.run("test", countCmd()), jc.DeepEquals, bson.M{"ok": 1.0, "n": 0})

			// Once per connection.
			again := login(c, conn, "admin", mech, testUser, testPassword, skipEmpty)
			c.Check(again["ok"], gc.Equals, 0.0)
			c.Check(again["errmsg"], gc.Matches, "Each client connection may only be authenticated once.*")
			c.Check(again["code"], gc.Equals, 5626701)
			c.Check(again["codeName"], gc.Equals, "Location5626701")
			c.Check(conn.run("test", countCmd()), jc.DeepEquals, bson.M{"ok": 1.0, "n": 0})
			// logout ends it, for good.
			c.Check(conn.run("admin", bson.D{{Name: "logout", Value: 1}}), jc.DeepEquals, bson.M{"ok": 1.0})
			c.Check(conn.run("test", countCmd()), jc.DeepEquals, unauthorized)
			c.Check(login(c, conn, "admin", mech, testUser, testPassword, skipEmpty)["ok"], gc.Equals, 0.0)
			conn.Close()
		}
	}
}

func (s *authSuite) TestLoginFails(c *gc.C) {
	failed := bson.M{"ok": 0.0, "code": 18, "codeName": "AuthenticationFailed", "errmsg": "Authentication failed."}
	for _, t := range []struct{ db, mech, user, password string }{
		{"admin", "SCRAM-SHA-256", testUser, "wrong"},
		{"admin", "SCRAM-SHA-1", testUser, "wrong"},
		{"admin", "SCRAM-SHA-256", "bob", testPassword},
		{"test", "SCRAM-SHA-256", testUser, testPassword}, // the user is in admin
	} {
		conn := dialRaw(c, s.server.Addr())
		c.Check(login(c, conn, t.db, t.mech, t.user, t.password, true), jc.DeepEquals, failed, gc.Commentf("%+v", t))
		c.Check(conn.run("test", countCmd()), jc.DeepEquals, unauthorized)
		// The failed conversation is over.
		reply := conn.run("admin", bson.D{{Name: "saslContinue", Value: 1}, {Name: "conversationId", Value: 1}, {Name: "payload", Value: []byte{}}})
		c.Check(reply["code"], gc.Equals, 17)
		// The connection may try again.
		c.Check(login(c, conn, "admin", "SCRAM-SHA-256", testUser, testPassword, true)["ok"], gc.Equals, 1.0)
		conn.Close()
	}

	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	reply := conn.run("admin", bson.D{{Name: "saslStart", Value: 1}, {Name: "mechanism", Value: "PLAIN"}, {Name: "payload", Value: []byte("x")}})
	c.Check(reply["code"], gc.Equals, 334)
	reply = conn.run("admin", bson.D{{Name: "saslStart", Value: 1}, {Name: "mechanism", Value: "SCRAM-SHA-256"}, {Name: "payload", Value: "not binary"}})
	c.Check(reply["code"], gc.Equals, 2)
}

func (s *authSuite) TestRequireAuthErrors(c *gc.C) {
	c.Check(s.server.RequireAuth("", "x"), gc.ErrorMatches, "mongotest: RequireAuth: empty user name")
}

// TestSupportedMechs asks, as drivers do in the handshake, which
// mechanisms a user has.
func (s *authSuite) TestSupportedMechs(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	both := []interface{}{"SCRAM-SHA-1", "SCRAM-SHA-256"}
	for _, name := range []string{"isMaster", "hello"} {
		reply := conn.run("admin", bson.D{{Name: name, Value: 1}, {Name: "saslSupportedMechs", Value: "admin." + testUser}})
		c.Check(reply["saslSupportedMechs"], jc.DeepEquals, both, gc.Commentf("%s: %v", name, reply))
		reply = conn.run("admin", bson.D{{Name: name, Value: 1}, {Name: "saslSupportedMechs", Value: "admin.bob"}})
		c.Check(reply["ok"], gc.Equals, 1.0)
		c.Check(reply["saslSupportedMechs"], gc.IsNil)
	}
	_, reply := conn.query("admin.$cmd", marshal(c, bson.D{{Name: "isMaster", Value: 1}, {Name: "saslSupportedMechs", Value: "admin." + testUser}}))
	c.Check(reply["saslSupportedMechs"], jc.DeepEquals, both)
}

// TestThroughMgowire authenticates mgo sessions through mgowire, which
// does the SCRAM conversation itself.
func (s *authSuite) TestThroughMgowire(c *gc.C) {
	session, err := s.server.Dial()
	c.Assert(err, jc.ErrorIsNil)
	defer session.Close()
	c.Assert(session.DB("").C("things").Insert(bson.M{"_id": "dial"}), jc.ErrorIsNil)

	for _, mech := range []string{"SCRAM-SHA-256", "SCRAM-SHA-1", ""} {
		session, err := mgowire.DialWithInfo(&mgo.DialInfo{
			Addrs: []string{s.server.Addr()}, Database: "test", Timeout: longWait,
			Username: testUser, Password: testPassword, Source: "admin", Mechanism: mech,
		}, mgowire.Options{})
		c.Assert(err, jc.ErrorIsNil, gc.Commentf("mechanism %q", mech))
		c.Check(session.DB("").C("things").Insert(bson.M{"mech": mech}), jc.ErrorIsNil, gc.Commentf("mechanism %q", mech))
		// Sockets are reused by sessions without credentials (mgo's
		// pinger and cluster sync): no second login, no logout reaches
		// the server, and the data stays readable.
		session.Refresh()
		n, err := session.DB("").C("things").Count()
		c.Check(err, jc.ErrorIsNil)
		c.Check(n > 0, jc.IsTrue)
		session.Close()
	}
}

// TestUnauthenticated dials without credentials: the handshake and ping
// work, so mgo connects, but every operation is refused.
func (s *authSuite) TestUnauthenticated(c *gc.C) {
	session, err := mgowire.DialWithInfo(&mgo.DialInfo{
		Addrs: []string{s.server.Addr()}, Database: "test", Timeout: longWait,
	}, mgowire.Options{})
	c.Assert(err, jc.ErrorIsNil)
	defer session.Close()
	err = session.DB("").C("things").Insert(bson.M{"_id": 1})
	c.Check(err, gc.ErrorMatches, "command insert requires authentication")
	c.Check(wiretest.ErrorCode(err), gc.Equals, 13)
	err = session.DB("").C("things").Find(nil).One(&bson.M{})
	c.Check(err, gc.ErrorMatches, "command find requires authentication")
}

// TestWrongPassword dials with a wrong password: mgowire's authentication
// fails on every connection, so mgo finds no server, and the error says why
// (it wraps mgowire.ErrAuth).
func (s *authSuite) TestWrongPassword(c *gc.C) {
	for _, mech := range []string{"SCRAM-SHA-256", "SCRAM-SHA-1"} {
		session, err := mgowire.DialWithInfo(&mgo.DialInfo{
			Addrs: []string{s.server.Addr()}, Timeout: 2 * time.Second, FailFast: true,
			Username: testUser, Password: "wrong", Mechanism: mech,
		}, mgowire.Options{})
		if err == nil {
			session.Close()
		}
		c.Check(err, gc.ErrorMatches, `no reachable servers; last connection setup error: mgowire: authenticating with .*: mgowire: authentication failed: .*Authentication failed\. \(code 18\)`,
			gc.Commentf("mechanism %s", mech))
		c.Check(errors.Is(err, mgowire.ErrAuth), jc.IsTrue, gc.Commentf("mechanism %s", mech))
	}
}
