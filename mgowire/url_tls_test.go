package mgowire_test

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wiretest"
	"github.com/seed07a61904/leadership/mgowire"
)

// testCert is a self-signed certificate (its own CA) and its key.
type testCert struct {
	cert    tls.Certificate
	pool    *x509.CertPool
	certPEM []byte // the certificate
	keyPEM  []byte // the private key, unencrypted
}

// newCert returns a self-signed certificate for the names and addresses,
// usable by a server and a client.
func newCert(t *testing.T, dnsNames []string, ips ...net.IP) testCert {
	t.Helper()
	c, err := wiretest.NewCert(dnsNames, ips...)
	if err != nil {
		t.Fatal(err)
	}
	return testCert{cert: c.Certificate, pool: c.Pool, certPEM: c.CertPEM, keyPEM: c.KeyPEM}
}

// writeFile writes data to a new file in dir and returns its path,
// percent-encoded for a URL.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(path, "/", "%2F")
}

// insert checks that the session can write.
func insert(t *testing.T, url string, opts mgowire.Options) error {
	t.Helper()
	info, opts, err := mgowire.ParseURLWith(url, opts)
	if err != nil {
		return err
	}
	info.Timeout, info.FailFast = longWait, true // a refused dial fails at once
	session, err := mgowire.DialWithInfo(info, opts)
	if err != nil {
		return err
	}
	defer session.Close()
	return session.DB("test").C("c").Insert(bson.M{})
}

// TestURLTLSFiles: tlsCAFile and tlsCertificateKeyFile are read and used:
// the server's certificate is checked against the CA file, and the client
// presents the certificate of the key file, whose key may be encrypted
// with tlsCertificateKeyFilePassword.
func TestURLTLSFiles(t *testing.T) {
	dir := t.TempDir()
	server := newCert(t, nil, net.ParseIP("127.0.0.1"))
	client := newCert(t, []string{"client"})
	srv := startServer(t, wiretest.Config{TLS: &tls.Config{
		Certificates: []tls.Certificate{server.cert}, MinVersion: tls.VersionTLS12,
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: client.pool,
	}})
	ca := writeFile(t, dir, "ca.pem", server.certPEM)
	both := writeFile(t, dir, "client.pem", append(append([]byte{}, client.certPEM...), client.keyPEM...))
	base := "mongodb://" + srv.Addr() + "/?tlsCAFile=" + ca
	if err := insert(t, base+"&tlsCertificateKeyFile="+both, mgowire.Options{}); err != nil {
		t.Errorf("with the CA and the client certificate: %v", err)
	}
	if err := insert(t, base, mgowire.Options{}); err == nil {
		t.Error("the server took a client without a certificate")
	}
	if err := insert(t, "mongodb://"+srv.Addr()+"/?tls=true&tlsCertificateKeyFile="+both, mgowire.Options{}); err == nil {
		t.Error("the client trusted the server without the CA file")
	}

	// An encrypted key, with its password.
	block, _ := pem.Decode(client.keyPEM)
	//lint:ignore SA1019 the legacy PEM encryption is what tlsCertificateKeyFilePassword decrypts
	enc, err := x509.EncryptPEMBlock(rand.Reader, block.Type, block.Bytes, []byte("hunter2"), x509.PEMCipherAES256)
	if err != nil {
		t.Fatal(err)
	}
	encrypted := writeFile(t, dir, "enc.pem", append(append([]byte{}, client.certPEM...), pem.EncodeToMemory(enc)...))
	if err := insert(t, base+"&tlsCertificateKeyFile="+encrypted+"&tlsCertificateKeyFilePassword=hunter2", mgowire.Options{}); err != nil {
		t.Errorf("with the encrypted key: %v", err)
	}
	// A wrong password that the legacy encryption's padding check lets
	// through (about one encryption in 256) decrypts to bytes that are no
	// key: the error still says that decrypting failed.
	var lucky []byte
	for i := 0; i < 100000 && lucky == nil; i++ {
		//lint:ignore SA1019 as above
		e, err := x509.EncryptPEMBlock(rand.Reader, block.Type, block.Bytes, []byte("hunter2"), x509.PEMCipherAES256)
		if err != nil {
			t.Fatal(err)
		}
		//lint:ignore SA1019 as above
		if _, err := x509.DecryptPEMBlock(e, []byte("wrong")); err == nil {
			lucky = pem.EncodeToMemory(e)
		}
	}
	if lucky == nil {
		t.Fatal("no encryption let the wrong password through")
	}
	luckyFile := writeFile(t, dir, "lucky.pem", append(append([]byte{}, client.certPEM...), lucky...))
	pkcs8 := writeFile(t, dir, "pkcs8.pem", append(append([]byte{}, client.certPEM...), pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}})...))
	for url, names := range map[string]string{
		base + "&tlsCertificateKeyFile=" + encrypted + "&tlsCertificateKeyFilePassword=wrong": "decrypting",
		base + "&tlsCertificateKeyFile=" + luckyFile + "&tlsCertificateKeyFilePassword=wrong": "decrypting",
		base + "&tlsCertificateKeyFile=" + encrypted:                                          "tlsCertificateKeyFilePassword",
		base + "&tlsCertificateKeyFile=" + pkcs8:                                              "PKCS #8",
		base + "&tlsCertificateKeyFile=" + ca:                                                 "private key",
		"mongodb://h/?tlsCAFile=" + both + "x":                                                "no such file",
		"mongodb://h/?tlsCAFile=" + ca + "&tls=false":                                         "tls=false",
	} {
		_, _, err := mgowire.ParseURL(url)
		if !invalidNaming(err, names) {
			t.Errorf("%s: %v, want ErrInvalid naming %s", url, err, names)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: %v shows the key's password", url, err)
		}
	}
}

// TestURLInsecureTLS: the options that turn off checks of the server's
// certificate are refused unless Options.AllowInsecureTLS opts in, and
// then they do what they say: tlsAllowInvalidHostnames still checks the
// chain, tlsAllowInvalidCertificates checks nothing.
func TestURLInsecureTLS(t *testing.T) {
	dir := t.TempDir()
	server := newCert(t, []string{"other.example"}) // not 127.0.0.1
	srv := startServer(t, wiretest.Config{TLS: &tls.Config{Certificates: []tls.Certificate{server.cert}, MinVersion: tls.VersionTLS12}})
	ca := writeFile(t, dir, "ca.pem", server.certPEM)
	stranger := writeFile(t, dir, "stranger.pem", newCert(t, []string{"other.example"}).certPEM)
	url := "mongodb://" + srv.Addr() + "/?tlsCAFile="
	allow := mgowire.Options{AllowInsecureTLS: true}
	for _, opt := range []string{"tlsInsecure", "tlsAllowInvalidCertificates", "tlsAllowInvalidHostnames"} {
		_, _, err := mgowire.ParseURL("mongodb://h/?tls=true&" + opt + "=true")
		if !invalidNaming(err, "AllowInsecureTLS") {
			t.Errorf("%s=true without AllowInsecureTLS: %v", opt, err)
		}
	}
	if err := insert(t, url+ca, mgowire.Options{}); err == nil {
		t.Error("the host name was not checked")
	}
	if err := insert(t, url+ca+"&tlsAllowInvalidHostnames=true", allow); err != nil {
		t.Errorf("tlsAllowInvalidHostnames: %v", err)
	}
	if err := insert(t, url+stranger+"&tlsAllowInvalidHostnames=true", allow); err == nil {
		t.Error("tlsAllowInvalidHostnames: the chain was not checked")
	}
	if err := insert(t, url+stranger+"&tlsAllowInvalidCertificates=true", allow); err != nil {
		t.Errorf("tlsAllowInvalidCertificates: %v", err)
	}
}

// TestSRVURLDialsWithTLSNames: a mongodb+srv URL whose SRV record points
// at a TLS server dials it through the Resolver's address, and checks its
// certificate against the SRV target's name, not the address.
func TestSRVURLDialsWithTLSNames(t *testing.T) {
	server := newCert(t, []string{"node0.db.example.test"})
	srv := startServer(t, wiretest.Config{TLS: &tls.Config{Certificates: []tls.Certificate{server.cert}, MinVersion: tls.VersionTLS12}})
	_, port, _ := net.SplitHostPort(srv.Addr())
	var p uint16
	for _, c := range port {
		p = p*10 + uint16(c-'0')
	}
	r := fakeResolver{
		srv:  map[string][]*net.SRV{"_mongodb._tcp.cluster.db.example.test": {{Target: "node0.db.example.test.", Port: p}}},
		host: map[string][]string{"node0.db.example.test": {"127.0.0.1"}},
	}
	ca := writeFile(t, t.TempDir(), "ca.pem", server.certPEM)
	if err := insert(t, "mongodb+srv://cluster.db.example.test/?tlsCAFile="+ca, mgowire.Options{Resolver: r}); err != nil {
		t.Errorf("dial through the SRV record: %v", err)
	}
}

// TestAppNameHandshake: appName is sent as the client metadata of the
// first command on each connection, an isMaster, as MongoDB's handshake
// spec says.
func TestAppNameHandshake(t *testing.T) {
	srv := startServer(t, wiretest.Config{})
	if err := insert(t, "mongodb://"+srv.Addr()+"/?appName=Cluster0", mgowire.Options{}); err != nil {
		t.Fatal(err)
	}
	first := map[int]wiretest.Command{}
	for _, c := range srv.Commands() {
		if _, ok := first[c.Conn]; !ok {
			first[c.Conn] = c
		}
	}
	if len(first) == 0 {
		t.Fatal("no commands")
	}
	for conn, c := range first {
		client, _ := c.Doc["client"].(bson.M)
		app, _ := client["application"].(bson.M)
		if c.Name != "isMaster" || app["name"] != "Cluster0" {
			t.Errorf("connection %d: first command %v, want isMaster with client.application.name Cluster0", conn, c.Doc)
		}
	}
}

// TestSocketTimeoutFromURL: socketTimeoutMS becomes the session's socket
// timeout (not serverSelectionTimeoutMS, mgo's default for it): a reply
// that does not come within it fails the operation.
func TestSocketTimeoutFromURL(t *testing.T) {
	srv := startServer(t, wiretest.Config{})
	release := make(chan struct{})
	defer close(release)
	srv.SetHook(func(cmd wiretest.Command, reply bson.D) bson.D {
		if cmd.Name == "find" {
			<-release // never answered while the test runs
		}
		return reply
	})
	info, opts, err := mgowire.ParseURL("mongodb://" + srv.Addr() + "/test?socketTimeoutMS=200&serverSelectionTimeoutMS=60000")
	if err != nil {
		t.Fatal(err)
	}
	session, err := mgowire.DialWithInfo(info, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	done := make(chan error, 1)
	go func() { done <- session.DB("").C("c").Find(nil).One(&bson.M{}) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "timeout") {
			t.Errorf("Find: %v, want a timeout", err)
		}
	case <-time.After(longWait):
		t.Fatal("Find did not time out")
	}
}
