package leasectl

import (
	"strings"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/lease"
)

// TestRunOut checks the rule by which revoke, without -force, removes a
// lease: only once the operator's clock is past the latest time at which
// the lease might be in force, as a lease client may expire it.
func TestRunOut(t *testing.T) {
	expiry := clocktest.Start
	for _, c := range []struct {
		now  time.Time
		want bool
	}{
		{expiry.Add(-time.Minute), false},
		{expiry.Add(-time.Nanosecond), false},
		{expiry, false},
		{expiry.Add(time.Nanosecond), true},
		{expiry.Add(time.Hour).UTC(), true},
	} {
		if got := runOut(lease.Info{Holder: "redis/0", Expiry: expiry}, c.now); got != c.want {
			t.Errorf("runOut(expiry %s) at %s: %v, want %v", expiry, c.now, got, c.want)
		}
	}
}

// TestInForceError checks that the refusal of a lease that may be in
// force names it, says until when on the operator's clock and why, and
// what to do instead.
func TestInForceError(t *testing.T) {
	now := clocktest.Start
	err := inForceError("service-leadership", "mysql", "mysql/1", now.Add(9250*time.Millisecond+time.Nanosecond), now)
	want := `refused: lease "mysql" of "mysql/1" in namespace "service-leadership" may be in force until 2073-03-03T09:40:09.250Z on your clock (at most 9.251s from now): ` +
		`mysql/1 may act as leader until then, and removing the lease sooner could let another unit lead beside it. ` +
		`Run revoke -wait to remove it once it has run out (refused if it is renewed meanwhile, a sign that mysql/1 is alive), ` +
		`or stop mysql/1 and then run revoke -force: nothing revoked`
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	if err := renewedError("ns", "redis", "redis/0"); !strings.Contains(err.Error(), "redis/0 is alive") || !strings.HasSuffix(err.Error(), "nothing revoked") {
		t.Errorf("renewedError: %v", err)
	}
}
