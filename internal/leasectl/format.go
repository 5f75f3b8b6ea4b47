package leasectl

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// timeFormat shows times in the tables: UTC, to the millisecond.
const timeFormat = "2006-01-02T15:04:05.000Z"

// Notes under the tables, saying what the estimates mean.
const (
	leaseNote = "TIME LEFT: at most this long after the read, on your clock (the writer's clock had reached its last write by then, and may be further ahead); expired: the writer's own clock has passed the expiry.\n"
	clockNote = "OFFSET: the writer's clock minus yours is at least this (its last write minus the end of the read); one read gives no upper bound.\n"
)

// writeJSON writes v as one line of JSON.
func writeJSON(w io.Writer, v interface{}) error {
	return json.NewEncoder(w).Encode(v)
}

// writeHeader writes the line that says what was read, and when.
func writeHeader(w io.Writer, r report) {
	fmt.Fprintf(w, "namespace %q in collection %q, read at %s on your clock\n",
		r.Namespace, r.Collection, r.ReadBefore.Format(timeFormat))
}

// writeLeases writes the table of leases, with a CHANGE column if marks.
func writeLeases(w io.Writer, rows []leaseRow, marks bool) {
	writeTable(w, "LEASE\tHOLDER\tTERM\tEXPIRY (WRITER'S CLOCK)\tTIME LEFT\tWRITER", len(rows), marks, "(no leases held)",
		func(i int) (string, string) {
			l := rows[i]
			return fmt.Sprintf("%s\t%s\t%d\t%s\t%s\t%s", l.Name, l.Holder, l.Term, l.Expiry.Format(timeFormat), timeLeft(l), l.Writer), l.Change
		})
}

// timeLeft is a lease's TIME LEFT cell.
func timeLeft(l leaseRow) string {
	switch {
	case l.Change == changeGone:
		return "-"
	case l.LeftAtMost == nil:
		return "unknown (no clock data)"
	case l.Expired:
		return "expired"
	}
	return "at most " + duration(*l.LeftAtMost)
}

// writeWriters writes the table of writers, with a CHANGE column if marks.
func writeWriters(w io.Writer, rows []writerRow, marks bool) {
	writeTable(w, "WRITER\tLAST WRITE (ITS CLOCK)\tWRITES\tOFFSET FROM YOUR CLOCK", len(rows), marks, "(no writers recorded)",
		func(i int) (string, string) {
			r := rows[i]
			return fmt.Sprintf("%s\t%s\t%d\tat least %s", r.Writer, r.LastWrite.Format(timeFormat), r.Writes, signed(r.OffsetAtLeast)), r.Change
		})
}

// writeTable writes a table of n rows under header (tab-separated cells),
// row i's cells and change coming from row; with a CHANGE column holding
// the changes if marks, and the line none below an empty table.
func writeTable(w io.Writer, header string, n int, marks bool, none string, row func(i int) (cells, change string)) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprint(tw, header)
	if marks {
		fmt.Fprint(tw, "\tCHANGE")
	}
	fmt.Fprintln(tw)
	for i := 0; i < n; i++ {
		cells, change := row(i)
		fmt.Fprint(tw, cells)
		if marks {
			fmt.Fprintf(tw, "\t%s", change)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	if n == 0 {
		fmt.Fprintln(w, none)
	}
}

// writeProblems writes the documents that could not be used, if any.
func writeProblems(w io.Writer, rows []problemRow) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, "PROBLEMS (documents a lease client would refuse):")
	for _, p := range rows {
		fmt.Fprintf(w, "  %s: %s\n", p.Document, p.Error)
	}
}

// duration formats seconds as a time.Duration, to the millisecond.
func duration(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond).String()
}

// signed formats seconds with a sign.
func signed(s float64) string {
	if s >= 0 {
		return "+" + duration(s)
	}
	return duration(s)
}
