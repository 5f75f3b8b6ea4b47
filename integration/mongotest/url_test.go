package mongotest_test

import (
	"os"
	"strings"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/mgowire"
)

// urlSuite checks Server.URL: a session dialed with it reaches the
// Server's database, as one from Server.Dial does.
type urlSuite struct {
	fixture
}

var _ = gc.Suite(&urlSuite{})

// dialURL dials the server's URL with mgowire.Dial, and checks that the
// session's database is the fixture's: a document written through one is
// read through the other.
func (s *urlSuite) dialURL(c *gc.C) {
	session, err := mgowire.Dial(s.server.URL())
	c.Assert(err, jc.ErrorIsNil)
	defer session.Close()
	c.Check(session.DB("").Name, gc.Equals, s.db.Name)
	c.Assert(session.DB("").C("things").Insert(bson.M{"_id": "via-url"}), jc.ErrorIsNil)
	checkCount(c, s.db.C("things").FindId("via-url"), 1)
}

func (s *urlSuite) TestURL(c *gc.C) {
	if os.Getenv("LEADERSHIP_MONGO_URL") == "" {
		c.Check(s.server.URL(), gc.Equals, "mongodb://"+s.server.Addr()+"/mongotest")
	} else {
		c.Check(strings.HasPrefix(s.server.URL(), "mongodb://"), jc.IsTrue)
	}
	s.dialURL(c)
}

func (s *urlSuite) TestURLWithAuth(c *gc.C) {
	embeddedOnly(c)
	c.Assert(s.server.RequireAuth("ann", "p@ss/word:1"), jc.ErrorIsNil)
	c.Check(s.server.URL(), gc.Equals, "mongodb://ann:p%40ss%2Fword%3A1@"+s.server.Addr()+"/mongotest?authSource=admin")
	s.dialURL(c)
}
