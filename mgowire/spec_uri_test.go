package mgowire

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/idna"
)

// uriCase is a case of the connection-string and uri-options tests.
type uriCase struct {
	Description string
	URI         string
	Valid       bool
	Warning     *bool
	Hosts       []struct {
		Type string
		Host string
		Port *json.Number
	}
	Auth *struct {
		Username *string
		Password *string
		DB       *string
	}
	Options map[string]interface{}
}

// TestSpecURIs runs the connection-string and uri-options test files.
func TestSpecURIs(t *testing.T) {
	specFilesInstalled(t)
	st := newSpecTally(t)
	for _, dir := range []string{"connection-string", "uri-options"} {
		for _, file := range specFiles(t, dir) {
			var doc struct{ Tests []uriCase }
			readSpec(t, file, &doc)
			for _, c := range doc.Tests {
				st.record(specOutcome{file: file, name: c.Description, failure: c.check()})
			}
		}
	}
	passed, refused := st.done("connection-string/", "uri-options/")
	t.Logf("connection-string and uri-options: %d cases, %d passed, %d refused", passed+refused, passed, refused)
}

// check returns "" if the case passes: a URL the spec calls invalid is
// refused; a valid one is accepted, warned about exactly when the spec
// says, and parsed into the hosts, credentials and options it lists (those
// that mgowire represents; see checkOption).
func (c uriCase) check() string {
	p := parseSpecURL(c.URI)
	if !c.Valid {
		return p.wantInvalid()
	}
	if msg := p.wantValid(c.Warning != nil && *c.Warning); msg != "" {
		return msg
	}
	if c.Hosts != nil {
		var want []string
		for _, h := range c.Hosts {
			host, _ := idna.Lookup.ToASCII(h.Host)
			if h.Type == "ip_literal" {
				host = "[" + h.Host + "]"
			}
			if h.Port != nil {
				host += ":" + h.Port.String()
			}
			want = append(want, host)
		}
		if strings.Join(want, ",") != strings.Join(p.info.Addrs, ",") {
			return fmt.Sprintf("servers %q, want %q", p.info.Addrs, want)
		}
	}
	if a := c.Auth; a != nil {
		got := [3]string{p.info.Username, p.info.Password, p.info.Database}
		for i, w := range []*string{a.Username, a.Password, a.DB} {
			if w != nil && *w != got[i] {
				return fmt.Sprintf("user, password, database %q: item %d, want %q", got, i, *w)
			}
		}
	}
	keys := make([]string, 0, len(c.Options))
	for k := range c.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if msg := p.checkOption(strings.ToLower(k), c.Options[k]); msg != "" {
			return msg
		}
	}
	return ""
}

// checkOption returns "" if the parsed URL has the option key (lower
// case) with the value want (as decoded from JSON), where DialInfo or
// Options represents it; an option that they do not represent (retryWrites,
// loadBalanced=false, ...) was checked only by being accepted without a
// warning.
func (p parsed) checkOption(key string, want interface{}) string {
	info, opts := p.info, p.opts
	var got interface{}
	switch key {
	case "authmechanism":
		got = info.Mechanism
	case "authsource":
		got = info.Source
	case "replicaset":
		got = info.ReplicaSetName
	case "appname":
		got = opts.AppName
	case "tls", "ssl":
		got = opts.TLS != nil
	case "directconnection":
		got = info.Direct
	case "maxpoolsize":
		got = int64(info.PoolLimit)
	case "connecttimeoutms":
		got = int64(opts.ConnectTimeout / time.Millisecond)
	case "sockettimeoutms":
		got = int64(opts.SocketTimeout / time.Millisecond)
	case "serverselectiontimeoutms":
		got = int64(info.Timeout / time.Millisecond)
	case "w":
		if opts.WriteConcern.WMode != "" {
			got = opts.WriteConcern.WMode
		} else {
			got = int64(opts.WriteConcern.W)
		}
	case "wtimeoutms":
		got = int64(opts.WriteConcern.WTimeout)
	case "journal":
		got = opts.WriteConcern.J
	case "tlscafile":
		got, want = opts.TLS != nil && opts.TLS.RootCAs != nil, true
	case "tlscertificatekeyfile":
		got, want = opts.TLS != nil && len(opts.TLS.Certificates) == 1, true
	default:
		return ""
	}
	if n, ok := want.(json.Number); ok {
		want, _ = strconv.ParseInt(n.String(), 10, 64)
	}
	if got != want {
		return fmt.Sprintf("option %s: %v, want %v", key, got, want)
	}
	return ""
}

// authCase is a case of the auth spec's connection-string tests.
type authCase struct {
	Description string
	URI         string
	Valid       bool
	Credential  *struct {
		Username  *string
		Password  *string
		Source    string
		Mechanism *string
	}
}

// TestSpecAuth runs the auth spec's connection-string test file.
func TestSpecAuth(t *testing.T) {
	st := newSpecTally(t)
	for _, file := range specFiles(t, "auth") {
		var doc struct{ Tests []authCase }
		readSpec(t, file, &doc)
		for _, c := range doc.Tests {
			st.record(specOutcome{file: file, name: c.Description, failure: c.check()})
		}
	}
	passed, refused := st.done("auth/")
	t.Logf("auth: %d cases, %d passed, %d refused", passed+refused, passed, refused)
}

// check returns "" if the case passes: an invalid URL is refused; a valid
// one gives the credential listed (none when it is null: no user name),
// whose source is authSource, else the database, else "admin".
func (c authCase) check() string {
	p := parseSpecURL(c.URI)
	if !c.Valid {
		return p.wantInvalid()
	}
	if p.err != nil {
		return fmt.Sprintf("refused: %v", p.err)
	}
	cred := c.Credential
	if cred == nil {
		if p.info.Username != "" {
			return fmt.Sprintf("user %q, want no credential", p.info.Username)
		}
		return ""
	}
	source := p.info.Source
	if source == "" {
		source = p.info.Database
	}
	if source == "" {
		source = "admin"
	}
	str := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	got := [4]string{p.info.Username, p.info.Password, source, p.info.Mechanism}
	want := [4]string{str(cred.Username), str(cred.Password), cred.Source, str(cred.Mechanism)}
	if got != want {
		return fmt.Sprintf("user, password, source, mechanism %q, want %q", got, want)
	}
	return ""
}
