// Command mongotest-server runs the embedded test server of package
// mongotest (FerretDB behind a proxy that speaks as MongoDB 6.0 and later
// do) in the foreground, on a free loopback port, until interrupted
// (Ctrl-C or SIGTERM), and prints the URL to give mgowire.Dial, the
// usage example and leasectl -url. Its data lives in a temporary
// directory, removed when it stops. make db runs it.
//
// With LEADERSHIP_MONGO_URL set, it uses a new database on that server
// instead (see package mongotest), dropped when it stops.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/seed07a61904/leadership/integration/internal/connstr"
	"github.com/seed07a61904/leadership/integration/mongotest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mongotest-server:", err)
		os.Exit(1)
	}
}

// run starts the server, prints its URL and what to try on out, and
// closes the server when ctx is done.
func run(ctx context.Context, out io.Writer) error {
	server, err := mongotest.Start()
	if err != nil {
		return err
	}
	url := server.URL()
	// Quoted for the shell: a URL from LEADERSHIP_MONGO_URL may have
	// options, whose '&' would end the command.
	q := connstr.ShellQuote(url)
	fmt.Fprintf(out, `embedded database, up until Ctrl-C (which removes its data), at
  %s

Try, from the repository root, in another terminal:
  go run ./examples/usage %s
  go run ./cmd/leasectl -url %s list
  go run ./cmd/leasectl -url %s watch
(leasectl finds no leases until a program such as the usage example has
claimed some; the demo, make demo DEMOFLAGS="-mongo %s", uses
a database of its own there, and drops it when it ends)
`, url, q, q, q, q)
	<-ctx.Done()
	fmt.Fprintln(out, "stopping: removing the database")
	return server.Close()
}
