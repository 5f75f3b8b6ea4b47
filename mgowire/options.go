package mgowire

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"time"

	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/isnil"
)

// DefaultConnectTimeout is [DefaultTimeout], which is also how long
// dialing one server, its TLS handshake and its authentication may take
// together when neither [Options.ConnectTimeout] nor mgo.DialInfo.Timeout
// says.
//
// Deprecated: use [DefaultTimeout]; the two were always equal.
const DefaultConnectTimeout = DefaultTimeout

// Options are what mgowire adds to mgo.DialInfo. The zero value asks for
// majority writes over plain TCP. [DialWithInfo] reads them and never
// changes them.
type Options struct {
	// WriteConcern is the write concern that every insert, update, delete
	// and findAndModify carries, replacing the one that mgo derives from
	// Session.SetSafe (see the package doc). It needs W ≥ 1 or
	// WMode ("majority" or a tag set name); WTimeout is in milliseconds (0:
	// wait as long as it takes) and J asks for the journal. FSync is
	// refused: MongoDB treats it as J. nil means {w: "majority"}, which a
	// replica set needs for the guarantees in the package doc: a
	// number W or a tag set WMode weakens them (a stale token's write can
	// then commit after a failover).
	WriteConcern *mgo.Safe

	// TLS, if not nil, makes every connection TLS with this configuration.
	// An empty ServerName is set, for each connection, to the host of the
	// server's address. nil means plain TCP.
	TLS *tls.Config

	// ConnectTimeout bounds setting up one connection: one deadline, set
	// before the TCP dial, covers the dial, the TLS handshake and
	// authentication together (a DialConn's time counts against it too,
	// though mgowire cannot interrupt a DialConn that does not return).
	// Zero means mgo.DialInfo.Timeout, or [DefaultConnectTimeout] if that
	// is zero too. It must not be negative.
	ConnectTimeout time.Duration

	// DialConn, if not nil, replaces the TCP dial: it returns a connection
	// to addr ("host:port", as mgo names the server), over which mgowire
	// then speaks TLS (if TLS is set), authenticates and translates. Tests
	// use it to put faults under the translator. nil means net.Dialer with
	// the connection's setup deadline. It must return a connection or an error; a
	// (nil, nil) result fails the dial with an error naming addr.
	DialConn func(addr string) (net.Conn, error)

	// Observer, if not nil, is told of every connection set up (or not)
	// and every command sent to a server, with its outcome and duration
	// (see [Observer]). nil means none. An interface holding a nil
	// pointer or function is invalid.
	Observer Observer

	// Logger, if not nil, gets the connections' log lines: a failed
	// connection setup (warn), a not-primary reply and the first
	// connection set up after it, the reconnection (warn), a successful
	// setup and a failed command (debug). The lines are listed in
	// docs/operations.md#translator-log-lines. nil means silent.
	Logger *slog.Logger

	// AppName, if not empty, is sent as the client application's name
	// (client.application.name) in a handshake, an isMaster command that
	// mgowire sends first on each new connection, so that the server's logs
	// and currentOp show it; at most 128 bytes. Empty means no handshake
	// beyond mgo's own.
	AppName string

	// SocketTimeout, if not zero, is set with Session.SetSocketTimeout on
	// the session that [DialWithInfo] returns: how long mgo waits for a
	// server's reply before it drops the connection. Zero means mgo's
	// default (mgo.DialInfo.Timeout). It must not be negative.
	SocketTimeout time.Duration

	// AllowInsecureTLS permits the URL options that turn off checks of
	// the server's certificate (tlsInsecure, tlsAllowInvalidCertificates,
	// tlsAllowInvalidHostnames) in [ParseURLWith]; without it they are
	// refused. It has no other effect.
	AllowInsecureTLS bool

	// Resolver looks up the SRV and TXT records of a mongodb+srv URL in
	// [ParseURLWith]. nil means [net.DefaultResolver], and mgo resolves
	// the servers' host names itself; with a Resolver of its own,
	// ParseURLWith resolves the SRV records' targets through it too, and
	// the DialInfo lists their IP addresses (TLS still checks the
	// certificates against their names). An interface holding a nil
	// pointer is invalid.
	Resolver Resolver

	// serverNames maps the "ip:port" addresses that ParseURLWith resolved
	// through Resolver to their host names, for TLS.
	serverNames map[string]string

	// Clock times the connections' setups and commands for Observer and
	// Logger; it is read only if one of them is set. nil means the wall
	// clock (time.Now). An interface holding a nil pointer is invalid.
	// (The setup deadline is always on the wall clock: it is a net.Conn
	// deadline.)
	Clock Clock
}

// Observer is told what the translating connections do, one [Event] at a
// time, so that metrics can be kept without the library depending on a
// metrics system (the nested module prometheus/ turns events into
// Prometheus metrics). Set it in [Options.Observer].
//
// Every connection of a session calls Observe from its own goroutines, so
// an Observer must be safe for concurrent use. Observe must return
// quickly: the connection waits for it, and reads no reply meanwhile, so
// an Observe that uses a session of the connections it observes may wait
// for itself for ever. A panic in Observe is not recovered: on a
// connection's goroutine, it ends the program.
type Observer interface {
	Observe(e Event)
}

// ObserverFunc adapts a function to [Observer].
type ObserverFunc func(e Event)

// Observe calls f(e).
func (f ObserverFunc) Observe(e Event) { f(e) }

// Validate returns an error, whose cause is [ErrInvalid], naming the first
// field of o that cannot be used, in field order; nil if all can.
func (o Options) Validate() error {
	if wc := o.WriteConcern; wc != nil {
		switch {
		case wc.W < 0:
			return fmt.Errorf("%w: WriteConcern.W %d is negative", ErrInvalid, wc.W)
		case wc.W == 0 && wc.WMode == "":
			return fmt.Errorf("%w: WriteConcern asks for no acknowledgement (W 0, WMode empty); set W ≥ 1 or WMode, e.g. \"majority\"", ErrInvalid)
		case wc.WTimeout < 0:
			return fmt.Errorf("%w: WriteConcern.WTimeout %d ms is negative", ErrInvalid, wc.WTimeout)
		case wc.FSync:
			return fmt.Errorf("%w: WriteConcern.FSync is set; MongoDB treats fsync as j: set J instead", ErrInvalid)
		}
	}
	if o.ConnectTimeout < 0 {
		return fmt.Errorf("%w: ConnectTimeout %v is negative", ErrInvalid, o.ConnectTimeout)
	}
	if len(o.AppName) > maxAppName {
		return fmt.Errorf("%w: AppName is %d bytes long; the server takes at most %d", ErrInvalid, len(o.AppName), maxAppName)
	}
	if o.SocketTimeout < 0 {
		return fmt.Errorf("%w: SocketTimeout %v is negative", ErrInvalid, o.SocketTimeout)
	}
	if o.Resolver != nil && isnil.Value(o.Resolver) {
		return fmt.Errorf("%w: Resolver is a nil %T", ErrInvalid, o.Resolver)
	}
	if o.Observer != nil && isnil.Value(o.Observer) {
		return fmt.Errorf("%w: Observer is a nil %T", ErrInvalid, o.Observer)
	}
	if o.Clock != nil && isnil.Value(o.Clock) {
		return fmt.Errorf("%w: Clock is a nil %T", ErrInvalid, o.Clock)
	}
	return nil
}

// writeConcernDoc returns the writeConcern document for wc, or for
// {w: "majority"} when wc is nil.
func writeConcernDoc(wc *mgo.Safe) bson.Raw {
	if wc == nil {
		return rawDoc(bson.D{{Name: "w", Value: "majority"}})
	}
	var doc bson.D
	if wc.WMode != "" {
		doc = append(doc, bson.DocElem{Name: "w", Value: wc.WMode})
	} else {
		doc = append(doc, bson.DocElem{Name: "w", Value: wc.W})
	}
	if wc.J {
		doc = append(doc, bson.DocElem{Name: "j", Value: true})
	}
	if wc.WTimeout > 0 {
		doc = append(doc, bson.DocElem{Name: "wtimeout", Value: wc.WTimeout})
	}
	return rawDoc(doc)
}
