package leasectl

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"
)

// watchOptions are watch's own flags.
type watchOptions struct {
	interval time.Duration
	count    int
}

// parseWatch parses watch's arguments.
func parseWatch(args []string) (watchOptions, error) {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var w watchOptions
	fs.DurationVar(&w.interval, "interval", time.Second, "time between refreshes")
	fs.IntVar(&w.count, "count", 0, "stop after this many refreshes (0: until interrupted)")
	if err := fs.Parse(args); err != nil {
		return w, usagef("watch: %v", err)
	}
	switch {
	case fs.NArg() != 0:
		return w, usagef("watch takes no arguments besides -interval and -count, got %q", fs.Args())
	case w.interval <= 0:
		return w, usagef("invalid watch -interval %v: must be positive", w.interval)
	case w.count < 0:
		return w, usagef("invalid watch -count %d: must be 0 or more", w.count)
	}
	return w, nil
}

// watch reads the namespace every w.interval (on env.Clock) and shows its
// leases and writers, marking what changed since the previous refresh.
// For a writer that has not written since an earlier refresh, it keeps
// the bound that refresh gave on the writer's clock, so that the time
// left shrinks, and the offset's bound holds, while the writer is silent.
// It returns nil when ctx is done, and after w.count refreshes if the
// last one worked; if it failed, its error, so that a script that runs
// watch -count sees a failure. A refresh that fails is reported on
// Stderr, and the next one is tried.
func (env Env) watch(ctx context.Context, c *conn, opts options, w watchOptions) error {
	var prev *report
	seen := seen{}
	var lastErr error
	for n := 1; w.count == 0 || n <= w.count; n++ {
		if n > 1 {
			select {
			case <-ctx.Done():
				return nil
			case <-env.Clock.Alarm(env.Clock.Now().Add(w.interval)):
			}
		}
		snap, err := c.inspect(env.Clock)
		if err != nil {
			fmt.Fprintf(env.Stderr, "leasectl: refresh %d: cannot read namespace %q: %v\n", n, c.namespace, err)
			lastErr = fmt.Errorf("the last refresh (%d) failed: %w", n, err)
			continue
		}
		lastErr = nil
		seen.update(snap)
		r := newReport(snap, c.coll, true, true, seen)
		if prev != nil {
			markChanges(prev, &r)
		}
		if opts.json {
			if err := writeJSON(env.Stdout, r.toJSON(n)); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(env.Stdout, "== refresh %d\n", n)
			writeReport(env.Stdout, r, true, true, prev != nil, prev == nil)
		}
		prev = &r
	}
	return lastErr
}
