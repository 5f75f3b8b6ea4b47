package mgowire_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wiretest"
	"github.com/seed07a61904/leadership/mgowire"
)

func TestSCRAM(t *testing.T) {
	for name, tc := range map[string]struct {
		offered   []string
		mechanism string
		want      string
	}{
		"negotiated SHA-256":    {want: mgowire.MechanismSCRAMSHA256},
		"negotiated SHA-1":      {offered: []string{"SCRAM-SHA-1"}, want: mgowire.MechanismSCRAMSHA1},
		"chosen SHA-1":          {mechanism: mgowire.MechanismSCRAMSHA1, want: mgowire.MechanismSCRAMSHA1},
		"chosen SHA-256":        {mechanism: mgowire.MechanismSCRAMSHA256, want: mgowire.MechanismSCRAMSHA256},
		"SHA-256 only on offer": {offered: []string{"SCRAM-SHA-256"}, want: mgowire.MechanismSCRAMSHA256},
	} {
		t.Run(name, func(t *testing.T) {
			srv := startServer(t, wiretest.Config{
				Users:      map[string]string{"alice": "correct horse\u00a0battery"},
				Mechanisms: tc.offered,
			})
			session := dial(t, srv, mgo.DialInfo{
				Username: "alice", Password: "correct horse\u00a0battery", Source: "admin", Mechanism: tc.mechanism,
			}, mgowire.Options{})
			c := session.DB("test").C("c")
			if err := c.Insert(bson.M{"_id": 1}); err != nil {
				t.Fatalf("Insert as alice: %v", err)
			}
			// A second connection authenticates too, once.
			other := session.Copy()
			defer other.Close()
			iter := c.Find(nil).Iter()
			if err := other.DB("test").C("c").Insert(bson.M{"_id": 2}); err != nil {
				t.Fatalf("Insert on a copy: %v", err)
			}
			iter.Close()
			starts := commandsNamed(srv, "saslStart")
			if len(starts) != srv.Connections() {
				t.Errorf("%d saslStart on %d connections, want one each", len(starts), srv.Connections())
			}
			for _, s := range starts {
				if s.Doc["mechanism"] != tc.want || s.DB != "admin" {
					t.Errorf("saslStart with %v on %q, want %s on admin", s.Doc["mechanism"], s.DB, tc.want)
				}
			}
			if n := len(commandsNamed(srv, "logout")); n != 0 {
				t.Errorf("server got %d logout commands, want 0", n)
			}
		})
	}
}

func TestServerRequiringAuthWithoutCredentials(t *testing.T) {
	srv := startServer(t, wiretest.Config{Users: map[string]string{"alice": "pw"}})
	session := dial(t, srv, mgo.DialInfo{}, mgowire.Options{})
	err := session.DB("test").C("c").Insert(bson.M{"_id": 1})
	if code := wiretest.ErrorCode(err); code != 13 {
		t.Fatalf("Insert without credentials: %v, want code 13 (Unauthorized)", err)
	}
}

func TestMgoLoginRefused(t *testing.T) {
	srv := startServer(t, wiretest.Config{Users: map[string]string{"alice": "pw"}})
	session := dial(t, srv, mgo.DialInfo{Username: "alice", Password: "pw"}, mgowire.Options{})
	err := session.Login(&mgo.Credential{Username: "alice", Password: "pw", Source: "admin"})
	// mgo wraps the refusal in an error of its own, without the code.
	if err == nil || !strings.Contains(err.Error(), "mgowire authenticates each connection itself") {
		t.Fatalf("Session.Login: %v, want mgowire's refusal", err)
	}
	if n := len(commandsNamed(srv, "saslStart")); n != srv.Connections() {
		t.Fatalf("%d saslStart on %d connections: mgo's login reached the server", n, srv.Connections())
	}
}

// TestWrongPasswordReachesDialer: mgo drops every DialServer error and
// reports "no reachable servers" at its Timeout; DialWithInfo's error
// wraps the last setup error, so a wrong password matches ErrAuth and
// names the server.
func TestWrongPasswordReachesDialer(t *testing.T) {
	srv := startServer(t, wiretest.Config{Users: map[string]string{"alice": "pw"}})
	_, err := mgowire.DialWithInfo(&mgo.DialInfo{
		Addrs: []string{srv.Addr()}, Username: "alice", Password: "xyzzy42", Timeout: 300 * time.Millisecond,
	}, mgowire.Options{})
	if !errors.Is(err, mgowire.ErrAuth) || !strings.Contains(err.Error(), srv.Addr()) {
		t.Errorf("dial with a wrong password: %v, want an error matching mgowire.ErrAuth and naming %s", err, srv.Addr())
	}
	if err != nil && strings.Contains(err.Error(), "xyzzy42") {
		t.Errorf("dial with a wrong password: %q shows the password", err)
	}
}

// selfSigned returns a server certificate for 127.0.0.1 and a pool that
// trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	c := newCert(t, nil, net.ParseIP("127.0.0.1"))
	return c.cert, c.pool
}

func TestTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	srv := startServer(t, wiretest.Config{
		TLS:   &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		Users: map[string]string{"alice": "pw"},
	})
	// No ServerName: mgowire takes it from the address, 127.0.0.1.
	session := dial(t, srv, mgo.DialInfo{Username: "alice", Password: "pw"},
		mgowire.Options{TLS: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}})
	if err := session.DB("test").C("c").Insert(bson.M{"_id": 1}); err != nil {
		t.Fatalf("Insert over TLS: %v", err)
	}

	// A client that does not trust the certificate cannot connect.
	_, err := mgowire.DialWithInfo(&mgo.DialInfo{Addrs: []string{srv.Addr()}, Timeout: 500 * time.Millisecond, FailFast: true},
		mgowire.Options{TLS: &tls.Config{MinVersion: tls.VersionTLS12}})
	if err == nil {
		t.Fatal("DialWithInfo trusted an unknown certificate")
	}
}
