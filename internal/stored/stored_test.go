package stored_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/stored"
)

// TestRange: the ends of the range are the times an int64 of nanoseconds
// since 1970 holds, and every time in it round-trips through UnixNano.
func TestRange(t *testing.T) {
	for _, c := range []struct {
		t  time.Time
		in bool
	}{
		{time.Unix(0, math.MinInt64), true},
		{time.Unix(0, math.MinInt64).Add(-time.Nanosecond), false},
		{time.Unix(0, math.MaxInt64), true},
		{time.Unix(0, math.MaxInt64).Add(time.Nanosecond), false},
		{time.Time{}, false},
		{time.Unix(0, 0), true},
		{time.Date(2276, 9, 29, 0, 0, 0, 0, time.UTC), false},
	} {
		if got := stored.InRange(c.t); got != c.in {
			t.Errorf("InRange(%s) = %v, want %v", stored.Format(c.t), got, c.in)
		}
		if c.in && !time.Unix(0, c.t.UnixNano()).Equal(c.t) {
			t.Errorf("%s does not round-trip through UnixNano", stored.Format(c.t))
		}
		err := stored.CheckTime(c.t, "expiry", `of lease "redis"`)
		if c.in != (err == nil) {
			t.Errorf("CheckTime(%s) = %v", stored.Format(c.t), err)
		}
		if err != nil && !errors.Is(err, stored.ErrTimeOutOfRange) {
			t.Errorf("CheckTime(%s) = %v, which is not ErrTimeOutOfRange", stored.Format(c.t), err)
		}
	}
	if !stored.MinTime.Equal(time.Unix(0, math.MinInt64)) || !stored.MaxTime.Equal(time.Unix(0, math.MaxInt64)) {
		t.Errorf("range %s to %s", stored.Format(stored.MinTime), stored.Format(stored.MaxTime))
	}
}

func TestCheckTimeMessage(t *testing.T) {
	err := stored.CheckTime(time.Date(2276, 9, 29, 0, 0, 0, 0, time.FixedZone("X", 3600)), "expiry", `of lease "redis"`)
	want := `expiry 2276-09-28T23:00:00Z of lease "redis" out of range: the store holds times from 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	err = stored.CheckTime(time.Time{}, "clock reading", "")
	want = `clock reading 0001-01-01T00:00:00Z out of range: the store holds times from 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
