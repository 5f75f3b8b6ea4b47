package leadership_test

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/internal/observetest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// observeFixture is embedded by the suites that start observed managers
// and trackers: TearDownTest runs what they left to do at the end of the
// test (checking scripted calls, stopping what was started), last first.
type observeFixture struct {
	cleanups []func(*gc.C)
}

// addCleanup arranges for f to run at the end of the test.
func (f *observeFixture) addCleanup(cleanup func(*gc.C)) {
	f.cleanups = append(f.cleanups, cleanup)
}

// TearDownTest runs the test's cleanups, last first.
func (f *observeFixture) TearDownTest(c *gc.C) {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i](c)
	}
	f.cleanups = nil
}

// observation records what a manager or a tracker reports: its events,
// and its log lines at a level and up.
type observation struct {
	events *observetest.Recorder[leadership.Event]
	logs   *observetest.Handler
}

// newObservation returns an observation that records log lines at level
// and up.
func newObservation(level slog.Level) observation {
	return observation{
		events: &observetest.Recorder[leadership.Event]{},
		logs:   observetest.NewHandler(level),
	}
}

// observe returns config with the observation's Observer and Logger.
func (o observation) observe(config leadership.ManagerConfig) leadership.ManagerConfig {
	config.Observer = o.events
	config.Logger = slog.New(o.logs)
	return config
}

// storeConfig is the config of a manager of controller-0 on a new
// leasetest store on clock, waking at most every defaultMaxSleep.
func storeConfig(clock *clocktest.Clock) leadership.ManagerConfig {
	return leadership.ManagerConfig{
		Client:   leasetest.NewStore(clock).MustNewClient("controller-0"),
		Clock:    clock,
		MaxSleep: defaultMaxSleep,
	}
}

// startManager starts a manager with config. At the end of the test, it
// stops the manager and fails the test unless it stopped cleanly.
func (f *observeFixture) startManager(c *gc.C, config leadership.ManagerConfig) leadership.ManagerWorker {
	manager, err := leadership.NewManager(config)
	if err != nil {
		c.Fatal(err)
	}
	f.addCleanup(func(c *gc.C) {
		manager.Kill()
		if err := manager.Wait(); err != nil {
			c.Error(err)
		}
	})
	return manager
}

// observedManager is a manager on a scripted Client and a fake clock,
// with a recording Observer and a Logger that records every line, debug
// and up.
type observedManager struct {
	leadership.ManagerWorker
	observation
}

// startObserved starts an observed manager on clock, with a Client that
// has leases and expects calls; a RefreshingClient if refreshing. The
// manager never wakes on MaxSleep or ClockPoll. At the end of the test, it
// checks that every expected call was made, then stops the manager.
func (f *observeFixture) startObserved(c *gc.C, clock *clocktest.Clock, leases map[string]lease.Info, refreshing bool, calls ...call) *observedManager {
	client := NewClient(leases, calls)
	var managed lease.Client = client
	if refreshing {
		managed = RefreshingClient{client}
	}
	om := &observedManager{observation: newObservation(slog.LevelDebug)}
	manager, err := leadership.NewManager(om.observe(leadership.ManagerConfig{
		Client:    managed,
		Clock:     clock,
		MaxSleep:  defaultMaxSleep,
		ClockPoll: -1,
	}))
	if err != nil {
		c.Fatal(err)
	}
	om.ManagerWorker = manager
	f.addCleanup(func(c *gc.C) {
		client.Wait(c)
		manager.Kill()
		manager.Wait()
	})
	return om
}

// startLost starts an observed manager on clock that claims redis for
// redis/0 for a minute; by its next Refresh, another controller has
// expired that lease and granted it to redis/1 for two minutes.
func (f *observeFixture) startLost(c *gc.C, clock *clocktest.Clock) *observedManager {
	om := f.startObserved(c, clock, nil, false, call{
		method:   "ClaimLease",
		args:     []interface{}{"redis", redis0},
		callback: setRedis("redis/0", time.Minute),
	}, call{method: "Refresh", callback: setRedis("redis/1", 2*time.Minute)})
	if err := om.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		c.Fatal(err)
	}
	return om
}

// kind returns the recorded events of the given kind, in order.
func (om *observedManager) kind(kind leadership.EventKind) []leadership.Event {
	return om.events.Match(func(e leadership.Event) bool { return e.Kind == kind })
}

// waitEvent waits for an event of the given kind and result, and returns it.
func (om *observedManager) waitEvent(c *gc.C, kind leadership.EventKind, result leadership.Result) leadership.Event {
	e, ok := om.events.WaitFor(func(e leadership.Event) bool {
		return e.Kind == kind && e.Result == result
	}, LongWait)
	if !ok {
		c.Fatalf("no %s/%s event within %v; got %v", kind, result, LongWait, om.events.Events())
	}
	return e
}

// checkEvent fails the test unless got has want's Kind, Result, Call,
// Service, Unit, Duration, Known and Held, and an Err that matches
// want.Err with errors.Is (or none, if want.Err is nil).
func checkEvent(c *gc.C, got, want leadership.Event) {
	gotErr, wantErr := got.Err, want.Err
	got.Err, want.Err, got.At, want.At = nil, nil, time.Time{}, time.Time{}
	if got != want {
		c.Errorf("event:\n  got  %+v\n  want %+v", got, want)
	}
	switch {
	case wantErr == nil && gotErr != nil:
		c.Errorf("%s/%s event: unexpected Err %v", got.Kind, got.Result, gotErr)
	case wantErr != nil && !errors.Is(gotErr, wantErr):
		c.Errorf("%s/%s event: Err %v does not match %v", got.Kind, got.Result, gotErr, wantErr)
	}
}

// checkOnly checks that exactly one event of want's kind was recorded, and
// that it is want.
func (om *observedManager) checkOnly(c *gc.C, want leadership.Event) {
	got := om.kind(want.Kind)
	if len(got) != 1 {
		c.Fatalf("want one %s event, got %d: %+v", want.Kind, len(got), got)
	}
	checkEvent(c, got[0], want)
}

// checkLog fails the test unless logs has exactly one line with message
// msg, at level, whose attributes include attrs (compared by their Any
// value: string, int64, time.Duration, error text for "error").
// Every line of logs must also be as the catalogue of log lines says
// (see checkCatalogued).
func checkLog(c *gc.C, logs *observetest.Handler, level slog.Level, msg leadership.LogMessage, attrs map[string]interface{}) {
	logs.WaitFind(string(msg), LongWait)
	checkCatalogued(c, logs)
	lines := logs.Find(string(msg))
	if len(lines) != 1 {
		c.Fatalf("want one %q line, got %d: %v (all: %v)", msg, len(lines), lines, logs.Records())
	}
	line := lines[0]
	if line.Level != level {
		c.Errorf("%q logged at %v, want %v", msg, line.Level, level)
	}
	for key, want := range attrs {
		v, ok := line.Attrs[key]
		if !ok {
			c.Errorf("%q has no attribute %q: %v", msg, key, line)
			continue
		}
		got := v.Any()
		if err, ok := got.(error); ok {
			got = err.Error()
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || fmt.Sprintf("%T", got) != fmt.Sprintf("%T", want) {
			c.Errorf("%q attribute %q: got %v (%T), want %v (%T)", msg, key, got, got, want, want)
		}
	}
}

// checkNoLog fails the test if logs has a line with message msg, or a
// line that is not as the catalogue of log lines says.
func checkNoLog(c *gc.C, logs *observetest.Handler, msg leadership.LogMessage) {
	checkCatalogued(c, logs)
	if lines := logs.Find(string(msg)); len(lines) != 0 {
		c.Errorf("unexpected %q lines: %v", msg, lines)
	}
}

// advance returns a call callback that moves clock on by d, as a store call
// that takes d would.
func advance(clock *clocktest.Clock, d time.Duration, then func(map[string]lease.Info)) func(map[string]lease.Info) {
	return func(leases map[string]lease.Info) {
		clock.Advance(d)
		if then != nil {
			then(leases)
		}
	}
}
