package leasectl_test

import (
	"strings"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/leasectl"
)

func TestClockTable(t *testing.T) {
	f := newFixture(t)
	twoControllers(f)
	code, out, _ := f.run("clock")
	wantStatus(t, code, leasectl.ExitOK)
	lines := strings.Split(out, "\n")
	wantContains(t, "table header", lines[1], "WRITER", "LAST WRITE (ITS CLOCK)", "WRITES", "OFFSET FROM YOUR CLOCK")
	// controller-0 last wrote 61s after the start, controller-1 10s after
	// it; the operator's clock is an hour and 250ms behind the start.
	for i, want := range []string{
		"controller-0 2073-03-03T09:41:01.000Z 2 at least +1h1m1.25s",
		"controller-1 2073-03-03T09:40:10.000Z 1 at least +1h0m10.25s",
	} {
		if got := strings.Join(strings.Fields(lines[2+i]), " "); got != want {
			t.Errorf("row %d: %q, want %q", i, got, want)
		}
	}
	wantContains(t, "note", out, "OFFSET: the writer's clock minus yours is at least this")
}

func TestClockJSON(t *testing.T) {
	f := newFixture(t)
	twoControllers(f)
	got := f.runJSON("clock")
	if len(got.Leases) != 0 {
		t.Errorf("leases in clock's output: %+v", got.Leases)
	}
	now := f.clock.Now()
	want := []struct {
		writer    string
		lastWrite time.Time
		writes    int64
		offset    float64
	}{
		{"controller-0", now, 2, (opLag + 61*time.Second).Seconds()},
		{"controller-1", now.Add(-51 * time.Second), 1, (opLag + 10*time.Second).Seconds()},
	}
	if len(got.Writers) != len(want) {
		t.Fatalf("writers %+v, want %d", got.Writers, len(want))
	}
	for i, w := range want {
		g := got.Writers[i]
		if g.Writer != w.writer || !g.LastWrite.Equal(w.lastWrite) || g.Writes != w.writes || g.OffsetAtLeast != w.offset {
			t.Errorf("writer %d: %+v, want %+v", i, g, w)
		}
	}
}
