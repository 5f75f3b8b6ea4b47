package leadership

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"time"

	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease/leasetest"
)

// watchQueueSuite checks the watch queue and how watches are forgotten.
type watchQueueSuite struct{}

var _ = gc.Suite(&watchQueueSuite{})

func (s *watchQueueSuite) TestEnqueue(c *gc.C) {
	leaders := func(units ...string) []Leader {
		var out []Leader
		for _, unit := range units {
			out = append(out, Leader{Unit: unit})
		}
		return out
	}
	for _, test := range []struct {
		queue []Leader
		limit int
		want  []Leader
	}{
		{queue: nil, limit: 3, want: leaders("new")},
		{queue: leaders("a", "b"), limit: 3, want: leaders("a", "b", "new")},
		{queue: leaders("a", "b", "c"), limit: 3, want: leaders("b", "c", "new")},
		{queue: leaders("a", "b", "c"), limit: 1, want: leaders("new")},
	} {
		got := enqueue(append([]Leader(nil), test.queue...), Leader{Unit: "new"}, test.limit)
		if !reflect.DeepEqual(got, test.want) {
			c.Errorf("enqueue(%v, new, %d) = %v; want %v", test.queue, test.limit, got, test.want)
		}
	}
}

// TestWatchesForgotten checks that the loop forgets every watch whose
// context is done, and every service nobody watches any more: cancelled
// watches leave nothing behind.
func (s *watchQueueSuite) TestWatchesForgotten(c *gc.C) {
	clock := leasetest.NewClock(leasetest.Start)
	m, stop := startInternal(c, leasetest.NewStore(clock).MustNewClient("a"), clock)
	defer stop()
	var cancels []context.CancelFunc
	var channels []<-chan Leader
	for i := 0; i < 30; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		leaders, err := m.WatchLeader(ctx, fmt.Sprintf("service-%c", 'a'+i%3))
		if err != nil {
			c.Fatal(err)
		}
		cancels = append(cancels, cancel)
		channels = append(channels, leaders)
	}
	for i, cancel := range cancels {
		cancel()
		for range channels[i] {
			// the first value, if the watch's goroutine offers it
			// before it sees ctx done
		}
	}
	// Each goroutine has handed its watch to the loop by the time it
	// ends; the check below is answered after the loop has forgotten
	// them all.
	deadline := time.After(10 * time.Second)
	for {
		if n := countForwarders(); n == 0 {
			break
		}
		select {
		case <-deadline:
			c.Fatalf("%d watch goroutines left", countForwarders())
		default:
			runtime.Gosched()
		}
	}
	if _, err := m.CheckLeadership("redis", "redis/0"); err == nil {
		c.Fatal("redis/0 leads")
	}
	if n := len(m.watched); n != 0 {
		c.Fatalf("%d services still watched after every watch was cancelled: %v", n, m.watched)
	}
}

// countForwarders returns how many goroutines feed watches (see forward).
func countForwarders() int {
	buf := make([]byte, 1<<20)
	return strings.Count(string(buf[:runtime.Stack(buf, true)]), "leadership.(*watch).forward(")
}
