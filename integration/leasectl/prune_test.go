package leasectl_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/leasectl"
	"github.com/seed07a61904/leadership/lease"
)

// txnCount returns how many transactions the controllers' collection holds.
func (f *fixture) txnCount() int {
	f.t.Helper()
	n, err := f.DB.C(txnCollection).Count()
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func TestPrune(t *testing.T) {
	f := newFixture(t)
	client := f.client("controller-0")
	f.claim(client, "redis", "redis/0", time.Minute)
	for i := 0; i < 4; i++ {
		f.extend(client, "redis", "redis/0")
	}
	before := f.txnCount()

	// The transactions' ids were made on the real clock, decades before
	// the operator's fake one: fifty years back from it, none is old
	// enough.
	code, out, _ := f.run("prune", "-min-age", "438000h")
	wantStatus(t, code, leasectl.ExitOK)
	wantContains(t, "output", out, "txns: 0 complete transactions older than 438000h0m0s examined: 0 removed, 0 kept")
	if n := f.txnCount(); n != before {
		t.Errorf("%d transactions after pruning none, want %d", n, before)
	}

	// An hour back, every one is; two are kept: the last (which the
	// writer's clock document and the lease's still name), and the claim
	// (which the shared clock document still names: it was the last to
	// write it, counting the writer's own clock document).
	code, out, _ = f.run("-json", "prune")
	wantStatus(t, code, leasectl.ExitOK)
	var got struct {
		Txns       string  `json:"txns"`
		MinAge     float64 `json:"min_age_seconds"`
		Examined   int     `json:"examined"`
		Referenced int     `json:"referenced"`
		Removed    int     `json:"removed"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
	if got.Txns != txnCollection || got.MinAge != lease.DefaultPruneMinAge.Seconds() || got.Examined != before || got.Referenced != 2 || got.Removed != before-2 {
		t.Errorf("prune printed %+v, want all %d examined, 2 kept", got, before)
	}
	if n := f.txnCount(); n != 2 {
		t.Errorf("%d transactions left, want 2", n)
	}
	f.extend(client, "redis", "redis/0")
}

// extend extends name for holder through client, for a minute.
func (f *fixture) extend(client lease.Client, name, holder string) {
	f.t.Helper()
	if err := client.ExtendLease(name, lease.Request{Holder: holder, Duration: time.Minute}); err != nil {
		f.t.Fatalf("extend %s for %s: %v", name, holder, err)
	}
}

func TestPruneUsage(t *testing.T) {
	f := newFixture(t)
	for _, args := range [][]string{
		{"prune", "extra"},
		{"prune", "-min-age", "0s"},
		{"prune", "-min-age", "59s"},
		{"prune", "-min-age", "soon"},
	} {
		code, _, _ := f.run(args...)
		wantStatus(t, code, leasectl.ExitUsage)
	}
}
