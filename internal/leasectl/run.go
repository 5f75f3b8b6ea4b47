package leasectl

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/seed07a61904/leadership/internal/stored"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/mgowire"
)

// Exit statuses of [Run].
const (
	// ExitOK: the command did what was asked.
	ExitOK = 0
	// ExitFailure: it could not (unreachable server, missing collection,
	// unknown namespace, refused revoke, corrupt documents, ...).
	ExitFailure = 1
	// ExitUsage: the command line is wrong (flags, URL, subcommand,
	// arguments).
	ExitUsage = 2
)

// usageText is printed for -help and after a usage error.
const usageText = `Usage: leasectl -url URL [flags] list|clock|watch|revoke|prune ...

Shows and fixes the leases of one namespace of a lease collection
(package lease's MongoDB schema), through package mgowire.

  leasectl [flags] list                  each lease: holder, expiry, time left, writer
  leasectl [flags] clock                 each writer: last time recorded, writes, clock offset
  leasectl [flags] watch [-interval 1s] [-count N]
                                         both, refreshed, with changes marked new/changed/gone
  leasectl [flags] revoke [-wait | -force] LEASE HOLDER
                                         remove LEASE if HOLDER still holds it and the
                                         lease has run out; -wait: wait until it has
                                         (refused if it is renewed); -force: remove it
                                         at once, although HOLDER may still act as
                                         leader until the lease would have run out
  leasectl [flags] prune [-min-age 1h]   remove the complete transactions of -txns that
                                         are older than -min-age and that no document
                                         names any more (lease.PruneTransactions)

Flags:
`

// usageTail follows the flags in the usage text.
const usageTail = `
Times on a writer's clock are as the writer recorded them. "Time left" is
at most that long from the read, on your clock: a writer's clock had
reached its last recorded time by the read, and may be further ahead.
A clock offset is a lower bound (writer's clock minus yours is at least
that); one read cannot bound it from above.

Exit status: 0 ok, 1 failure, 2 usage error.
`

// Env is what a run of leasectl uses of the world. Its zero value, with
// Stdout and Stderr set, is what the command uses.
type Env struct {
	// Stdout receives the output; Stderr errors and usage.
	Stdout, Stderr io.Writer

	// Clock is the operator's clock; nil means lease.SystemClock. Tests
	// set a fake one to drive watch.
	Clock lease.Clock

	// Hostname names the host for revoke's default writer id; nil means
	// os.Hostname.
	Hostname func() (string, error)

	// Resolver looks up a mongodb+srv -url's DNS records (see
	// mgowire.ParseURLWith); nil means the system's resolver. Tests set a
	// fake one.
	Resolver mgowire.Resolver
}

// Run runs leasectl with args (the command line without the program
// name), writing to stdout and stderr, and returns the exit status:
// [ExitOK], [ExitFailure] or [ExitUsage]. watch runs until ctx is done.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return Env{Stdout: stdout, Stderr: stderr}.Run(ctx, args)
}

// options are the global flags.
type options struct {
	url        string
	collection string
	namespace  string
	txns       string
	writer     string
	json       bool
	timeout    time.Duration
}

// usageError is a command-line mistake: exit status 2, with the usage.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// usagef returns a usageError.
func usagef(format string, args ...interface{}) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// Run is [Run] in env.
func (env Env) Run(ctx context.Context, args []string) int {
	if env.Clock == nil {
		env.Clock = lease.SystemClock{}
	}
	if env.Hostname == nil {
		env.Hostname = os.Hostname
	}
	fs := flag.NewFlagSet("leasectl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var opts options
	fs.StringVar(&opts.url, "url", "", "MongoDB connection string `URL`, mongodb://[user:pass@]host[:port][,...][/database][?options] or mongodb+srv://[user:pass@]host[/database][?options] (required; database default \"test\", as mgo)")
	fs.StringVar(&opts.collection, "collection", "leases", "the lease `collection`")
	fs.StringVar(&opts.namespace, "namespace", "service-leadership", "the `namespace` (lease.ClientConfig.Namespace)")
	fs.StringVar(&opts.txns, "txns", "txns", "revoke, prune: the mgo/txn `collection` the lease clients use; only a revoke through it fences their tokens (checked against the transactions the documents name)")
	fs.StringVar(&opts.writer, "writer", "", "revoke: the client `id` to write as, recorded in the clock document (default leasectl-HOST)")
	fs.BoolVar(&opts.json, "json", false, "print JSON (see the package doc for its shape)")
	fs.DurationVar(&opts.timeout, "timeout", 10*time.Second, "how long to wait for the server, and for each operation")
	printUsage := func() {
		fmt.Fprint(env.Stderr, usageText)
		fs.SetOutput(env.Stderr)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		fmt.Fprint(env.Stderr, usageTail)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage()
			return ExitOK
		}
		fmt.Fprintf(env.Stderr, "leasectl: %v\n", err)
		printUsage()
		return ExitUsage
	}
	err := env.dispatch(ctx, opts, fs.Args(), fs)
	var usage usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &usage):
		fmt.Fprintf(env.Stderr, "leasectl: %v\n", err)
		printUsage()
		return ExitUsage
	default:
		fmt.Fprintf(env.Stderr, "leasectl: %v\n", err)
		return ExitFailure
	}
}

// dispatch checks the command line and runs the subcommand. global holds
// leasectl's own flags, to recognise one given after the subcommand.
func (env Env) dispatch(ctx context.Context, opts options, args []string, global *flag.FlagSet) error {
	if len(args) == 0 {
		return usagef("missing subcommand: list, clock, watch, revoke or prune")
	}
	if err := misplacedFlag(global, args[0], args[1:]); err != nil {
		return err
	}
	if opts.timeout <= 0 {
		return usagef("invalid -timeout %v: must be positive", opts.timeout)
	}
	cmd, args := args[0], args[1:]
	var run func(context.Context, *conn) error
	switch cmd {
	case "list", "clock":
		if len(args) != 0 {
			return usagef("%s takes no arguments, got %q", cmd, args)
		}
		run = func(_ context.Context, c *conn) error { return env.show(c, opts, cmd) }
	case "watch":
		w, err := parseWatch(args)
		if err != nil {
			return err
		}
		run = func(ctx context.Context, c *conn) error { return env.watch(ctx, c, opts, w) }
	case "revoke":
		r, err := parseRevoke(args)
		if err != nil {
			return err
		}
		if err := checkRevokeArgs(args[0], args[1]); err != nil {
			return err
		}
		writer, err := env.writerId(opts.writer)
		if err != nil {
			return err
		}
		run = func(ctx context.Context, c *conn) error { return env.revoke(ctx, c, opts, writer, r) }
	case "prune":
		minAge, err := parsePrune(args)
		if err != nil {
			return err
		}
		run = func(_ context.Context, c *conn) error { return env.prune(c, opts, minAge) }
	default:
		return usagef("unknown subcommand %q: want list, clock, watch, revoke or prune", cmd)
	}
	if opts.url == "" {
		return usagef("missing -url")
	}
	c, err := connect(ctx, opts, env)
	if err != nil {
		return err
	}
	defer c.close()
	if err := c.checkNamespace(env.Clock); err != nil {
		return err
	}
	return run(ctx, c)
}

// misplacedFlag returns a usage error if args, the arguments of
// subcommand cmd, hold one of leasectl's own flags (-json, -url, ...),
// which go before the subcommand: the flag package stops at the first
// argument that is not a flag, so it would otherwise be taken for an
// argument, or for an unknown flag of watch.
func misplacedFlag(global *flag.FlagSet, cmd string, args []string) error {
	for _, arg := range args {
		if arg == "--" {
			return nil
		}
		name := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
		if name == arg || name == "" {
			continue
		}
		if i := strings.IndexByte(name, '='); i >= 0 {
			name = name[:i]
		}
		if global.Lookup(name) != nil {
			return usagef("flag %s after the subcommand %q: leasectl's flags go before it (leasectl -%s ... %s ...)", arg, cmd, name, cmd)
		}
	}
	return nil
}

// writerId returns the writer id for revoke: given, or leasectl-HOST with
// the characters a client id cannot hold replaced by '-' (and cut to the
// longest id the store takes).
func (env Env) writerId(given string) (string, error) {
	if given != "" {
		if err := stored.CheckString("id", given); err != nil {
			return "", usagef("-writer: %v", err)
		}
		return given, nil
	}
	host, err := env.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return stored.Sanitize("leasectl-" + host), nil
}
