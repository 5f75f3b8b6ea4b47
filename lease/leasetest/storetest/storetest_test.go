package storetest_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
	"github.com/seed07a61904/leadership/lease/leasetest/storetest"
)

// store is a leasetest.Store whose clients are made by wrap.
type store struct {
	*leasetest.Store
	wrap func(s *store, c *leasetest.Client) lease.Client
	down bool
}

// NewClient is part of the storetest.Store interface.
func (s *store) NewClient(id string) (lease.Client, error) {
	c, err := s.Store.NewClient(id)
	if err != nil {
		return nil, err
	}
	return s.wrap(s, c), nil
}

// Stop is part of the storetest.StopStore interface.
func (s *store) Stop() error {
	s.down = true
	s.Store.Stop()
	return nil
}

// Restart is part of the storetest.StopStore interface.
func (s *store) Restart() error {
	s.down = false
	s.Store.Restart()
	return nil
}

// run runs the suite on stores whose clients wrap makes.
func run(t *testing.T, wrap func(s *store, c *leasetest.Client) lease.Client) {
	storetest.TestClient(t, func(t *testing.T, clock lease.Clock) storetest.Store {
		return &store{Store: leasetest.NewStore(clock), wrap: wrap}
	})
}

// sequential is a lease.Batcher that applies a batch's ops one by one
// through the single-lease methods: the simplest Batcher that keeps the
// contract, to show that the suite's Batch cases pass on one.
type sequential struct {
	*leasetest.Client
}

var errSameLease = fmt.Errorf("a second op on one lease in a batch: %w", lease.ErrInvalidArgument)

// ApplyLeases is part of the lease.Batcher interface.
func (c sequential) ApplyLeases(ops []lease.Op) []error {
	errs := make([]error, len(ops))
	named := map[string]bool{}
	for i, op := range ops {
		if named[op.Lease] {
			errs[i] = errSameLease
			continue
		}
		named[op.Lease] = true
		errs[i] = c.apply(op)
	}
	return errs
}

// apply applies one op through the matching single-lease method, after
// the checks of Op.Validate that the method does not make.
func (c sequential) apply(op lease.Op) error {
	switch {
	case op.Kind == lease.OpClaim:
		return c.ClaimLease(op.Lease, op.Request)
	case op.Kind == lease.OpExtend:
		return c.ExtendLease(op.Lease, op.Request)
	case op.Kind == lease.OpExpire && op.Request == lease.Request{}:
		return c.ExpireLease(op.Lease)
	case op.Kind == lease.OpRevoke && op.Request.Duration == 0:
		return c.RevokeLease(op.Lease, op.Request.Holder)
	}
	return op.Validate()
}

// TestSequentialBatcher runs the suite, Batch cases included, on the
// in-memory store with the sequential Batcher.
func TestSequentialBatcher(t *testing.T) {
	run(t, func(_ *store, c *leasetest.Client) lease.Client { return sequential{c} })
}

// mutants are clients that each break one rule of the contract, and the
// case of the suite that must fail on each.
var mutants = map[string]struct {
	wrap func(s *store, c *leasetest.Client) lease.Client
	fail string
}{
	"claim-held": {
		wrap: func(_ *store, c *leasetest.Client) lease.Client { return claimHeld{c} },
		fail: "Claim/Held",
	},
	"validate-late": {
		wrap: func(s *store, c *leasetest.Client) lease.Client { return validateLate{c, s} },
		fail: "Validation/ArgumentsWhileStopped",
	},
	"batch-stops": {
		wrap: func(_ *store, c *leasetest.Client) lease.Client { return batchStops{sequential{c}} },
		fail: "Batch/EachAsAlone",
	},
	"refresh-lease-all": {
		wrap: func(_ *store, c *leasetest.Client) lease.Client { return refreshLeaseAll{c} },
		fail: "Read/RefreshLeaseReadsThatLeaseOnly",
	},
}

// claimHeld says it claimed a lease it found held.
type claimHeld struct {
	*leasetest.Client
}

func (c claimHeld) ClaimLease(name string, r lease.Request) error {
	if err := c.Client.ClaimLease(name, r); err != lease.ErrInvalid {
		return err
	}
	return nil
}

// validateLate fails a claim while the store is down before it checks
// the claim's arguments.
type validateLate struct {
	*leasetest.Client
	store *store
}

func (c validateLate) ClaimLease(name string, r lease.Request) error {
	if c.store.down {
		return fmt.Errorf("down: %w", lease.ErrUnavailable)
	}
	return c.Client.ClaimLease(name, r)
}

// batchStops answers every op after a failed one with that op's error.
type batchStops struct {
	sequential
}

func (c batchStops) ApplyLeases(ops []lease.Op) []error {
	errs := make([]error, len(ops))
	for i, op := range ops {
		if i > 0 && errs[i-1] != nil {
			errs[i] = errs[i-1]
			continue
		}
		errs[i] = c.apply(op)
	}
	return errs
}

// refreshLeaseAll reads every lease when asked for one.
type refreshLeaseAll struct {
	*leasetest.Client
}

func (c refreshLeaseAll) RefreshLease(string) error {
	return c.Refresh()
}

// mutantEnv names the mutant that TestMutant runs the suite on.
const mutantEnv = "STORETEST_MUTANT"

// TestMutant runs the suite on the mutant named by $STORETEST_MUTANT, for
// TestMutantsFail; it is skipped otherwise.
func TestMutant(t *testing.T) {
	name := os.Getenv(mutantEnv)
	if name == "" {
		t.Skip("run by TestMutantsFail")
	}
	run(t, mutants[name].wrap)
}

// TestMutantsFail checks that the suite fails each mutant, in the case
// that checks the rule it breaks: the checks can fail.
func TestMutantsFail(t *testing.T) {
	if os.Getenv(mutantEnv) != "" {
		t.Skip("running a mutant")
	}
	for name, m := range mutants {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMutant$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), mutantEnv+"="+name)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Errorf("mutant %s: the suite did not fail (%v):\n%s", name, err, out)
			continue
		}
		if want := "--- FAIL: TestMutant/" + m.fail + " "; !strings.Contains(string(out), want) {
			t.Errorf("mutant %s: no %q in the suite's output:\n%s", name, want, out)
		}
	}
}
