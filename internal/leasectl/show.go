package leasectl

import (
	"fmt"
	"io"
)

// show runs list (cmd "list") or clock (cmd "clock"): one read, one
// report. It fails, after printing everything, if any document could not
// be used.
func (env Env) show(c *conn, opts options, cmd string) error {
	snap, err := c.inspect(env.Clock)
	if err != nil {
		return fmt.Errorf("cannot read namespace %q: %w", c.namespace, err)
	}
	r := newReport(snap, c.coll, cmd == "list", cmd == "clock", nil)
	if opts.json {
		if err := writeJSON(env.Stdout, r.toJSON(0)); err != nil {
			return err
		}
	} else {
		writeReport(env.Stdout, r, cmd == "list", cmd == "clock", false, true)
	}
	return problemsError(r)
}

// writeReport writes r as text: its leases if leases, its writers if
// writers, with CHANGE columns if marks, and notes on what the estimates
// mean if notes.
func writeReport(w io.Writer, r report, leases, writers, marks, notes bool) {
	writeHeader(w, r)
	if leases {
		writeLeases(w, r.Leases, marks)
		if notes {
			fmt.Fprint(w, leaseNote)
		}
	}
	if writers {
		writeWriters(w, r.Writers, marks)
		if notes {
			fmt.Fprint(w, clockNote)
		}
	}
	writeProblems(w, r.Problems)
}

// problemsError returns an error if r reports documents that could not be
// used.
func problemsError(r report) error {
	if n := len(r.Problems); n > 0 {
		return fmt.Errorf("%d document(s) in namespace %q could not be used; the first: %s: %s",
			n, r.Namespace, r.Problems[0].Document, r.Problems[0].Error)
	}
	return nil
}
