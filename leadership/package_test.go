package leadership_test

import (
	"testing"

	gc "gopkg.in/check.v1"
)

func TestPackage(t *testing.T) {
	gc.TestingT(t)
}

// TestTracker runs the tracker's suites, which are not registered with
// gc.Suite, so that `go test -race -count=20 -run Tracker` repeats them
// alone.
func TestTracker(t *testing.T) {
	for _, suite := range []interface{}{&TrackerSuite{}, &TrackerHandoverSuite{}, &TrackerSettleSuite{}} {
		if result := gc.Run(suite, nil); !result.Passed() {
			t.Error(result)
		}
	}
}
