// Package mongoerr classifies the errors of MongoDB servers and of the
// mgo.v2 driver, for the two places that must tell a server that cannot
// serve now from one that refused: mgowire, which closes a connection
// after a "not primary" reply, and package lease, whose MongoDB client
// reports every error of the first kind as lease.ErrUnavailable.
//
// The codes come from MongoDB's specifications (mongodb/specifications):
// the "not writable primary" and "node is recovering" classes of Server
// Discovery and Monitoring ("Not writable primary and node is
// recovering"), and the retryable errors of Retryable Writes ("Determining
// Retryable Errors"), to which it adds WriteConcernFailed (64), the code
// of a write concern error, wtimeout included.
package mongoerr

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/txn"
)

// ErrNotPrimary is the cause of the error a translating connection of
// mgowire fails with after it passed mgo a "not primary" reply (it is
// mgowire.ErrNotPrimary): mgo then reports it for the requests still in
// flight on that connection.
var ErrNotPrimary = errors.New("mgowire: server is not primary; connection closed")

// notPrimaryCodes are the codes of the "not writable primary" and "node
// is recovering" classes (Server Discovery and Monitoring).
var notPrimaryCodes = map[int64]bool{
	10107: true, // NotWritablePrimary
	13435: true, // NotPrimaryNoSecondaryOk
	10058: true, // LegacyNotPrimary
	11600: true, // InterruptedAtShutdown
	11602: true, // InterruptedDueToReplStateChange
	13436: true, // NotPrimaryOrSecondary
	189:   true, // PrimarySteppedDown
	91:    true, // ShutdownInProgress
}

// transientCodes are the other codes of a server that could not do what
// was asked for a reason that passes: the retryable errors of Retryable
// Writes that are not of notPrimaryCodes, and WriteConcernFailed.
var transientCodes = map[int64]bool{
	6:    true, // HostUnreachable
	7:    true, // HostNotFound
	89:   true, // NetworkTimeout
	9001: true, // SocketException
	262:  true, // ExceededTimeLimit
	64:   true, // WriteConcernFailed (wtimeout included)
}

// driverMessages are the errors mgo.v2 makes with errors.New, each time
// anew, when it has no server to send a request to or loses the socket:
// only their text identifies them.
var driverMessages = map[string]bool{
	"no reachable servers":                true,
	"Closed explicitly":                   true,
	"server was closed":                   true,
	"server not available":                true,
	"per-server connection limit reached": true,
}

// NotPrimaryCode reports whether code is one of the "not writable primary"
// or "node is recovering" class.
func NotPrimaryCode(code int64) bool {
	return notPrimaryCodes[code]
}

// NotPrimaryMessage reports whether msg, the message of an error that has
// no code, says "not writable primary" or "node is recovering", as the
// Server Discovery and Monitoring spec checks it.
func NotPrimaryMessage(msg string) bool {
	return strings.Contains(msg, "not master") || strings.Contains(msg, "not primary") ||
		strings.Contains(msg, "node is recovering")
}

// Unavailable reports whether err, from mgo.v2 or mgo/txn (possibly
// wrapped), says that the server could not be reached, or could not do
// or confirm what was asked for a reason that passes: the connection was
// refused, reset or closed (io.EOF), a network error or timeout, no
// reachable server, a "not primary" or "node is recovering" reply, a
// write concern error (wtimeout included), or a transaction interrupted
// by mgo/txn's chaos. A request that met one of these may or may not have
// been applied.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) || errors.Is(err, txn.ErrChaos) ||
		errors.Is(err, ErrNotPrimary) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var queryErr *mgo.QueryError
	if errors.As(err, &queryErr) {
		return codeUnavailable(int64(queryErr.Code), queryErr.Message)
	}
	var lastErr *mgo.LastError
	if errors.As(err, &lastErr) {
		return lastErr.WTimeout || codeUnavailable(int64(lastErr.Code), lastErr.Err)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if driverMessages[e.Error()] || flattenedUnavailable(e.Error()) {
			return true
		}
	}
	return false
}

// flattenedPrefix starts the one error mgo/txn makes from another by
// formatting it with %v (flusher.go's reload of a transaction after a
// failed assertion), which loses the original's type and code.
const flattenedPrefix = "failed to reload transaction: "

// flattenedMessages are the texts, after flattenedPrefix, of the errors
// that Unavailable recognises by type: what io.EOF, the syscall errors,
// net.ErrClosed, a net.Error's timeout and ErrNotPrimary print, besides
// driverMessages and the "not primary" messages.
var flattenedMessages = []string{
	"EOF", "unexpected EOF", "connection refused", "connection reset", "broken pipe",
	"use of closed network connection", "i/o timeout", "interrupted by chaos",
}

// flattenedUnavailable reports whether msg is an error that mgo/txn
// flattened into text (see flattenedPrefix) from one that Unavailable
// would have recognised, judged by its text: a server's "not primary" or
// "node is recovering" reply (whose code is lost), a driver message, or a
// network error.
func flattenedUnavailable(msg string) bool {
	rest, ok := strings.CutPrefix(msg, flattenedPrefix)
	if !ok {
		return false
	}
	if driverMessages[rest] || NotPrimaryMessage(rest) || rest == ErrNotPrimary.Error() {
		return true
	}
	for _, m := range flattenedMessages {
		if strings.Contains(rest, m) {
			return true
		}
	}
	return false
}

// codeUnavailable classifies a server's error by its code, or by its
// message if it has none.
func codeUnavailable(code int64, msg string) bool {
	if code == 0 {
		return NotPrimaryMessage(msg)
	}
	return notPrimaryCodes[code] || transientCodes[code]
}
