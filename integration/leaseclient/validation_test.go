package leaseclient_test

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

// ClientValidationSuite: SPEC §7.2, what only the MongoDB client takes:
// its configuration. (The conformance suite, Validation, checks the
// arguments of every call, and ids, on both stores, with the same
// messages.)
type ClientValidationSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientValidationSuite{})

// stringRule is how every refusal of a string ends, after its article and
// noun.
const stringRule = " must be 1 to 256 bytes of UTF-8 text with no '.', '$', '#', white space or control characters"

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
		`invalid id "$bad": '$' at byte 0 (use "-bad" instead); an id`+stringRule)
}

func (s *ClientValidationSuite) TestNewClientNamespace(c *gc.C) {
	s.checkNewClient(c, func(config *lease.ClientConfig) { config.Namespace = "$bad" },
		`invalid namespace "$bad": '$' at byte 0 (use "-bad" instead); a namespace`+stringRule)
}

func (s *ClientValidationSuite) TestNewClientCollection(c *gc.C) {
	s.checkNewClient(c, func(config *lease.ClientConfig) { config.Collection = "$bad" },
		`invalid collection "$bad": '$' at byte 0 (use "-bad" instead); a collection`+stringRule)
}

func (s *ClientValidationSuite) TestNewClientMongo(c *gc.C) {
	s.checkNewClient(c, func(config *lease.ClientConfig) { config.Mongo = nil }, `missing mongo: set Mongo to lease.NewMongo(session.DB(""), "txns"), on the database and txn collection that your fenced transactions use`)
}

func (s *ClientValidationSuite) TestNewClientClock(c *gc.C) {
	s.checkNewClient(c, func(config *lease.ClientConfig) { config.Clock = nil }, "missing clock: set Clock to lease.SystemClock{}, the wall clock (in tests, a fake one such as leasetest.NewClock(leasetest.Start))")
}

// TestValidIdsWork: ids at the edges of the rule (the longest, one of
// digits only, one like a MongoDB field, one not ASCII) are field names
// the store keeps: after a claim by a client with each, the clock
// document records the writer, and is sound. (The conformance suite,
// Validation/ValidIds, checks that other clients read the leases.)
func (s *ClientValidationSuite) TestValidIdsWork(c *gc.C) {
	for i, id := range []string{strings.Repeat("c", 256), "0", "_id", "контроллер-1", "ctl_1:2@x/y"} {
		c.Logf("id %q", id)
		name := fmt.Sprintf("lease%d", i)
		writer := NewFixture(c, s.db, FixtureParams{Id: id})
		c.Assert(writer.Client.ClaimLease(name, lease.Request{Holder: "holder", Duration: time.Minute}), jc.ErrorIsNil)
		snapshot, err := lease.Inspect(writer.Mongo, "default-collection", "default-namespace", writer.Clock)
		c.Assert(err, jc.ErrorIsNil)
		c.Check(snapshot.Problems, gc.HasLen, 0)
		_, ok := snapshot.Writer(id)
		c.Check(ok, jc.IsTrue)
	}
}
