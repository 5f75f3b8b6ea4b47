package observetest

import (
	"testing"
	"time"
)

// TestWaitForCallsKeepOncePerEvent: a keep that counts (the second event
// of a kind) must see each event once. Waking up for a later event must
// not show it the earlier ones again, or it counts one event twice and
// returns it as the second.
func TestWaitForCallsKeepOncePerEvent(t *testing.T) {
	var r Recorder[string]
	r.Observe("a1")
	scanned := make(chan struct{})
	found := make(chan string, 1)
	go func() {
		count := 0
		e, ok := r.WaitFor(func(e string) bool {
			if e == "a1" && count == 0 {
				close(scanned)
			}
			if e[0] == 'a' {
				count++
			}
			return count == 2
		}, time.Minute)
		if !ok {
			e = "none"
		}
		found <- e
	}()
	<-scanned
	// Recorded once the first scan has let go of the recorder.
	r.Observe("b1")
	r.Observe("a2")
	if got := <-found; got != "a2" {
		t.Errorf("WaitFor returned %q as the second a-event, want a2", got)
	}
}
