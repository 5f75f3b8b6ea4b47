package mgowire

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// readFile reads the files that tlsCAFile and tlsCertificateKeyFile name;
// tests replace it.
var readFile = os.ReadFile

// tlsConflicts are the pairs of options that the URI Options spec forbids
// together, since one would undo or restate the other.
var tlsConflicts = [][2]string{
	{"tlsinsecure", "tlsallowinvalidcertificates"},
	{"tlsinsecure", "tlsallowinvalidhostnames"},
	{"tlsinsecure", "tlsdisableocspendpointcheck"},
	{"tlsinsecure", "tlsdisablecertificaterevocationcheck"},
	{"tlsallowinvalidcertificates", "tlsdisableocspendpointcheck"},
	{"tlsallowinvalidcertificates", "tlsdisablecertificaterevocationcheck"},
	{"tlsdisableocspendpointcheck", "tlsdisablecertificaterevocationcheck"},
}

// applyTLS reads tls (or ssl) and the tls* options into p.opts.TLS. TLS is
// on with tls=true, for a mongodb+srv URL unless tls=false, when the base
// Options has a TLS configuration and the URL does not say tls=false, and
// when tlsCAFile or tlsCertificateKeyFile is given. An option that mgowire
// cannot honour is an error, and so is one that weakens TLS unless
// Options.AllowInsecureTLS is set.
func (p *parser) applyTLS() error {
	s := &p.set
	for _, c := range tlsConflicts {
		if s.has(c[0]) && s.has(c[1]) {
			return p.errorf("options %s and %s must not be given together", s.names[c[0]], s.names[c[1]])
		}
	}
	flags := map[string]bool{}
	for _, k := range []string{"tls", "tlsinsecure", "tlsallowinvalidcertificates", "tlsallowinvalidhostnames",
		"tlsdisablecertificaterevocationcheck", "tlsdisableocspendpointcheck"} {
		v, err := p.boolean(k)
		if err != nil {
			return err
		}
		flags[k] = v
	}
	for _, k := range []string{"tlsdisablecertificaterevocationcheck", "tlsdisableocspendpointcheck"} {
		if s.has(k) && !flags[k] {
			return p.errorf("option %s=false asks for revocation checks, which mgowire (Go's crypto/tls) does not make", s.names[k])
		}
	}
	for _, k := range []string{"tlsinsecure", "tlsallowinvalidcertificates", "tlsallowinvalidhostnames"} {
		if flags[k] && !p.opts.AllowInsecureTLS {
			return p.errorf("option %s=true turns off the checks of the server's certificate; refused unless Options.AllowInsecureTLS is set", s.names[k])
		}
	}
	caFile, hasCA := s.str("tlscafile")
	certFile, hasCert := s.str("tlscertificatekeyfile")
	keyPassword := s.vals["tlscertificatekeyfilepassword"] // unused without a key file
	on := p.opts.TLS != nil || p.srv || hasCA || hasCert
	if s.has("tls") {
		if !flags["tls"] && (hasCA || hasCert) {
			return p.errorf("options %s=false and tlsCAFile or tlsCertificateKeyFile conflict", s.names["tls"])
		}
		on = flags["tls"]
	}
	if !on {
		p.opts.TLS = nil
		return nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if p.opts.TLS != nil {
		cfg = p.opts.TLS.Clone()
	}
	if hasCA {
		pem, err := readFile(caFile)
		if err != nil {
			return p.errorf("option %s: %v", s.names["tlscafile"], err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return p.errorf("option %s: %q holds no PEM certificate", s.names["tlscafile"], caFile)
		}
		cfg.RootCAs = pool
	}
	if hasCert {
		cert, err := loadKeyPair(certFile, keyPassword)
		if err != nil {
			return p.errorf("option %s: %v", s.names["tlscertificatekeyfile"], err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	switch {
	case flags["tlsinsecure"] || flags["tlsallowinvalidcertificates"]:
		cfg.InsecureSkipVerify = true
	case flags["tlsallowinvalidhostnames"]:
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = verifyChainOnly(cfg.RootCAs)
	}
	p.opts.TLS = cfg
	return nil
}

// verifyChainOnly returns a tls.Config.VerifyConnection that checks the
// server's certificate chain against roots (nil: the system's) but not
// the host name, for tlsAllowInvalidHostnames.
func verifyChainOnly(roots *x509.CertPool) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("mgowire: the server sent no certificate")
		}
		inter := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
		return err
	}
}

// loadKeyPair reads the client certificate and its private key from one
// PEM file, as tlsCertificateKeyFile says, decrypting a key encrypted
// with the legacy PEM encryption (RFC 1423, "Proc-Type: 4,ENCRYPTED")
// with password. An encrypted PKCS #8 key ("ENCRYPTED PRIVATE KEY") is
// refused: the Go standard library cannot decrypt it.
func loadKeyPair(file, password string) (tls.Certificate, error) {
	data, err := readFile(file)
	if err != nil {
		return tls.Certificate{}, err
	}
	var certPEM, keyPEM []byte
	decrypted := false
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch {
		case block.Type == "CERTIFICATE":
			certPEM = append(certPEM, pem.EncodeToMemory(block)...)
		case block.Type == "ENCRYPTED PRIVATE KEY":
			return tls.Certificate{}, fmt.Errorf("%q holds an encrypted PKCS #8 key, which mgowire cannot decrypt; decrypt it with openssl pkcs8", file)
		//lint:ignore SA1019 the legacy PEM encryption is what tlsCertificateKeyFilePassword decrypts; it is weak, and the only one the standard library reads
		case x509.IsEncryptedPEMBlock(block):
			if password == "" {
				return tls.Certificate{}, fmt.Errorf("%q holds an encrypted key; give tlsCertificateKeyFilePassword", file)
			}
			//lint:ignore SA1019 as above
			der, err := x509.DecryptPEMBlock(block, []byte(password))
			if err != nil {
				return tls.Certificate{}, fmt.Errorf("decrypting the key in %q: %v", file, err)
			}
			keyPEM = pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: der})
			decrypted = true
		default:
			keyPEM = pem.EncodeToMemory(block)
		}
	}
	if certPEM == nil || keyPEM == nil {
		return tls.Certificate{}, fmt.Errorf("%q must hold a PEM certificate and its private key", file)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil && decrypted {
		// The legacy encryption detects a wrong password only most of
		// the time (its padding check): otherwise the decryption
		// "succeeds" with bytes that are no key.
		return tls.Certificate{}, fmt.Errorf("decrypting the key in %q with tlsCertificateKeyFilePassword gave no valid key (is the password right?): %v", file, err)
	}
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%q: %v", file, err)
	}
	return cert, nil
}
