package leasectl

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// TestUsageWithoutServer checks the command-line errors found before
// dialing: no server is needed, and none is dialed.
func TestUsageWithoutServer(t *testing.T) {
	for _, c := range []struct {
		args   []string
		status int
		stderr string
	}{
		{nil, ExitUsage, "leasectl: missing subcommand"},
		{[]string{"list"}, ExitUsage, "leasectl: missing -url"},
		{[]string{"-url", "mongodb+srv://u:secret@x:27017", "list"}, ExitUsage, "leasectl: invalid -url: mgowire: invalid configuration: URL \"mongodb+srv://u:xxxxx@x:27017\": server \"x:27017\": a mongodb+srv URL names a host without a port"},
		{[]string{"-url", "mongodb://u:secret@h/db?readPreference=nearest", "list"}, ExitUsage, "option readPreference=nearest: mgowire reads from the primary only"},
		{[]string{"-url", "mongodb://u:secret@h/db", "-collection", "a$b", "list"}, ExitUsage, `leasectl: -collection: invalid collection "a$b": '$' at byte 1 (use "a-b" instead); a collection must be 1 to 256 bytes`},
		{[]string{"-url", "mongodb://h/db", "-txns", "$x", "list"}, ExitUsage, `leasectl: -txns: invalid collection "$x": '$' at byte 0`},
		{[]string{"-url", "x", "-writer", "ctl.example.com", "revoke", "redis", "redis/0"}, ExitUsage, `leasectl: -writer: invalid id "ctl.example.com": '.' at byte 3 (use "ctl-example-com" instead); an id must be`},
		{[]string{"-url", "x", "revoke", "mysql", "redis/0"}, ExitUsage, `leasectl: revoke: holder "redis/0" is not a unit of "mysql": a leadership lease is held by a unit of the service it is named for ("mysql/0"); nothing revoked`},
		{[]string{"-url", "x", "revoke", "re.dis", "redis/0"}, ExitUsage, `leasectl: revoke: invalid lease name "re.dis": '.' at byte 2 (use "re-dis" instead); a lease name must be`},
		{[]string{"-url", "x", "revoke", "redis", "redis 0"}, ExitUsage, `leasectl: revoke: invalid holder "redis 0": white space U+0020 at byte 5 (use "redis-0" instead); a holder must be`},
		{[]string{"-url", "mongodb://u:secret@h:99999/db", "list"}, ExitUsage, `port "99999" is not a number`},
		{[]string{"-url", "x", "frob"}, ExitUsage, `unknown subcommand "frob"`},
		{[]string{"-url", "x", "revoke"}, ExitUsage, "revoke takes LEASE HOLDER, got 0 arguments"},
		{[]string{"-url", "mongodb://u:secret@h/db?authMechanism=PLAIN", "list"}, ExitUsage, `leasectl: invalid -url: mgowire: invalid configuration: URL "mongodb://u:xxxxx@h/db?authMechanism=PLAIN": option authMechanism=PLAIN`},
		{[]string{"-json=maybe", "list"}, ExitUsage, `invalid boolean value "maybe" for -json`},
		{[]string{"-url", "x", "list", "-json"}, ExitUsage, `leasectl: flag -json after the subcommand "list": leasectl's flags go before it (leasectl -json ... list ...)`},
		{[]string{"-url", "x", "watch", "-interval", "2s", "--namespace=a"}, ExitUsage, `flag --namespace=a after the subcommand "watch": leasectl's flags go before it`},
		{[]string{"-url", "x", "revoke", "redis", "redis/0", "-writer", "me"}, ExitUsage, `flag -writer after the subcommand "revoke"`},
		{[]string{"-url", "x", "revoke", "-force", "-wait", "redis", "redis/0"}, ExitUsage, `revoke takes -force or -wait, not both`},
		{[]string{"-url", "x", "revoke", "redis", "redis/0", "-force"}, ExitUsage, `flag -force after revoke's arguments: it goes before them (leasectl ... revoke -force LEASE HOLDER)`},
		{[]string{"-url", "x", "revoke", "-later", "redis", "redis/0"}, ExitUsage, `revoke: flag provided but not defined: -later`},
		{[]string{"-url", "x", "revoke", "-wait", "redis"}, ExitUsage, `revoke takes LEASE HOLDER, got 1 arguments ["redis"]`},
	} {
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), c.args, &stdout, &stderr)
		if code != c.status || !strings.Contains(stderr.String(), c.stderr) || stdout.Len() != 0 {
			t.Errorf("%q: status %d, stdout %q, stderr %q; want %d and %q", c.args, code, stdout.String(), stderr.String(), c.status, c.stderr)
		}
		if strings.Contains(stderr.String(), "secret") {
			t.Errorf("%q: the password is in the error: %s", c.args, stderr.String())
		}
	}
}

func TestWriterId(t *testing.T) {
	for _, c := range []struct {
		given, host string
		hostErr     error
		want        string
	}{
		{"", "ops.example.com", nil, "leasectl-ops-example-com"},
		{"", "a b$c#d", nil, "leasectl-a-b-c-d"},
		{"", "a\x00b\xffc\u00a0d", nil, "leasectl-a-b-c-d"},
		{"", strings.Repeat("h", 300), nil, "leasectl-" + strings.Repeat("h", 256-len("leasectl-"))},
		{"", "", errors.New("no host"), "leasectl-unknown"},
		{"alice", "ignored", nil, "alice"},
	} {
		env := Env{Hostname: func() (string, error) { return c.host, c.hostErr }}
		if got, err := env.writerId(c.given); err != nil || got != c.want {
			t.Errorf("writerId(%q) on host %q: %q, %v; want %q", c.given, c.host, got, err, c.want)
		}
	}
}
