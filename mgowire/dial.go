package mgowire

import (
	"crypto/tls"
	"fmt"
	"net"
	"sync"
	"time"

	mgo "gopkg.in/mgo.v2"
)

// DialWithInfo is [mgo.DialWithInfo] through translating connections: it
// returns a session to the servers that info names, whose connections
// mgowire dials, secures with opts.TLS, authenticates with info's
// credentials and translates, as the package documentation describes.
//
// info is read, never changed. Its fields mean what they mean to mgo, except:
//   - Username, Password, Source and Mechanism are used by mgowire to
//     authenticate each connection once; mgo gets none of them. Mechanism
//     is "" (ask the server, preferring [MechanismSCRAMSHA256]),
//     [MechanismSCRAMSHA256] or [MechanismSCRAMSHA1]. Source defaults as
//     in mgo: Database, or "admin".
//   - DialServer and Dial must be nil: mgowire sets DialServer (use
//     [Options.DialConn] to replace the TCP dial).
//   - Timeout also bounds each connection's setup unless
//     opts.ConnectTimeout is set. It must not be negative.
//
// opts.SocketTimeout, if set, becomes the session's socket timeout;
// opts.AppName is sent in a handshake on each connection (see [Options]).
//
// Errors: the cause is [ErrInvalid] for info or opts that cannot be used
// (the message names the field). Otherwise the error is mgo's, for example
// "no reachable servers" when no server could be dialed, authenticated or
// asked isMaster within info.Timeout; mgo drops the errors of setting up
// connections, so if one failed, the error also names its server and
// wraps the last such error: errors.Is(err, [ErrAuth]) after a refused
// password, for example. mgo retries a server whose setup failed until
// info.Timeout, so even a wrong password takes that long to report.
func DialWithInfo(info *mgo.DialInfo, opts Options) (*mgo.Session, error) {
	d, mgoInfo, err := newDialer(info, opts)
	if err != nil {
		return nil, err
	}
	mgoInfo.DialServer = d.dialServer
	session, err := mgo.DialWithInfo(mgoInfo)
	if err != nil {
		if last := d.lastSetupError(); last != nil {
			// mgo drops DialServer's errors; give the caller the last one.
			return nil, fmt.Errorf("%v; last connection setup error: %w", err, last)
		}
		return nil, err
	}
	if opts.SocketTimeout > 0 {
		session.SetSocketTimeout(opts.SocketTimeout)
	}
	return session, nil
}

// dialer dials the translating connections of one session.
type dialer struct {
	s       *shared
	tls     *tls.Config
	timeout time.Duration
	dial    func(addr string) (net.Conn, error) // Options.DialConn; nil for TCP
	cred    *credential
	appName string            // Options.AppName; "" for no handshake
	names   map[string]string // Options.serverNames: host names of resolved addresses
	em      *emitter          // nil if nobody observes

	mu      sync.Mutex
	lastErr error // the last error of dialServer, for DialWithInfo
}

// lastSetupError returns the last error with which dialServer failed, or
// nil.
func (d *dialer) lastSetupError() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lastErr
}

// newDialer checks info and opts and returns the dialer they describe,
// with the copy of info to give mgo: no credentials and no dial function.
func newDialer(info *mgo.DialInfo, opts Options) (*dialer, *mgo.DialInfo, error) {
	if info == nil {
		return nil, nil, fmt.Errorf("%w: nil DialInfo", ErrInvalid)
	}
	if err := opts.Validate(); err != nil {
		return nil, nil, err
	}
	switch {
	case info.DialServer != nil:
		return nil, nil, fmt.Errorf("%w: DialInfo.DialServer is set; mgowire sets it (use Options.DialConn)", ErrInvalid)
	case info.Dial != nil:
		return nil, nil, fmt.Errorf("%w: DialInfo.Dial is set; mgowire sets DialServer (use Options.DialConn)", ErrInvalid)
	case info.Timeout < 0:
		return nil, nil, fmt.Errorf("%w: DialInfo.Timeout %v is negative", ErrInvalid, info.Timeout)
	case info.Username == "" && info.Password != "":
		return nil, nil, fmt.Errorf("%w: DialInfo.Password is set without a Username", ErrInvalid)
	}
	switch info.Mechanism {
	case "", MechanismSCRAMSHA256, MechanismSCRAMSHA1:
	default:
		return nil, nil, fmt.Errorf("%w: DialInfo.Mechanism %q; mgowire authenticates with %q, %q, or \"\" to ask the server",
			ErrInvalid, info.Mechanism, MechanismSCRAMSHA256, MechanismSCRAMSHA1)
	}
	d := &dialer{
		s:       &shared{writeConcern: writeConcernDoc(opts.WriteConcern)},
		tls:     opts.TLS,
		timeout: opts.ConnectTimeout,
		dial:    opts.DialConn,
		appName: opts.AppName,
		names:   opts.serverNames,
		em:      newEmitter(opts),
	}
	if d.timeout == 0 {
		d.timeout = info.Timeout
	}
	if d.timeout == 0 {
		d.timeout = DefaultTimeout
	}
	if info.Username != "" {
		source := info.Source
		if source == "" {
			source = info.Database
		}
		if source == "" {
			source = "admin"
		}
		d.cred = &credential{user: info.Username, password: info.Password, source: source, mechanism: info.Mechanism}
	}
	mgoInfo := *info
	mgoInfo.Addrs = append([]string(nil), info.Addrs...)
	mgoInfo.Username, mgoInfo.Password, mgoInfo.Source, mgoInfo.Mechanism = "", "", "", ""
	return d, &mgoInfo, nil
}

// dialServer is the mgo.DialInfo.DialServer of a session: it dials the
// server, sets up TLS, authenticates, and returns the translating
// connection.
// It emits the setup's EventConnect.
func (d *dialer) dialServer(addr *mgo.ServerAddr) (net.Conn, error) {
	start := d.em.now()
	c, err := d.dialAddr(addr.String())
	if err != nil {
		d.mu.Lock()
		d.lastErr = err
		d.mu.Unlock()
		d.em.emit(Event{Kind: EventConnect, Result: ResultError, Addr: addr.String(), Err: err}, start)
		return nil, err
	}
	d.em.emit(Event{Kind: EventConnect, Result: ResultOK, Addr: addr.String()}, start)
	return c, nil
}

// dialAddr dials the server at addr ("host:port") as dialServer does.
func (d *dialer) dialAddr(addr string) (net.Conn, error) {
	// One deadline bounds the dial, TLS and authentication together, on
	// the wall clock: net.Conn deadlines are absolute times.
	deadline := wallClock{}.Now().Add(d.timeout)
	var up net.Conn
	var err error
	if d.dial != nil {
		up, err = d.dial(addr)
	} else {
		up, err = (&net.Dialer{Deadline: deadline}).Dial("tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("mgowire: dialing %s: %w", addr, err)
	}
	if up == nil {
		return nil, fmt.Errorf("mgowire: Options.DialConn returned neither a connection nor an error for %s", addr)
	}
	if err := up.SetDeadline(deadline); err != nil {
		up.Close()
		return nil, fmt.Errorf("mgowire: setting up %s: %w", addr, err)
	}
	if d.tls != nil {
		cfg := d.tls.Clone()
		if cfg.ServerName == "" {
			if host, _, err := net.SplitHostPort(addr); err == nil {
				cfg.ServerName = host
			}
			if name, ok := d.names[addr]; ok {
				cfg.ServerName = name
			}
		}
		tc := tls.Client(up, cfg)
		if err := tc.Handshake(); err != nil {
			up.Close()
			return nil, fmt.Errorf("mgowire: TLS with %s: %w", addr, err)
		}
		up = tc
	}
	if d.appName != "" {
		if err := handshake(up, d.appName); err != nil {
			up.Close()
			return nil, fmt.Errorf("mgowire: handshake with %s: %w", addr, err)
		}
	}
	if d.cred != nil {
		if err := authenticate(up, *d.cred); err != nil {
			up.Close()
			return nil, fmt.Errorf("mgowire: authenticating with %s: %w", addr, err)
		}
	}
	if err := up.SetDeadline(time.Time{}); err != nil {
		up.Close()
		return nil, fmt.Errorf("mgowire: setting up %s: %w", addr, err)
	}
	return newConn(up, d.s, addr, d.em), nil
}
