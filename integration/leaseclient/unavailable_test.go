package leaseclient_test

import (
	"errors"
	"fmt"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
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
	c.Check(mongofixture.AfterClosedConns(c, "ExtendLease", func() error {
		return fix.Client.ExtendLease("name", unavailableRequest)
	}), jc.ErrorIsNil)
}

// TestInspectStopped: Inspect and Namespaces, which read outside a
// client, fail as unavailable on a stopped server, and read again once
// it is back.
func (s *ClientUnavailableSuite) TestInspectStopped(c *gc.C) {
	fix := EasyFixture(c, s.db)
	c.Assert(fix.Client.ClaimLease("name", unavailableRequest), jc.ErrorIsNil)
	s.db.Session.SetSyncTimeout(time.Second)
	mongo := lease.NewMongo(s.db, txnCollection)
	c.Assert(s.server.Stop(), jc.ErrorIsNil)
	_, err := lease.Inspect(mongo, fix.Config.Collection, fix.Config.Namespace, fix.Clock)
	checkUnavailable(c, err, "Inspect")
	_, err = lease.Namespaces(mongo, fix.Config.Collection)
	checkUnavailable(c, err, "Namespaces")

	c.Assert(s.server.Restart(), jc.ErrorIsNil)
	var snapshot lease.Snapshot
	c.Assert(mongofixture.AfterClosedConns(c, "Inspect", func() (err error) {
		snapshot, err = lease.Inspect(mongo, fix.Config.Collection, fix.Config.Namespace, fix.Clock)
		return err
	}), jc.ErrorIsNil)
	c.Check(snapshot.Leases, gc.HasLen, 1)
	names, err := lease.Namespaces(mongo, fix.Config.Collection)
	c.Assert(err, jc.ErrorIsNil)
	c.Check(names, jc.DeepEquals, []string{fix.Config.Namespace})
}

func (s *ClientUnavailableSuite) TestNotPrimaryOnRead(c *gc.C) {
	fix := EasyFixture(c, s.db)
	c.Assert(s.server.FailNotPrimary("find", 1), jc.ErrorIsNil)
	checkUnavailable(c, fix.Client.Refresh(), "Refresh")
	c.Check(mongofixture.AfterClosedConns(c, "Refresh", fix.Client.Refresh), jc.ErrorIsNil)
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
// by holder. Either way holder holds it. A claim that meets the connection
// the first one's fault closed is made again (mongofixture.AfterClosedConns).
func claimDecidedOnStore(c *gc.C, fix *Fixture) error {
	err := mongofixture.AfterClosedConns(c, "ClaimLease", func() error {
		return fix.Client.ClaimLease("name", unavailableRequest)
	})
	if err == lease.ErrInvalid {
		c.Logf("the first claim had been applied")
		err = nil
	}
	c.Check(fix.Client.Leases()["name"].Holder, gc.Equals, "holder")
	return err
}

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
	c.Check(mongofixture.AfterClosedConns(c, "Refresh", fix.Client.Refresh), jc.ErrorIsNil)

	s.server.DropConnections()
	err = fix.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: time.Hour})
	c.Logf("first extension after dropping connections: %v", err)
	c.Check(mongofixture.AfterClosedConns(c, "ExtendLease", func() error {
		return fix.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: time.Hour})
	}), jc.ErrorIsNil)
	c.Check(fix.Client.Refresh(), jc.ErrorIsNil)
	c.Check("name", fix.Expiry(), fix.Zero.Add(time.Hour))
}

// ClientFailoverSuite fails one command of a claim the way a replica set
// does, through mgowire: a primary that steps down answers "not primary"
// (mgowire closes that connection), a majority write that times out
// reports a writeConcernError. The claim must fail visibly, the client
// must go on working, and the lease must end up claimed once.
type ClientFailoverSuite struct {
	faultSuite
}

var _ = gc.Suite(&ClientFailoverSuite{})

// claimCommands are the commands of a claim: the read of the clock
// document, and mgo/txn's insert of the transaction, its findAndModify
// on each document's queue and its updates.
var claimCommands = []string{"find", "insert", "findAndModify", "update"}

// claimWrites are the writes among claimCommands: those that can get a
// writeConcernError.
var claimWrites = claimCommands[1:]

func (s *ClientFailoverSuite) TestNotPrimary(c *gc.C) {
	s.checkFailedClaims(c, "not primary", claimCommands, s.server.FailNotPrimary)
}

func (s *ClientFailoverSuite) TestWriteConcernError(c *gc.C) {
	s.checkFailedClaims(c, "waiting for replication timed out", claimWrites, s.server.FailWriteConcern)
}

// checkFailedClaims claims one lease per command of commands, with
// that command's first reply failed by arm: the claim returns an error
// matching want, never success and never lease.ErrInvalid; claiming again
// ends with the lease held, and its expiry that of one of the two claims.
func (s *ClientFailoverSuite) checkFailedClaims(c *gc.C, want string, commands []string, arm func(string, int) error) {
	fix := EasyFixture(c, s.db)
	request := lease.Request{Holder: "holder", Duration: time.Minute}
	for _, command := range commands {
		name := "lease-" + command
		c.Assert(arm(command, 1), jc.ErrorIsNil)
		err := fix.Client.ClaimLease(name, request)
		c.Check(s.server.PendingFaults(), gc.Equals, 0, gc.Commentf("a claim sends no %s", command))
		c.Check(err, gc.ErrorMatches, fmt.Sprintf(".*%s.*", want), gc.Commentf("failed %s", command))
		c.Check(errors.Is(err, lease.ErrInvalid), jc.IsFalse)

		// The client works again (lease.NewMongo copies the session for
		// each call, so a call after the one that met a closed connection
		// gets a new one): the claim completes, or was completed by the
		// failed attempt, and then is known to be held.
		err = mongofixture.AfterClosedConns(c, "ClaimLease", func() error {
			return fix.Client.ClaimLease(name, request)
		})
		if errors.Is(err, lease.ErrInvalid) {
			c.Logf("failed %s: the first claim was completed later", command)
		} else {
			c.Check(err, jc.ErrorIsNil, gc.Commentf("failed %s", command))
		}
		c.Check(name, fix.Holder(), "holder")
		c.Check(name, fix.Expiry(), fix.Zero.Add(time.Minute))
	}

	// A second client sees the same leases.
	other := NewFixtureAfterFault(c, s.db, FixtureParams{Id: "other-client"})
	for _, command := range commands {
		c.Check("lease-"+command, other.Holder(), "holder")
	}
}
