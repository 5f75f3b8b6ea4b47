package leaseclient_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

// ClientOperationSuite: SPEC §7.3, one client whose clock only moves when
// told to.
type ClientOperationSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientOperationSuite{})

func (s *ClientOperationSuite) TestClaimLease(c *gc.C) {
	fix := EasyFixture(c, s.db)

	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	c.Check("name", fix.Holder(), "holder")
	c.Check("name", fix.Expiry(), fix.Zero.Add(time.Minute))
}

func (s *ClientOperationSuite) TestClaimMultipleLeases(c *gc.C) {
	fix := EasyFixture(c, s.db)

	for _, t := range []struct {
		name, holder string
		duration     time.Duration
	}{
		{"short", "holder", time.Second},
		{"medium", "grasper", time.Minute},
		{"long", "clutcher", time.Hour},
	} {
		err := fix.Client.ClaimLease(t.name, lease.Request{Holder: t.holder, Duration: t.duration})
		c.Assert(err, jc.ErrorIsNil)
	}
	c.Check("short", fix.Holder(), "holder")
	c.Check("short", fix.Expiry(), fix.Zero.Add(time.Second))
	c.Check("medium", fix.Holder(), "grasper")
	c.Check("medium", fix.Expiry(), fix.Zero.Add(time.Minute))
	c.Check("long", fix.Holder(), "clutcher")
	c.Check("long", fix.Expiry(), fix.Zero.Add(time.Hour))
}

func (s *ClientOperationSuite) TestCannotClaimLeaseTwice(c *gc.C) {
	fix := EasyFixture(c, s.db)
	leaseDuration := time.Minute
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: leaseDuration})
	c.Assert(err, jc.ErrorIsNil)

	// The lease is held by someone else...
	err = fix.Client.ClaimLease("name", lease.Request{Holder: "other-holder", Duration: leaseDuration})
	c.Check(err == lease.ErrInvalid, jc.IsTrue, gc.Commentf("%v", err))
	// ...by the same holder...
	err = fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: leaseDuration})
	c.Check(err == lease.ErrInvalid, jc.IsTrue, gc.Commentf("%v", err))
	// ...and still held once it has run out, until it is expired.
	fix.Clock.Advance(time.Hour)
	err = fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: leaseDuration})
	c.Check(err == lease.ErrInvalid, jc.IsTrue, gc.Commentf("%v", err))
}

func (s *ClientOperationSuite) TestExtendLease(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Second})
	c.Assert(err, jc.ErrorIsNil)

	// Extended to, not by, the duration.
	err = fix.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	c.Check("name", fix.Holder(), "holder")
	c.Check("name", fix.Expiry(), fix.Zero.Add(time.Minute))
}

func (s *ClientOperationSuite) TestCanExtendStaleLease(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Second})
	c.Assert(err, jc.ErrorIsNil)

	// Nobody expired it, so its holder can still extend it.
	fix.Clock.Advance(time.Minute)
	extendTime := fix.Clock.Now()
	err = fix.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	c.Check("name", fix.Holder(), "holder")
	c.Check("name", fix.Expiry(), extendTime.Add(time.Minute))
}

func (s *ClientOperationSuite) TestExtendLeaseCannotChangeHolder(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)

	err = fix.Client.ExtendLease("name", lease.Request{Holder: "other-holder", Duration: time.Minute})
	c.Check(err == lease.ErrInvalid, jc.IsTrue, gc.Commentf("%v", err))
	c.Check("name", fix.Holder(), "holder")
}

func (s *ClientOperationSuite) TestExtendLeaseCannotShortenLease(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)

	err = fix.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: time.Second})
	c.Assert(err, jc.ErrorIsNil)
	c.Check("name", fix.Holder(), "holder")
	c.Check("name", fix.Expiry(), fix.Zero.Add(time.Minute))
}

func (s *ClientOperationSuite) TestCannotExpireLeaseBeforeExpiry(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)

	// Reaching the expiry time is not enough: it must have passed.
	fix.Clock.Advance(time.Minute)
	err = fix.Client.ExpireLease("name")
	c.Check(err == lease.ErrInvalid, jc.IsTrue, gc.Commentf("%v", err))
	c.Check("name", fix.Holder(), "holder")
}

func (s *ClientOperationSuite) TestExpireLeaseAfterExpiry(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)

	fix.Clock.Advance(time.Minute + time.Nanosecond)
	err = fix.Client.ExpireLease("name")
	c.Assert(err, jc.ErrorIsNil)
	c.Check("name", fix.Holder(), "")
	c.Check(fix.Client.Leases(), gc.HasLen, 0)
}

func (s *ClientOperationSuite) TestCannotExpireUnheldLease(c *gc.C) {
	fix := EasyFixture(c, s.db)

	err := fix.Client.ExpireLease("name")
	c.Check(err == lease.ErrInvalid, jc.IsTrue, gc.Commentf("%v", err))
}

func (s *ClientOperationSuite) TestLeaseReader(c *gc.C) {
	fix := EasyFixture(c, s.db)
	reader, ok := fix.Client.(lease.Reader)
	c.Assert(ok, jc.IsTrue)
	_, held := reader.Lease("name")
	c.Check(held, jc.IsFalse)

	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	info, held := reader.Lease("name")
	c.Check(held, jc.IsTrue)
	c.Check(info, jc.DeepEquals, fix.Client.Leases()["name"])
}
