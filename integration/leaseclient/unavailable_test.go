package leaseclient_test

import (
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

// ClientUnavailableSuite checks that every way the embedded server can
// fail to answer reaches the caller as an error matching
// lease.ErrUnavailable, and that the client works on what the store holds
// once it answers again.
type ClientUnavailableSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientUnavailableSuite{})

var unavailableRequest = lease.Request{Holder: "holder", Duration: time.Minute}

func checkUnavailable(c *gc.C, err error, what string) {
	c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue, gc.Commentf("%s: %v", what, err))
}

func (s *ClientUnavailableSuite) TestDropConnections(c *gc.C) {
	fix := EasyFixture(c, s.db)
	c.Assert(fix.Client.ClaimLease("name", unavailableRequest), jc.ErrorIsNil)
	s.server.DropConnections()
	if err := fix.Client.Refresh(); err != nil {
		checkUnavailable(c, err, "Refresh after dropped connections")
	}
	s.server.DropConnections()
	if err := fix.Client.ExtendLease("name", unavailableRequest); err != nil {
		checkUnavailable(c, err, "ExtendLease after dropped connections")
	}
	c.Check(fix.Client.ExtendLease("name", unavailableRequest), jc.ErrorIsNil)
}

func (s *ClientUnavailableSuite) TestNotPrimaryOnRead(c *gc.C) {
	fix := EasyFixture(c, s.db)
	c.Assert(s.server.FailNotPrimary("find", 1), jc.ErrorIsNil)
	checkUnavailable(c, fix.Client.Refresh(), "Refresh")
	c.Check(fix.Client.Refresh(), jc.ErrorIsNil)
}

// TestNotPrimaryOnWrite: the first command of a claim's transaction is
// refused; the claim fails as unavailable, and the next one works.
func (s *ClientUnavailableSuite) TestNotPrimaryOnWrite(c *gc.C) {
	fix := EasyFixture(c, s.db)
	c.Assert(s.server.FailNotPrimary("", 1), jc.ErrorIsNil)
	checkUnavailable(c, fix.Client.ClaimLease("name", unavailableRequest), "ClaimLease")
	c.Assert(claimDecidedOnStore(c, fix), jc.ErrorIsNil)
}

// TestWriteConcern: a write of the claim's transaction is applied but
// reports a write concern error (wtimeout): the claim's outcome is
// unknown, and the next claim is decided on what the store holds.
func (s *ClientUnavailableSuite) TestWriteConcern(c *gc.C) {
	fix := EasyFixture(c, s.db)
	c.Assert(s.server.FailWriteConcern("", 1), jc.ErrorIsNil)
	checkUnavailable(c, fix.Client.ClaimLease("name", unavailableRequest), "ClaimLease")
	c.Assert(claimDecidedOnStore(c, fix), jc.ErrorIsNil)
}

// claimDecidedOnStore claims "name" for holder again after a claim whose
// outcome is unknown: the client's cache still says the lease is not
// held, so the claim either applies or, if the first did, is refused
// (ErrInvalid) after the client read the lease, which it then shows held
// by holder. Either way holder holds it.
func claimDecidedOnStore(c *gc.C, fix *Fixture) error {
	err := fix.Client.ClaimLease("name", unavailableRequest)
	if err == lease.ErrInvalid {
		c.Logf("the first claim had been applied")
		err = nil
	}
	c.Check(fix.Client.Leases()["name"].Holder, gc.Equals, "holder")
	return err
}
