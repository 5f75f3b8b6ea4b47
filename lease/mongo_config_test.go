package lease_test

import (
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/lease"
)

type ClientConfigSuite struct{}

var _ = gc.Suite(&ClientConfigSuite{})

// unusedMongo fails the test if the client touches the database.
type unusedMongo struct {
	c *gc.C
}

func (m unusedMongo) RunTransaction([]txn.Op) error {
	m.c.Fatalf("unexpected RunTransaction")
	return nil
}

func (m unusedMongo) GetCollection(string) (*mgo.Collection, func()) {
	m.c.Fatalf("unexpected GetCollection")
	return nil, nil
}

// nilMongo and nilClock are used as nil pointers: a typed nil in the
// interface passed Validate, and panicked on first use.
type nilMongo struct{ unusedMongo }

type nilClock struct{ lease.SystemClock }

func (s *ClientConfigSuite) TestValidate(c *gc.C) {
	valid := func() lease.ClientConfig {
		return lease.ClientConfig{
			Id:         "machine-0",
			Namespace:  "service-leadership",
			Collection: "leases",
			Mongo:      unusedMongo{c},
			Clock:      lease.SystemClock{},
		}
	}
	for i, t := range []struct {
		about  string
		change func(*lease.ClientConfig)
		err    string
	}{{
		about:  "valid",
		change: func(*lease.ClientConfig) {},
	}, {
		about:  "bad id",
		change: func(cfg *lease.ClientConfig) { cfg.Id = "$bad" },
		err:    `invalid id "$bad": '$' at byte 0 (use "-bad" instead); an id must be 1 to 256 bytes of UTF-8 text with no '.', '$', '#', white space or control characters`,
	}, {
		about:  "empty id",
		change: func(cfg *lease.ClientConfig) { cfg.Id = "" },
		err:    `invalid id "": empty; an id must be 1 to 256 bytes of UTF-8 text with no '.', '$', '#', white space or control characters`,
	}, {
		about:  "bad namespace",
		change: func(cfg *lease.ClientConfig) { cfg.Namespace = "$bad" },
		err:    `invalid namespace "$bad": '$' at byte 0 (use "-bad" instead); a namespace must be 1 to 256 bytes of UTF-8 text with no '.', '$', '#', white space or control characters`,
	}, {
		about:  "empty namespace",
		change: func(cfg *lease.ClientConfig) { cfg.Namespace = "" },
		err:    `invalid namespace "": empty; a namespace must be 1 to 256 bytes of UTF-8 text with no '.', '$', '#', white space or control characters`,
	}, {
		about:  "bad collection",
		change: func(cfg *lease.ClientConfig) { cfg.Collection = "$bad" },
		err:    `invalid collection "$bad": '$' at byte 0 (use "-bad" instead); a collection must be 1 to 256 bytes of UTF-8 text with no '.', '$', '#', white space or control characters`,
	}, {
		about:  "missing mongo",
		change: func(cfg *lease.ClientConfig) { cfg.Mongo = nil },
		err:    `missing mongo: set Mongo to lease.NewMongo(session.DB(""), "txns"), on the database and txn collection that your fenced transactions use`,
	}, {
		about:  "nil pointer as mongo",
		change: func(cfg *lease.ClientConfig) { cfg.Mongo = (*nilMongo)(nil) },
		err:    "invalid mongo: nil *lease_test.nilMongo",
	}, {
		about:  "NewMongo of a nil database",
		change: func(cfg *lease.ClientConfig) { cfg.Mongo = lease.NewMongo(nil, "txns") },
		err:    "invalid mongo: NewMongo was given a nil database",
	}, {
		about:  "NewMongo with an empty transaction collection",
		change: func(cfg *lease.ClientConfig) { cfg.Mongo = lease.NewMongo(&mgo.Database{Name: "juju"}, "") },
		err:    `invalid mongo: invalid transaction collection "": empty; a transaction collection (NewMongo's txnCollection) must be a MongoDB collection name: not empty, with no '$' or NUL`,
	}, {
		about:  "NewMongo with a '$' in the transaction collection",
		change: func(cfg *lease.ClientConfig) { cfg.Mongo = lease.NewMongo(&mgo.Database{Name: "juju"}, "$txns") },
		err:    `invalid mongo: invalid transaction collection "$txns": '$' at byte 0; a transaction collection (NewMongo's txnCollection) must be a MongoDB collection name: not empty, with no '$' or NUL`,
	}, {
		about:  "NewMongo with a NUL in the transaction collection",
		change: func(cfg *lease.ClientConfig) { cfg.Mongo = lease.NewMongo(&mgo.Database{Name: "juju"}, "tx\x00ns") },
		err:    `invalid mongo: invalid transaction collection "tx\x00ns": '\x00' at byte 2; a transaction collection (NewMongo's txnCollection) must be a MongoDB collection name: not empty, with no '$' or NUL`,
	}, {
		about:  "missing clock",
		change: func(cfg *lease.ClientConfig) { cfg.Clock = nil },
		err:    "missing clock: set Clock to lease.SystemClock{}, the wall clock (in tests, a fake one such as leasetest.NewClock(leasetest.Start))",
	}, {
		about:  "nil pointer as clock",
		change: func(cfg *lease.ClientConfig) { cfg.Clock = (*nilClock)(nil) },
		err:    "invalid clock: nil *lease_test.nilClock",
	}, {
		about: "checked in order: id first",
		change: func(cfg *lease.ClientConfig) {
			*cfg = lease.ClientConfig{Id: "a b", Namespace: "#"}
		},
		err: `invalid id "a b": white space U+0020 at byte 1 (use "a-b" instead); an id must be 1 to 256 bytes of UTF-8 text with no '.', '$', '#', white space or control characters`,
	}, {
		about: "checked in order: collection before mongo",
		change: func(cfg *lease.ClientConfig) {
			cfg.Collection = ""
			cfg.Mongo = nil
			cfg.Clock = nil
		},
		err: `invalid collection "": empty; a collection must be 1 to 256 bytes of UTF-8 text with no '.', '$', '#', white space or control characters`,
	}, {
		about: "checked in order: mongo before clock",
		change: func(cfg *lease.ClientConfig) {
			cfg.Mongo = nil
			cfg.Clock = nil
		},
		err: `missing mongo: set Mongo to lease.NewMongo(session.DB(""), "txns"), on the database and txn collection that your fenced transactions use`,
	}} {
		c.Logf("test %d: %s", i, t.about)
		config := valid()
		t.change(&config)
		err := config.Validate()
		if t.err == "" {
			c.Check(err, jc.ErrorIsNil)
			continue
		}
		c.Check(err, gc.ErrorMatches, regexpQuote(t.err))

		client, err := lease.NewClient(config)
		c.Check(client, gc.IsNil)
		c.Check(err, gc.ErrorMatches, regexpQuote(t.err))
	}
}

// TestValidateTxnCollection: NewMongo's transaction collection was not
// checked, so an empty one, or one with a '$' or a NUL, reached the
// server, whose refusal ("Invalid namespace specified 'juju.'") named no
// rule and matched no sentinel. It is now the argument's error, and a '.'
// (which MongoDB collection names may hold) stays accepted.
func (s *ClientConfigSuite) TestValidateTxnCollection(c *gc.C) {
	db := &mgo.Database{Name: "juju"}
	for name, valid := range map[string]bool{"": false, "$txns": false, "tx\x00ns": false, "txns": true, "juju.txns": true} {
		err := lease.ClientConfig{
			Id: "machine-0", Namespace: "service-leadership", Collection: "leases",
			Mongo: lease.NewMongo(db, name), Clock: lease.SystemClock{},
		}.Validate()
		if valid {
			c.Check(err, jc.ErrorIsNil, gc.Commentf("%q", name))
		} else {
			c.Check(errors.Is(err, lease.ErrInvalidArgument), jc.IsTrue, gc.Commentf("%q: %v", name, err))
		}
	}
}

type PruneConfigSuite struct{}

var _ = gc.Suite(&PruneConfigSuite{})

func (s *PruneConfigSuite) TestValidate(c *gc.C) {
	valid := func() lease.PruneConfig {
		return lease.PruneConfig{
			Mongo:         unusedMongo{c},
			TxnCollection: "txns",
			Clock:         lease.SystemClock{},
		}
	}
	for i, t := range []struct {
		about  string
		change func(*lease.PruneConfig)
		err    string
		isArg  bool
	}{{
		about:  "valid, defaults",
		change: func(*lease.PruneConfig) {},
	}, {
		about: "valid, every field",
		change: func(cfg *lease.PruneConfig) {
			cfg.TxnCollection = "my.txns"
			cfg.MinAge = time.Minute
			cfg.BatchSize = lease.MaxPruneBatch
		},
	}, {
		about:  "missing mongo",
		change: func(cfg *lease.PruneConfig) { cfg.Mongo = nil },
		err:    `missing mongo: .*`,
	}, {
		about:  "nil mongo",
		change: func(cfg *lease.PruneConfig) { cfg.Mongo = (*nilMongo)(nil) },
		err:    `invalid mongo: nil \*lease_test.nilMongo`,
	}, {
		about:  "mongo on a nil database",
		change: func(cfg *lease.PruneConfig) { cfg.Mongo = lease.NewMongo(nil, "txns") },
		err:    `invalid mongo: NewMongo was given a nil database`,
	}, {
		about:  "empty txn collection",
		change: func(cfg *lease.PruneConfig) { cfg.TxnCollection = "" },
		err:    `invalid transaction collection .*`,
		isArg:  true,
	}, {
		about:  "txn collection with a dollar",
		change: func(cfg *lease.PruneConfig) { cfg.TxnCollection = "t$xns" },
		err:    `invalid transaction collection .*`,
		isArg:  true,
	}, {
		about:  "missing clock",
		change: func(cfg *lease.PruneConfig) { cfg.Clock = nil },
		err:    `missing clock: .*`,
	}, {
		about:  "nil clock",
		change: func(cfg *lease.PruneConfig) { cfg.Clock = (*nilClock)(nil) },
		err:    `invalid clock: nil \*lease_test.nilClock`,
	}, {
		about:  "negative MinAge",
		change: func(cfg *lease.PruneConfig) { cfg.MinAge = -time.Nanosecond },
		err:    `invalid MinAge -1ns: must be zero \(1h0m0s\) or at least 1m0s`,
	}, {
		about:  "MinAge under a minute",
		change: func(cfg *lease.PruneConfig) { cfg.MinAge = time.Minute - time.Nanosecond },
		err:    `invalid MinAge 59.999999999s: must be zero \(1h0m0s\) or at least 1m0s`,
	}, {
		about:  "MinAge of a minute",
		change: func(cfg *lease.PruneConfig) { cfg.MinAge = lease.MinPruneMinAge },
	}, {
		about:  "negative BatchSize",
		change: func(cfg *lease.PruneConfig) { cfg.BatchSize = -1 },
		err:    `invalid BatchSize -1: must be zero \(1000\) or up to 10000`,
	}, {
		about:  "BatchSize too large",
		change: func(cfg *lease.PruneConfig) { cfg.BatchSize = lease.MaxPruneBatch + 1 },
		err:    `invalid BatchSize 10001: must be zero \(1000\) or up to 10000`,
	}} {
		c.Logf("test %d: %s", i, t.about)
		cfg := valid()
		t.change(&cfg)
		before := cfg
		err := cfg.Validate()
		c.Check(cfg, jc.DeepEquals, before)
		if t.err == "" {
			c.Check(err, jc.ErrorIsNil)
			continue
		}
		c.Check(err, gc.ErrorMatches, t.err)
		c.Check(errors.Is(err, lease.ErrInvalidArgument), gc.Equals, t.isArg)
		_, err = lease.PruneTransactions(cfg)
		c.Check(err, gc.ErrorMatches, t.err)
		_, err = lease.NewPruner(lease.PrunerConfig{Prune: cfg})
		c.Check(err, gc.ErrorMatches, t.err)
	}
}

func (s *PruneConfigSuite) TestPrunerInterval(c *gc.C) {
	cfg := lease.PrunerConfig{
		Prune:    lease.PruneConfig{Mongo: unusedMongo{c}, TxnCollection: "txns", Clock: lease.SystemClock{}},
		Interval: -time.Second,
	}
	c.Check(cfg.Validate(), gc.ErrorMatches, `invalid Interval -1s: must be zero \(1h0m0s\) or at least 1m0s`)
	_, err := lease.NewPruner(cfg)
	c.Check(err, gc.ErrorMatches, `invalid Interval -1s: .*`)
	cfg.Interval = lease.MinPruneInterval - time.Second
	c.Check(cfg.Validate(), gc.ErrorMatches, `invalid Interval 59s: must be zero \(1h0m0s\) or at least 1m0s`)
	cfg.Interval = lease.MinPruneInterval
	c.Check(cfg.Validate(), jc.ErrorIsNil)
	cfg.Interval = 0
	c.Check(cfg.Validate(), jc.ErrorIsNil)
}
