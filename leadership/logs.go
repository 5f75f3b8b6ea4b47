package leadership

import (
	"context"
	"log/slog"
	"time"

	"github.com/juju/errors"
)

// The log lines of managers and trackers; docs/operations.md#log-lines is
// their catalogue, which a test checks against these constants and keys.

// LogMessage is the message of a line that a manager or a tracker writes
// to its Logger. The values are stable, so a log pipeline may pick lines
// by them; docs/operations.md#log-lines gives each one's levels and
// attributes.
type LogMessage string

// The messages of the log lines, in the order of the catalogue.
const (
	LogManagerStopped   LogMessage = "leadership manager stopped"
	LogTrackerStopped   LogMessage = "leadership tracker stopped"
	LogStoreNeedsRepair LogMessage = "lease store needs repair"
	LogClaimFailed      LogMessage = "claim failed"
	LogCheckFailed      LogMessage = "check failed"
	LogRevokeFailed     LogMessage = "revoke failed"
	LogWakeBackingOff   LogMessage = "wake failed; backing off"
	LogWakeFailed       LogMessage = "wake failed"
	LogSlowWake         LogMessage = "slow wake"
	LogSlowRefresh      LogMessage = "slow refresh"
	LogSlowStore        LogMessage = "slow store"
	LogCallRetrying     LogMessage = "leadership call failed; retrying"
	LogBecameLeader     LogMessage = "became leader"
	LogBecameMinion     LogMessage = "became minion"
	LogGranted          LogMessage = "leadership granted"
	LogLost             LogMessage = "leadership lost"
	LogRevoked          LogMessage = "leadership revoked"
	LogExpired          LogMessage = "lease expired"
	LogExpiryFailed     LogMessage = "lease expiry failed"
	LogStoreRace        LogMessage = "lease changed under a store call; retrying"
)

// The attribute keys of the log lines.
const (
	keyService   = "service"
	keyUnit      = "unit"
	keyHolder    = "holder"
	keyCall      = "call"
	keyResult    = "result"
	keyDuration  = "duration"
	keyThreshold = "threshold"
	keyRetry     = "retry"
	keyKnown     = "known"
	keyHeld      = "held"
	keyError     = "error"
)

// defaultSlow is the slow threshold before the first claim, slowFraction
// the fraction of the shortest claim after (see slow).
const (
	defaultSlow  = time.Second
	slowFraction = 10
)

// slow returns the slow threshold: a tenth of the shortest claim duration
// so far (defaultSlow before): a store call that long eats into every term.
func (m *manager) slow() time.Duration {
	if m.shortestClaim == 0 {
		return defaultSlow
	}
	return m.shortestClaim / slowFraction
}

// failedMessage is the message of a claim, check or revoke (kind) that
// failed.
func failedMessage(kind EventKind) LogMessage {
	switch kind {
	case EventClaim:
		return LogClaimFailed
	case EventCheck:
		return LogCheckFailed
	}
	return LogRevokeFailed
}

// slowMessage is the message of a wake, read or write (kind) that took
// longer than the slow threshold.
func slowMessage(kind EventKind) LogMessage {
	switch kind {
	case EventWake:
		return LogSlowWake
	case EventRefresh:
		return LogSlowRefresh
	}
	return LogSlowStore
}

// logEvent writes the log line, if any, that e, one of the manager's
// events, calls for.
func (m *manager) logEvent(e Event) {
	level, msg := slog.LevelDebug, LogMessage("")
	slowCheck := false
	switch e.Kind {
	case EventStop:
		level, msg = slog.LevelInfo, LogManagerStopped
		if e.Err != nil {
			level = slog.LevelError
		}
	case EventClaim, EventCheck, EventRevoke:
		switch e.Result {
		case ResultGranted:
			msg = LogGranted
		case ResultRevoked:
			msg = LogRevoked
		case ResultError:
			level, msg = slog.LevelWarn, failedMessage(e.Kind)
			if errors.Is(e.Err, ErrStopped) {
				// Cut short by Kill: the stop line says so.
				level = slog.LevelDebug
			}
		}
	case EventExpire:
		msg = LogExpired
		if e.Result == ResultError {
			msg = LogExpiryFailed
		}
	case EventWake:
		slowCheck = true
		switch {
		case e.Result != ResultError:
		case m.stopping:
			// The manager stops next; its stop line says why.
			level, msg = slog.LevelWarn, LogWakeFailed
		default:
			level, msg = slog.LevelWarn, LogWakeBackingOff
		}
	case EventRefresh, EventStore:
		slowCheck = true
		if e.Result == ResultCorrupt {
			// A person must repair the store: every call about
			// the lease fails until then.
			level, msg = slog.LevelError, LogStoreNeedsRepair
		}
		if e.Result == ResultDenied && e.Call != CallExpireLease {
			// Routine: a lost race retries once, then is denied;
			// lasting contention is LogClaimFailed.
			msg = LogStoreRace
		}
	}
	if slowCheck && msg == "" && e.Duration > m.slow() && !m.batchTail {
		level, msg = slog.LevelWarn, slowMessage(e.Kind)
	}
	if msg == "" || !m.logger.Enabled(context.Background(), level) {
		return
	}
	attrs := make([]slog.Attr, 0, 10)
	attrs = appendEventAttrs(attrs, e)
	if slowCheck {
		attrs = append(attrs, slog.Duration(keyThreshold, m.slow()))
	}
	if e.Kind == EventWake && e.Result == ResultError && !m.stopping {
		attrs = append(attrs, slog.Duration(keyRetry, m.retry.delay))
	}
	attrs = append(attrs, slog.Int(keyKnown, e.Known), slog.Int(keyHeld, e.Held))
	m.logger.LogAttrs(context.Background(), level, string(msg), attrs...)
}

// logLost writes LogLost: the named lease, held through this manager by
// unit, ended (held false) or went to holder, without being revoked
// through it.
func (m *manager) logLost(name, unit string, held bool, holder string) {
	if m.logger == nil || !m.logger.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{slog.String(keyService, name), slog.String(keyUnit, unit)}
	if held {
		attrs = append(attrs, slog.String(keyHolder, holder))
	}
	m.logger.LogAttrs(context.Background(), slog.LevelDebug, string(LogLost), attrs...)
}

// logEvent writes the log line of e, one of the tracker's events.
func (t *tracker) logEvent(e Event) {
	level, msg := slog.LevelInfo, LogBecameMinion
	switch {
	case e.Kind == EventLeading && e.Result == ResultLeader:
		msg = LogBecameLeader
	case e.Kind == EventStop:
		msg = LogTrackerStopped
		if e.Err != nil {
			level = slog.LevelError
		}
	}
	if !t.config.Logger.Enabled(context.Background(), level) {
		return
	}
	t.config.Logger.LogAttrs(context.Background(), level, string(msg), appendEventAttrs(nil, e)...)
}

// logRetry writes LogCallRetrying: a call that failed with err and is
// retried after delay, a line with no event of its own.
func (t *tracker) logRetry(err error, delay time.Duration) {
	if t.config.Logger == nil || !t.config.Logger.Enabled(context.Background(), slog.LevelWarn) {
		return
	}
	t.config.Logger.LogAttrs(context.Background(), slog.LevelWarn, string(LogCallRetrying),
		slog.String(keyService, t.config.ServiceName), slog.String(keyUnit, t.config.UnitName),
		slog.String(keyError, err.Error()), slog.Duration(keyRetry, delay))
}

// appendEventAttrs appends to attrs the attributes of e that are set.
func appendEventAttrs(attrs []slog.Attr, e Event) []slog.Attr {
	if e.Service != "" {
		attrs = append(attrs, slog.String(keyService, e.Service))
	}
	if e.Unit != "" {
		attrs = append(attrs, slog.String(keyUnit, e.Unit))
	}
	if e.Call != "" {
		attrs = append(attrs, slog.String(keyCall, string(e.Call)))
	}
	if e.Result != "" {
		attrs = append(attrs, slog.String(keyResult, string(e.Result)))
	}
	if e.Duration != 0 {
		attrs = append(attrs, slog.Duration(keyDuration, e.Duration))
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String(keyError, e.Err.Error()))
	}
	return attrs
}
