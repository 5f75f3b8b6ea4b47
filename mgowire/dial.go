package mgowire

import (
	"crypto/tls"
	"fmt"
	"net"
	"time"

	mgo "gopkg.in/mgo.v2"

	"github.com/seed07a61904/leadership/lease"
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
//     opts.ConnectTimeout is set.
//
// Errors: the cause is [ErrInvalid] for info or opts that cannot be used
// (the message names the field); otherwise the error is mgo's, for
// example "no reachable servers" when no server could be dialed,
// authenticated or asked isMaster within info.Timeout.
func DialWithInfo(info *mgo.DialInfo, opts Options) (*mgo.Session, error) {
	d, mgoInfo, err := newDialer(info, opts)
	if err != nil {
		return nil, err
	}
	mgoInfo.DialServer = d.dialServer
	return mgo.DialWithInfo(mgoInfo)
}

// dialer dials the translating connections of one session.
type dialer struct {
	s       *shared
	tls     *tls.Config
	timeout time.Duration
	dial    func(addr string) (net.Conn, error)
	cred    *credential
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
	}
	if d.timeout == 0 {
		d.timeout = info.Timeout
	}
	if d.timeout == 0 {
		d.timeout = DefaultConnectTimeout
	}
	if d.dial == nil {
		nd := &net.Dialer{Timeout: d.timeout}
		d.dial = func(addr string) (net.Conn, error) { return nd.Dial("tcp", addr) }
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
func (d *dialer) dialServer(addr *mgo.ServerAddr) (net.Conn, error) {
	return d.dialAddr(addr.String())
}

// dialAddr dials the server at addr ("host:port") as dialServer does.
func (d *dialer) dialAddr(addr string) (net.Conn, error) {
	up, err := d.dial(addr)
	if err != nil {
		return nil, err
	}
	// The setup's deadline is the one place mgowire reads the wall clock:
	// net.Conn deadlines are absolute times.
	if err := up.SetDeadline(lease.SystemClock{}.Now().Add(d.timeout)); err != nil {
		up.Close()
		return nil, err
	}
	if d.tls != nil {
		cfg := d.tls.Clone()
		if cfg.ServerName == "" {
			if host, _, err := net.SplitHostPort(addr); err == nil {
				cfg.ServerName = host
			}
		}
		tc := tls.Client(up, cfg)
		if err := tc.Handshake(); err != nil {
			up.Close()
			return nil, fmt.Errorf("mgowire: TLS with %s: %w", addr, err)
		}
		up = tc
	}
	if d.cred != nil {
		if err := authenticate(up, *d.cred); err != nil {
			up.Close()
			return nil, fmt.Errorf("mgowire: authenticating with %s: %w", addr, err)
		}
	}
	if err := up.SetDeadline(time.Time{}); err != nil {
		up.Close()
		return nil, err
	}
	return newConn(up, d.s, addr), nil
}
