package mgowire

import (
	"fmt"
	"net"
	"sort"
	"strings"
	"testing"
)

// seedNames returns the servers of a parsed mongodb+srv URL by name: with
// a Resolver of the caller's, ParseURLWith lists their addresses, and
// remembers their names for TLS.
func (p parsed) seedNames() []string {
	var names []string
	for _, addr := range p.info.Addrs {
		_, port, _ := net.SplitHostPort(addr)
		name, ok := p.opts.serverNames[addr]
		if !ok {
			return append([]string{"(not resolved by the Resolver) " + addr}, names...)
		}
		names = append(names, net.JoinHostPort(name, port))
	}
	return names
}

// seedlistCase is a test file of the Initial DNS Seedlist Discovery spec.
type seedlistCase struct {
	URI           string
	Seeds         []string
	NumSeeds      *int
	Options       map[string]interface{}
	ParsedOptions map[string]string `json:"parsed_options"`
	Error         bool
}

// TestSpecSeedlist runs the Initial DNS Seedlist Discovery test files with
// the DNS records of their README behind a fake resolver. A case passes
// when the URL is refused exactly when it should be, and otherwise gives
// the seeds, options and credentials listed. What the files say of the
// topology after discovery ("hosts", "numHosts", "ping") needs the
// replica set and sharded clusters they were written for, with TLS, and is
// not checked here; the integration module dials an Atlas-shaped URL
// through a fake resolver to its embedded server instead.
func TestSpecSeedlist(t *testing.T) {
	passed, refused := runFileCases[seedlistCase](t, "initial-dns-seedlist-discovery")
	t.Logf("initial-dns-seedlist-discovery: %d cases, %d passed, %d refused", passed+refused, passed, refused)
}

func (c seedlistCase) check() string {
	p := parseSpecURL(c.URI)
	if c.Error {
		if p.err == nil {
			return "accepted, but the spec expects an error"
		}
		return ""
	}
	if p.err != nil {
		return fmt.Sprintf("refused: %v", p.err)
	}
	if c.Seeds != nil {
		want := make([]string, len(c.Seeds))
		for i, s := range c.Seeds {
			host, port, _ := net.SplitHostPort(s)
			want[i] = net.JoinHostPort(strings.ToLower(host), port)
		}
		got := p.seedNames()
		sort.Strings(want)
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			return fmt.Sprintf("seeds %q, want %q", got, want)
		}
	}
	if c.NumSeeds != nil && len(p.seedNames()) != *c.NumSeeds {
		return fmt.Sprintf("%d seeds, want %d", len(p.info.Addrs), *c.NumSeeds)
	}
	for k, v := range c.Options {
		if msg := p.checkOption(strings.ToLower(k), v); msg != "" {
			return msg
		}
	}
	for k, v := range c.ParsedOptions {
		db := p.info.Database
		got := map[string]string{"user": p.info.Username, "password": p.info.Password, "auth_database": db, "db": db, "defaultDatabase": db}[k]
		if got != v {
			return fmt.Sprintf("%s %q, want %q", k, got, v)
		}
	}
	return ""
}
