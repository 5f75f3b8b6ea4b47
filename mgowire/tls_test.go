package mgowire_test

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"
	"time"

	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wiretest"
	"github.com/seed07a61904/leadership/mgowire"
)

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
