package leasectl_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/seed07a61904/leadership/internal/leasectl"
	"github.com/seed07a61904/leadership/internal/observetest"
)

// srvResolver serves one SRV record for cluster0.abcde.mongodb.net,
// pointing at addr under a member's name, which resolves to addr's IP; no
// TXT record. It never touches the network.
type srvResolver struct{ addr string }

func (r srvResolver) LookupSRV(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
	if service != "mongodb" || proto != "tcp" || name != "cluster0.abcde.mongodb.net" {
		return "", nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	_, port, _ := net.SplitHostPort(r.addr)
	p, _ := strconv.Atoi(port)
	return "", []*net.SRV{{Target: "ac-1-shard-00-00.abcde.mongodb.net.", Port: uint16(p)}}, nil
}

func (r srvResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (r srvResolver) LookupHost(_ context.Context, host string) ([]string, error) {
	if host != "ac-1-shard-00-00.abcde.mongodb.net" {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	ip, _, _ := net.SplitHostPort(r.addr)
	return []string{ip}, nil
}

// TestListThroughSRVURL: -url takes a mongodb+srv URL with the options
// that Atlas shows (through a fake resolver, with tls=false since the
// embedded server speaks no TLS), and an option that mgowire ignores is
// reported on stderr, the rest of the URL being used.
func TestListThroughSRVURL(t *testing.T) {
	f := newFixture(t)
	twoControllers(f)
	url := "mongodb+srv://cluster0.abcde.mongodb.net/" + f.db.Name +
		"?retryWrites=true&w=majority&appName=leasectl&tls=false&compressors=zlib"
	var stdout, stderr observetest.Buffer
	env := f.env(&stdout, &stderr)
	env.Resolver = srvResolver{f.server.Addr()}
	code := env.Run(context.Background(), []string{"-url", url, "list"})
	t.Logf("$ leasectl -url %s list\n%s%s(exit status %d)", url, stdout.String(), stderr.String(), code)
	wantStatus(t, code, leasectl.ExitOK)
	wantContains(t, "list", stdout.String(), "redis/0", "mysql/1", "web/2")
	wantContains(t, "stderr", stderr.String(), "level=WARN", "option=compressors")
	if n := strings.Count(stderr.String(), "\n"); n != 1 {
		t.Errorf("stderr has %d lines, want the one warning", n)
	}

	// A URL that mgowire refuses is a usage error naming the option.
	code = env.Run(context.Background(), []string{"-url", "mongodb://" + f.server.Addr() + "/?readPreference=secondary", "list"})
	wantStatus(t, code, leasectl.ExitUsage)
	wantContains(t, "stderr", stderr.String(), "readPreference=secondary")
}
