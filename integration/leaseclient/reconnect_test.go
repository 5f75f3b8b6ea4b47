package leaseclient_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

// ClientReconnectSuite checks that a client outlives dropped connections:
// lease.NewMongo works on a copy of the session for every call, so a
// broken socket does not stay with the client.
type ClientReconnectSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientReconnectSuite{})

func (s *ClientReconnectSuite) TestDropConnections(c *gc.C) {
	fix := EasyFixture(c, s.db)
	request := lease.Request{Holder: "holder", Duration: time.Minute}
	c.Assert(fix.Client.ClaimLease("name", request), jc.ErrorIsNil)

	s.server.DropConnections()
	err := fix.Client.Refresh()
	c.Logf("first refresh after dropping connections: %v", err)
	err = fix.Client.Refresh()
	c.Check(err, jc.ErrorIsNil)

	s.server.DropConnections()
	err = fix.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: time.Hour})
	c.Logf("first extension after dropping connections: %v", err)
	c.Check(fix.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: time.Hour}), jc.ErrorIsNil)
	c.Check(fix.Client.Refresh(), jc.ErrorIsNil)
	c.Check("name", fix.Expiry(), fix.Zero.Add(time.Hour))
}
