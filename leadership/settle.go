package leadership

import (
	"context"
	"fmt"
	"time"

	"github.com/seed07a61904/leadership/lease"
)

// A manager, a tracker, and each call a tracker makes report their work to
// the clock when it is a lease.Settler (a fake clock in tests), so a test
// can wait until they have settled; how the work handed between them is
// covered without a gap is in docs/design.md#settling. Each activity is nil
// on any other clock, and these helpers then do nothing.

// activityKey is the context key under which a tracker passes the activity
// of its wait for a release to BlockUntilLeadershipReleasedContext.
type activityKey struct{}

// withActivity returns ctx carrying a, if a is not nil.
func withActivity(ctx context.Context, a lease.Activity) context.Context {
	if a == nil {
		return ctx
	}
	return context.WithValue(ctx, activityKey{}, a)
}

// activityOf returns the activity ctx carries, or nil.
func activityOf(ctx context.Context) lease.Activity {
	a, _ := ctx.Value(activityKey{}).(lease.Activity)
	return a
}

// idle reports a's wait, if a is not nil (see lease.Activity.Idle).
func idle(a lease.Activity, alarm <-chan time.Time, stop, wake <-chan struct{}) {
	if a != nil {
		a.Idle(alarm, stop, wake)
	}
}

// busy reports that a runs, if a is not nil.
func busy(a lease.Activity) {
	if a != nil {
		a.Busy()
	}
}

// done ends a, if it is not nil.
func done(a lease.Activity) {
	if a != nil {
		a.Done()
	}
}

// trackerActivity returns the activity of a tracker's loop on config's
// clock, or nil if the clock is not a lease.Settler.
func trackerActivity(config TrackerConfig) lease.Activity {
	if _, ok := config.Clock.(lease.Settler); !ok {
		return nil
	}
	return lease.Track(config.Clock, fmt.Sprintf("tracker of %q for %q", config.ServiceName, config.UnitName))
}

// startCallActivity starts the activity of the call the tracker is about
// to start, busy, and returns it; nil if the clock is not a lease.Settler.
func (t *tracker) startCallActivity(call string) lease.Activity {
	if t.activity == nil {
		return nil // not a lease.Settler: skip the name's formatting
	}
	t.callActivity = lease.Track(t.config.Clock,
		fmt.Sprintf("%s by the tracker of %q for %q", call, t.config.ServiceName, t.config.UnitName))
	return t.callActivity
}

// endCallActivity ends the activity of the tracker's call, if any: once the
// loop has handled the call's result, or given the call up.
func (t *tracker) endCallActivity() {
	done(t.callActivity)
	t.callActivity = nil
}
