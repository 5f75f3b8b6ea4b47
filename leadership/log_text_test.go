package leadership_test

import (
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	jujuerrors "github.com/juju/errors"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/internal/observetest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// LogTextSuite checks log lines as slog.TextHandler writes them.
type LogTextSuite struct{}

var _ = gc.Suite(&LogTextSuite{})

// checkTextLine fails the test unless text, what a slog.TextHandler
// wrote, has a line holding msg and an error attribute whose value is
// want, the error's message, and holds no source path, line number or
// escaped line break (slog's text handler formats an error with %+v,
// which makes a github.com/juju/errors error print its stack).
func checkTextLine(c *gc.C, text string, msg leadership.LogMessage, want string) {
	var line string
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if strings.Contains(l, "msg="+string(msg)) || strings.Contains(l, `msg="`+string(msg)+`"`) {
			line = l
		}
	}
	if line == "" {
		c.Fatalf("no line with msg %q in:\n%s", msg, text)
	}
	if !strings.Contains(line, " error="+strconv.Quote(want)+" ") {
		c.Errorf("the line has no error attribute %q:\n%s\nall of it:\n%s", want, line, text)
	}
	for _, bad := range []string{".go:", "github.com/", `\n`} {
		if strings.Contains(text, bad) {
			c.Errorf("the log holds a source location (%q):\n%s", bad, text)
		}
	}
}

// textLogger returns a logger that writes, at debug and above, text lines
// to the returned buffer.
func textLogger() (*slog.Logger, *observetest.Buffer) {
	buf := &observetest.Buffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// TestLogTextHandlerManager logs, through slog.TextHandler, a claim that
// fails with an error made by github.com/juju/errors: the error attribute
// is its message, on the claim's one line.
func (s *LogTextSuite) TestLogTextHandlerManager(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	client := NewClient(nil, []call{{
		method: "ClaimLease",
		args:   []interface{}{"redis", redis0},
		err:    jujuerrors.Annotate(lease.ErrExcessiveContention, "store busy"),
	}})
	logger, buf := textLogger()
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client:    client,
		Clock:     clock,
		MaxSleep:  defaultMaxSleep,
		ClockPoll: -1,
		Logger:    logger,
	})
	if err != nil {
		c.Fatal(err)
	}
	defer func() {
		client.Wait(c)
		manager.Kill()
		if err := manager.Wait(); err != nil {
			c.Error(err)
		}
	}()
	err = manager.ClaimLeadership("redis", "redis/0", time.Minute)
	if !errors.Is(err, lease.ErrExcessiveContention) {
		c.Fatalf("claim: %v, want %v", err, lease.ErrExcessiveContention)
	}
	checkTextLine(c, buf.String(), leadership.LogClaimFailed, err.Error())
}

// failingClaims is a Manager whose claims fail with an error made by
// github.com/juju/errors.
type failingClaims struct {
	leadership.Manager
}

func (failingClaims) ClaimLeadership(service, unit string, duration time.Duration) error {
	return jujuerrors.Annotatef(lease.ErrExcessiveContention, "cannot claim %q", service)
}

// TestLogTextHandlerTracker logs, through slog.TextHandler, a tracker's
// claim that fails with an error made by github.com/juju/errors and is
// retried: the error attribute is its message, on one line.
func (s *LogTextSuite) TestLogTextHandlerTracker(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	logger, buf := textLogger()
	tracker, err := leadership.NewTracker(leadership.TrackerConfig{
		Manager:     failingClaims{},
		ServiceName: "redis",
		UnitName:    "redis/0",
		Duration:    time.Minute,
		Clock:       clock,
		Logger:      logger,
	})
	if err != nil {
		c.Fatal(err)
	}
	defer func() {
		tracker.Kill()
		tracker.Wait()
	}()
	// The retry comes Duration/16 after the failure.
	if err := clock.WaitAlarmFor(offset(time.Minute/16), LongWait); err != nil {
		c.Fatal(err)
	}
	checkTextLine(c, buf.String(), leadership.LogCallRetrying, `cannot claim "redis": `+lease.ErrExcessiveContention.Error())
}
