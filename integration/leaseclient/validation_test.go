package leaseclient_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// ClientValidationSuite: SPEC §7.2. Every argument the MongoDB client
// takes is checked where it enters, before anything is read or written,
// with the rule of lease.MaxStringLen; the in-memory store refuses the
// same arguments with the same messages.
type ClientValidationSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientValidationSuite{})

// stringRule is how every refusal of a string ends, after its article and
// noun.
const stringRule = " must be 1 to 256 bytes of UTF-8 text with no '.', '$', '#', white space or control characters"

// isInvalidArgument reports whether err matches lease.ErrInvalidArgument,
// for jc.Satisfies.
func isInvalidArgument(err error) bool {
	return errors.Is(err, lease.ErrInvalidArgument)
}

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

// TestIdsTheStoreCannotHold: NewClient accepted the id "controller\x00a",
// and an id of invalid UTF-8. An id is a field name of the clock document
// in every write, so the first claim made a corrupt document ("Document is
// corrupted") and stopped the manager. They are refused now, as the
// in-memory store refuses them, with the same message, and nothing is
// written; so are an id over the length limit, and a host's name with its
// dots (which a $set would take for a path), whose error suggests the id
// to use.
func (s *ClientValidationSuite) TestIdsTheStoreCannotHold(c *gc.C) {
	for _, t := range []struct{ id, err string }{
		{"controller\x00a", `invalid id "controller\x00a": control character U+0000 at byte 10 (use "controller-a" instead); an id` + stringRule},
		{"controller\xffa", `invalid id "controller\xffa": invalid UTF-8 at byte 10 (use "controller-a" instead); an id` + stringRule},
		{"ctl-1.example.com", `invalid id "ctl-1.example.com": '.' at byte 5 (use "ctl-1-example-com" instead); an id` + stringRule},
		{strings.Repeat("c", 257), `invalid id "` + strings.Repeat("c", 64) + `"... (257 bytes): 257 bytes, more than 256; an id` + stringRule},
	} {
		c.Logf("id %q", t.id)
		clock := NewClock(defaultClockStart, 0)
		client, err := lease.NewClient(lease.ClientConfig{
			Id:         t.id,
			Namespace:  "default-namespace",
			Collection: "default-collection",
			Mongo:      NewMongo(s.db),
			Clock:      clock,
		})
		c.Check(client, gc.IsNil)
		c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(t.err))
		c.Check(err, jc.Satisfies, isInvalidArgument)
		memory, memErr := leasetest.NewStore(clock).NewClient(t.id)
		c.Check(memory, gc.IsNil)
		c.Check(memErr, gc.ErrorMatches, regexp.QuoteMeta(t.err))
	}
	// Nothing was written: not even a clock document.
	for coll, docs := range s.dumpAll(c) {
		c.Check(docs, gc.HasLen, 0, gc.Commentf("collection %q", coll))
	}
}

// TestSameRefusalsAsInMemory: each call refuses the same arguments as the
// in-memory store's client, with the same message matching
// ErrInvalidArgument, and writes nothing. The first is a lease name of
// 17MiB: the client sent it, in a transaction of about 71MB, which the
// server refused with an error that matched nothing the manager could
// survive, so the manager stopped for every unit.
func (s *ClientValidationSuite) TestSameRefusalsAsInMemory(c *gc.C) {
	fix := EasyFixture(c, s.db)
	c.Assert(fix.Client.ClaimLease("redis", lease.Request{Holder: "redis/0", Duration: time.Minute}), jc.ErrorIsNil)
	memory := leasetest.NewStore(fix.Clock).MustNewClient("default-client")
	c.Assert(memory.ClaimLease("redis", lease.Request{Holder: "redis/0", Duration: time.Minute}), jc.ErrorIsNil)
	before := s.dumpAll(c)

	huge := strings.Repeat("a", 17<<20)
	ok := lease.Request{Holder: "redis/0", Duration: time.Minute}
	for _, t := range []struct {
		about string
		call  func(lease.Client) error
		err   string
	}{{
		about: "a 17MiB lease name",
		call:  func(cl lease.Client) error { return cl.ClaimLease(huge, ok) },
		err:   `invalid lease name "` + strings.Repeat("a", 64) + `"... (17825792 bytes): 17825792 bytes, more than 256; a lease name` + stringRule,
	}, {
		about: "a 17MiB holder",
		call: func(cl lease.Client) error {
			return cl.ClaimLease("mysql", lease.Request{Holder: huge, Duration: time.Minute})
		},
		err: `invalid request: invalid holder "` + strings.Repeat("a", 64) + `"... (17825792 bytes): 17825792 bytes, more than 256; a holder` + stringRule,
	}, {
		about: "a NUL in a lease name",
		call:  func(cl lease.Client) error { return cl.ClaimLease("my\x00sql", ok) },
		err:   `invalid lease name "my\x00sql": control character U+0000 at byte 2 (use "my-sql" instead); a lease name` + stringRule,
	}, {
		about: "invalid UTF-8 in a holder",
		call: func(cl lease.Client) error {
			return cl.ExtendLease("redis", lease.Request{Holder: "redis/\xff", Duration: time.Minute})
		},
		err: `invalid request: invalid holder "redis/\xff": invalid UTF-8 at byte 6 (use "redis/-" instead); a holder` + stringRule,
	}, {
		about: "a duration that is not positive",
		call:  func(cl lease.Client) error { return cl.ExtendLease("redis", lease.Request{Holder: "redis/0"}) },
		err:   `invalid request: invalid duration 0s: must be positive`,
	}, {
		about: "a long name to expire",
		call:  func(cl lease.Client) error { return cl.ExpireLease(strings.Repeat("r", 300)) },
		err:   `invalid lease name "` + strings.Repeat("r", 64) + `"... (300 bytes): 300 bytes, more than 256; a lease name` + stringRule,
	}, {
		about: "a dot in a name to expire",
		call:  func(cl lease.Client) error { return cl.ExpireLease("$name") },
		err:   `invalid lease name "$name": '$' at byte 0 (use "-name" instead); a lease name` + stringRule,
	}, {
		about: "a control character in a holder to revoke",
		call:  func(cl lease.Client) error { return cl.(lease.Revoker).RevokeLease("redis", "redis/0\x7f") },
		err:   `invalid holder "redis/0\x7f": control character U+007F at byte 7 (use "redis/0-" instead); a holder` + stringRule,
	}, {
		about: "a 17MiB name to read",
		call:  func(cl lease.Client) error { return cl.(lease.SingleRefresher).RefreshLease(huge) },
		err:   `invalid lease name "` + strings.Repeat("a", 64) + `"... (17825792 bytes): 17825792 bytes, more than 256; a lease name` + stringRule,
	}} {
		c.Logf("%s", t.about)
		err := t.call(fix.Client)
		c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(t.err))
		c.Check(err, jc.Satisfies, isInvalidArgument)
		memErr := t.call(memory)
		c.Check(memErr, gc.ErrorMatches, regexp.QuoteMeta(t.err))
		c.Check(memErr, jc.Satisfies, isInvalidArgument)
	}
	c.Check(s.dumpAll(c), jc.DeepEquals, before)
	for _, leases := range []map[string]lease.Info{fix.Client.Leases(), memory.Leases()} {
		c.Check(leases, gc.HasLen, 1)
		c.Check(leases["redis"].Holder, gc.Equals, "redis/0")
	}
}

func (s *ClientValidationSuite) checkError(c *gc.C, err error, message string) {
	c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(message))
	c.Check(err, jc.Satisfies, isInvalidArgument)
}

func (s *ClientValidationSuite) TestClaimLeaseName(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("$name", lease.Request{Holder: "holder", Duration: time.Minute})
	s.checkError(c, err, `invalid lease name "$name": '$' at byte 0 (use "-name" instead); a lease name`+stringRule)
}

func (s *ClientValidationSuite) TestClaimLeaseHolder(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "$holder", Duration: time.Minute})
	s.checkError(c, err, `invalid request: invalid holder "$holder": '$' at byte 0 (use "-holder" instead); a holder`+stringRule)
}

func (s *ClientValidationSuite) TestClaimLeaseDuration(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder"})
	s.checkError(c, err, "invalid request: invalid duration 0s: must be positive")
}

func (s *ClientValidationSuite) TestExtendLeaseName(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ExtendLease("$name", lease.Request{Holder: "holder", Duration: time.Minute})
	s.checkError(c, err, `invalid lease name "$name": '$' at byte 0 (use "-name" instead); a lease name`+stringRule)
}

func (s *ClientValidationSuite) TestExtendLeaseHolder(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ExtendLease("name", lease.Request{Holder: "$holder", Duration: time.Minute})
	s.checkError(c, err, `invalid request: invalid holder "$holder": '$' at byte 0 (use "-holder" instead); a holder`+stringRule)
}

func (s *ClientValidationSuite) TestExtendLeaseDuration(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ExtendLease("name", lease.Request{Holder: "holder"})
	s.checkError(c, err, "invalid request: invalid duration 0s: must be positive")
}

func (s *ClientValidationSuite) TestExpireLeaseName(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ExpireLease("$name")
	s.checkError(c, err, `invalid lease name "$name": '$' at byte 0 (use "-name" instead); a lease name`+stringRule)
}

// TestValidIdsWork: ids at the edges of the rule (the longest, one of
// digits only, one like a MongoDB field, one not ASCII) are field names
// the store keeps: a client with each claims, and another client reads
// the lease and the writer's clock.
func (s *ClientValidationSuite) TestValidIdsWork(c *gc.C) {
	for i, id := range []string{strings.Repeat("c", 256), "0", "_id", "контроллер-1", "ctl_1:2@x/y"} {
		c.Logf("id %q", id)
		name := fmt.Sprintf("lease%d", i)
		writer := NewFixture(c, s.db, FixtureParams{Id: id})
		c.Assert(writer.Client.ClaimLease(name, lease.Request{Holder: "holder", Duration: time.Minute}), jc.ErrorIsNil)
		reader := NewFixture(c, s.db, FixtureParams{Id: fmt.Sprintf("reader-%d", i)})
		c.Check(name, reader.Holder(), "holder")
		snapshot, err := lease.Inspect(reader.Mongo, "default-collection", "default-namespace", reader.Clock)
		c.Assert(err, jc.ErrorIsNil)
		c.Check(snapshot.Problems, gc.HasLen, 0)
		_, ok := snapshot.Writer(id)
		c.Check(ok, jc.IsTrue)
	}
}
