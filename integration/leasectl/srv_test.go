package leasectl_test

import (
	"context"
	"strings"
	"testing"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/internal/leasectl"
	"github.com/seed07a61904/leadership/internal/observetest"
)

// TestListThroughSRVURL: -url takes a mongodb+srv URL with the options
// that Atlas shows (through a fake resolver, with tls=false since the
// embedded server speaks no TLS), and an option that mgowire ignores is
// reported on stderr, the rest of the URL being used.
func TestListThroughSRVURL(t *testing.T) {
	f := newFixture(t)
	twoControllers(f)
	url := "mongodb+srv://" + mongofixture.AtlasHost + "/" + f.DB.Name +
		"?retryWrites=true&w=majority&appName=leasectl&tls=false&compressors=zlib"
	var stdout, stderr observetest.Buffer
	env := f.env(&stdout, &stderr)
	env.Resolver = mongofixture.Resolver{Addr: f.Server.Addr()}
	code := env.Run(context.Background(), []string{"-url", url, "list"})
	t.Logf("$ leasectl -url %s list\n%s%s(exit status %d)", url, stdout.String(), stderr.String(), code)
	wantStatus(t, code, leasectl.ExitOK)
	wantContains(t, "list", stdout.String(), "redis/0", "mysql/1", "web/2")
	wantContains(t, "stderr", stderr.String(), "level=WARN", "option=compressors")
	if n := strings.Count(stderr.String(), "\n"); n != 1 {
		t.Errorf("stderr has %d lines, want the one warning", n)
	}

	// A URL that mgowire refuses is a usage error naming the option.
	code = env.Run(context.Background(), []string{"-url", "mongodb://" + f.Server.Addr() + "/?readPreference=secondary", "list"})
	wantStatus(t, code, leasectl.ExitUsage)
	wantContains(t, "stderr", stderr.String(), "readPreference=secondary")
}
