package leasectl

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestWarnLoggerOnce checks that a warning repeated but for its duration
// (mgo retrying a refused connection until the timeout) is written once,
// and that different warnings are all written.
func TestWarnLoggerOnce(t *testing.T) {
	var buf bytes.Buffer
	logger := warnLogger(&buf)
	for i := 0; i < 16; i++ {
		logger.LogAttrs(context.Background(), slog.LevelWarn, "connection failed",
			slog.String("addr", "127.0.0.1:1"), slog.Duration("duration", time.Duration(i+1)*time.Microsecond),
			slog.String("error", "connection refused"))
	}
	logger.LogAttrs(context.Background(), slog.LevelWarn, "connection failed",
		slog.String("addr", "127.0.0.1:2"), slog.String("error", "connection refused"))
	logger.Warn("ignored option", slog.String("option", "compressors"))
	logger.Info("not a warning")
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3 (one per distinct warning):\n%s", len(lines), buf.String())
	}
	for i, want := range []string{"addr=127.0.0.1:1", "addr=127.0.0.1:2", "option=compressors"} {
		if !strings.Contains(lines[i], want) || !strings.HasPrefix(lines[i], "level=WARN") {
			t.Errorf("line %d = %q, want a warning with %s", i, lines[i], want)
		}
	}
}
