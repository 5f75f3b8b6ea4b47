package safety_test

import (
	"testing"
	"time"
)

// TestChecker checks the checker on histories made by hand.
func TestChecker(t *testing.T) {
	claim := func(step int, at time.Duration, unit string, dur time.Duration) rec {
		return rec{step: step, at: at, op: "claim", svc: "redis", unit: unit, dur: dur, result: "ok"}
	}
	write := func(step int, at time.Duration, unit, holder string) rec {
		return rec{step: step, at: at, node: -1, op: "write", svc: "redis", unit: unit, result: "ok", holder: holder}
	}
	termWrite := func(step int, at time.Duration, unit string, term int64, holder string, docTerm int64) rec {
		return rec{step: step, at: at, node: -1, op: "term-write", svc: "redis", unit: unit, result: "ok", term: term, holder: holder, docTerm: docTerm}
	}
	for _, test := range []struct {
		about string
		hist  []rec
		kinds []string
	}{{
		about: "one unit extending",
		hist:  []rec{claim(0, 0, "redis/0", time.Minute), claim(1, 30*time.Second, "redis/0", time.Minute)},
	}, {
		about: "another unit after the term",
		hist:  []rec{claim(0, 0, "redis/0", time.Minute), claim(1, time.Minute+time.Nanosecond, "redis/1", time.Minute)},
	}, {
		about: "another unit at the last instant of the term",
		hist:  []rec{claim(0, 0, "redis/0", time.Minute), claim(1, time.Minute, "redis/1", time.Minute)},
		kinds: []string{"two-leaders"},
	}, {
		about: "another unit within the term",
		hist:  []rec{claim(0, 0, "redis/0", time.Minute), claim(1, 10*time.Second, "redis/1", time.Second)},
		kinds: []string{"two-leaders"},
	}, {
		about: "denied claims count for nothing",
		hist: []rec{claim(0, 0, "redis/0", time.Minute),
			{step: 1, at: time.Second, op: "claim", svc: "redis", unit: "redis/1", dur: time.Minute, result: "denied"}},
	}, {
		about: "a write by the holder",
		hist:  []rec{claim(0, 0, "redis/0", time.Minute), write(1, time.Second, "redis/0", "redis/0")},
	}, {
		about: "a write while another unit holds the lease",
		hist:  []rec{write(0, 0, "redis/0", "redis/1")},
		kinds: []string{"stale-write"},
	}, {
		about: "a write within another unit's term",
		hist:  []rec{claim(0, 0, "redis/1", time.Minute), write(1, time.Second, "redis/0", "redis/0")},
		kinds: []string{"stale-write"},
	}, {
		about: "a term-write in the token's term",
		hist:  []rec{termWrite(0, 0, "redis/0", 3, "redis/0", 3), termWrite(1, time.Second, "redis/1", 5, "redis/1", 5)},
	}, {
		about: "a term-write with an earlier term's token, the unit leading again",
		hist:  []rec{termWrite(0, 0, "redis/0", 3, "redis/0", 4)},
		kinds: []string{"stale-term-write"},
	}, {
		about: "a term-write while another unit holds the lease",
		hist:  []rec{termWrite(0, 0, "redis/0", 3, "redis/1", 3)},
		kinds: []string{"stale-term-write"},
	}, {
		about: "a term going back",
		hist:  []rec{termWrite(0, 0, "redis/1", 5, "redis/1", 5), termWrite(1, time.Second, "redis/0", 3, "redis/0", 3)},
		kinds: []string{"term-went-back"},
	}, {
		about: "a term seen with two units",
		hist:  []rec{termWrite(0, 0, "redis/0", 3, "redis/0", 3), termWrite(1, time.Second, "redis/1", 3, "redis/1", 3)},
		kinds: []string{"term-reused"},
	}, {
		about: "an aborted write",
		hist: []rec{claim(0, 0, "redis/1", time.Minute),
			{step: 1, at: time.Second, node: -1, op: "write", svc: "redis", unit: "redis/0", result: "aborted"}},
	}, {
		about: "a revoke ends the unit's term",
		hist: []rec{claim(0, 0, "redis/0", time.Minute),
			{step: 1, at: 10 * time.Second, op: "revoke", svc: "redis", unit: "redis/0", result: "ok"},
			claim(2, 10*time.Second, "redis/1", time.Minute)},
	}, {
		about: "a revoke before the claim ends nothing",
		hist: []rec{{step: 0, at: 0, op: "revoke", svc: "redis", unit: "redis/0", result: "ok"},
			claim(1, 0, "redis/0", time.Minute), claim(2, 10*time.Second, "redis/1", time.Minute)},
		kinds: []string{"two-leaders"},
	}, {
		about: "a revoke of another unit ends nothing",
		hist: []rec{claim(0, 0, "redis/0", time.Minute),
			{step: 1, at: 10 * time.Second, op: "revoke", svc: "redis", unit: "redis/1", result: "ok"},
			claim(2, 10*time.Second, "redis/1", time.Minute)},
		kinds: []string{"two-leaders"},
	}, {
		about: "a claim's term starts when the call did",
		hist: []rec{{step: 0, at: 5 * time.Second, op: "claim", svc: "redis", unit: "redis/0", dur: 10 * time.Second, result: "ok", took: 5 * time.Second},
			claim(1, 10*time.Second, "redis/1", time.Minute)},
		kinds: []string{"two-leaders"},
	}, {
		about: "a claim that took time, and another unit after its term",
		hist: []rec{{step: 0, at: 5 * time.Second, op: "claim", svc: "redis", unit: "redis/0", dur: 10 * time.Second, result: "ok", took: 5 * time.Second},
			claim(1, 11*time.Second, "redis/1", time.Minute)},
	}, {
		about: "a tracker's guarantee broken by an expiry",
		hist:  []rec{trackerClaim(0, 0), {step: 1, at: 10 * time.Second, op: "client-expire", svc: "redis", result: "ok"}},
		kinds: []string{"tracker-claim"},
	}, {
		about: "a tracker's guarantee broken by a grant to another unit, at its last instant",
		hist:  []rec{trackerClaim(0, 0), {step: 1, at: 15 * time.Second, op: "client-claim", svc: "redis", unit: "redis/1", result: "ok"}},
		kinds: []string{"tracker-claim"},
	}, {
		about: "a tracker's guarantee, and an expiry after it",
		hist:  []rec{trackerClaim(0, 0), {step: 1, at: 16 * time.Second, op: "client-expire", svc: "redis", result: "ok"}},
	}, {
		about: "a tracker's guarantee, and its own renewal",
		hist:  []rec{trackerClaim(0, 0), {step: 1, at: 5 * time.Second, op: "client-claim", svc: "redis", unit: "redis/3", result: "ok"}},
	}, {
		about: "a killed tracker's guarantee, and its revoke",
		hist: []rec{trackerClaim(0, 0), {step: 1, at: 5 * time.Second, op: "tracker-kill", unit: "redis/3", result: "ok", tracker: 1},
			{step: 1, at: 5 * time.Second, op: "client-revoke", svc: "redis", unit: "redis/3", result: "ok"}},
	}} {
		w := &world{hist: test.hist}
		w.checkHistory()
		var kinds []string
		for _, v := range w.violations {
			kinds = append(kinds, v.kind)
		}
		if len(kinds) != len(test.kinds) || (len(kinds) > 0 && kinds[0] != test.kinds[0]) {
			t.Errorf("%s: violations %v, want kinds %v", test.about, w.violations, test.kinds)
		}
	}
}

// trackerClaim is a true ClaimLeader of redis/3's tracker, the first, for
// 15s.
func trackerClaim(step int, at time.Duration) rec {
	return rec{step: step, at: at, op: "tracker-claim", svc: "redis", unit: "redis/3", dur: 15 * time.Second, result: "true", tracker: 1}
}
