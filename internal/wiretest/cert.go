package wiretest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"net"
	"time"
)

// Cert is a self-signed certificate for tests, made by [NewCert], in the
// forms that the tests need.
type Cert struct {
	// Certificate is the certificate with its private key, for a
	// tls.Config of a server or a client.
	Certificate tls.Certificate
	// Pool trusts the certificate (it is its own CA).
	Pool *x509.CertPool
	// CertPEM is the certificate, PEM-encoded.
	CertPEM []byte
	// KeyPEM is the private key, PEM-encoded and unencrypted.
	KeyPEM []byte
}

// NewCert returns a new self-signed ECDSA P-256 certificate for the DNS
// names and IP addresses, valid from 2000 to 2999, usable as a CA and by
// a server or a client.
func NewCert(dnsNames []string, ips ...net.IP) (Cert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Cert{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC),
		DNSNames:     dnsNames, IPAddresses: ips,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return Cert{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return Cert{}, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return Cert{}, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return Cert{
		Certificate: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf},
		Pool:        pool,
		CertPEM:     pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:      pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	}, nil
}
