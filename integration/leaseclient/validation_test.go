package leaseclient_test

import (
	"regexp"
	"time"

	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

// ClientValidationSuite: SPEC §7.2.
type ClientValidationSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientValidationSuite{})

func (s *ClientValidationSuite) checkNewClient(c *gc.C, change func(*lease.ClientConfig), message string) {
	fix := EasyFixture(c, s.db)
	config := fix.Config
	change(&config)
	client, err := lease.NewClient(config)
	c.Check(client, gc.IsNil)
	c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(message))
}

func (s *ClientValidationSuite) TestNewClientId(c *gc.C) {
	s.checkNewClient(c, func(config *lease.ClientConfig) { config.Id = "$bad" },
		"invalid id: string contains forbidden characters")
}

func (s *ClientValidationSuite) TestNewClientNamespace(c *gc.C) {
	s.checkNewClient(c, func(config *lease.ClientConfig) { config.Namespace = "$bad" },
		"invalid namespace: string contains forbidden characters")
}

func (s *ClientValidationSuite) TestNewClientCollection(c *gc.C) {
	s.checkNewClient(c, func(config *lease.ClientConfig) { config.Collection = "$bad" },
		"invalid collection: string contains forbidden characters")
}

func (s *ClientValidationSuite) TestNewClientMongo(c *gc.C) {
	s.checkNewClient(c, func(config *lease.ClientConfig) { config.Mongo = nil }, "missing mongo")
}

func (s *ClientValidationSuite) TestNewClientClock(c *gc.C) {
	s.checkNewClient(c, func(config *lease.ClientConfig) { config.Clock = nil }, "missing clock: set Clock to lease.SystemClock{}, the wall clock (in tests, a fake one such as leasetest.NewClock(leasetest.Start))")
}

func (s *ClientValidationSuite) checkError(c *gc.C, err error, message string) {
	c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(message))
}

func (s *ClientValidationSuite) TestClaimLeaseName(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("$name", lease.Request{Holder: "holder", Duration: time.Minute})
	s.checkError(c, err, "invalid name: string contains forbidden characters")
}

func (s *ClientValidationSuite) TestClaimLeaseHolder(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "$holder", Duration: time.Minute})
	s.checkError(c, err, "invalid request: invalid holder: string contains forbidden characters")
}

func (s *ClientValidationSuite) TestClaimLeaseDuration(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder"})
	s.checkError(c, err, "invalid request: invalid duration")
}

func (s *ClientValidationSuite) TestExtendLeaseName(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ExtendLease("$name", lease.Request{Holder: "holder", Duration: time.Minute})
	s.checkError(c, err, "invalid name: string contains forbidden characters")
}

func (s *ClientValidationSuite) TestExtendLeaseHolder(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ExtendLease("name", lease.Request{Holder: "$holder", Duration: time.Minute})
	s.checkError(c, err, "invalid request: invalid holder: string contains forbidden characters")
}

func (s *ClientValidationSuite) TestExtendLeaseDuration(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ExtendLease("name", lease.Request{Holder: "holder"})
	s.checkError(c, err, "invalid request: invalid duration")
}

func (s *ClientValidationSuite) TestExpireLeaseName(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ExpireLease("$name")
	s.checkError(c, err, "invalid name: string contains forbidden characters")
}
