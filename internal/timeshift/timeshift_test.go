package timeshift_test

import (
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/internal/timeshift"
	"github.com/seed07a61904/leadership/lease"
)

func TestShift(t *testing.T) {
	base := clocktest.Start
	for _, test := range []struct {
		about          string
		base, to, from time.Time
		want           time.Time
	}{{
		about: "a small difference",
		base:  base, to: base.Add(time.Hour), from: base,
		want: base.Add(time.Hour),
	}, {
		about: "back 300 years, which Sub saturates at about 292",
		base:  base, to: base.AddDate(-300, 0, 0), from: base,
		want: base.AddDate(-300, 0, 0),
	}, {
		about: "forward 500 years from another base",
		base:  base.AddDate(-1, 0, 0), to: base.AddDate(500, 0, 0), from: base,
		want: base.AddDate(499, 0, 0),
	}, {
		about: "beyond the range of time.Time, clamped",
		base:  base, to: time.Unix(1<<62, 0), from: time.Unix(-1<<62, 0),
		want: time.Unix(1<<63-1-(1969*365+1969/4-1969/100+1969/400)*24*60*60, 999999999),
	}} {
		got := timeshift.Shift(test.base, test.to, test.from)
		if !got.Equal(test.want) {
			t.Errorf("%s: got %v, want %v", test.about, got, test.want)
		}
		if got.Location() != test.base.Location() {
			t.Errorf("%s: location %v, want %v", test.about, got.Location(), test.base.Location())
		}
	}
}

func TestHasMonotonic(t *testing.T) {
	now := lease.SystemClock{}.Now()
	for _, test := range []struct {
		about string
		t     time.Time
		want  bool
	}{
		{"a reading of the system clock", now, true},
		{"the same, plus a second", now.Add(time.Second), true},
		{"in UTC", now.UTC(), false},
		{"rounded", now.Round(0), false},
		{"a date", time.Date(2073, 3, 3, 1, 0, 0, 5, time.UTC), false},
		{"the zero time", time.Time{}, false},
	} {
		if got := timeshift.HasMonotonic(test.t); got != test.want {
			t.Errorf("%s: got %v, want %v", test.about, got, test.want)
		}
	}
}
