package lease_test

import (
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

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
