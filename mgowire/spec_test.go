package mgowire

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	mgo "gopkg.in/mgo.v2"

	"github.com/seed07a61904/leadership/internal/wiretest"
)

// The conformance suite: every case of the test files of MongoDB's
// specifications in testdata/spec (see its README) passes, or is listed in
// specRefusals with the reason it does not (and then must not pass). Each
// file's counts are logged, and a summary line at the end:
//
//	go test -run TestSpec -v ./mgowire/

// specOutcome is what one case came to: passed, or why not.
type specOutcome struct {
	file, name string
	failure    string // "" if the case passed
}

// key names the case in specRefusals.
func (o specOutcome) key() string {
	if o.name == "" {
		return o.file
	}
	return o.file + ": " + o.name
}

// specTally checks each outcome against specRefusals and logs the counts
// per file.
type specTally struct {
	t      *testing.T
	counts map[string]*[2]int // file: passed, refused
	seen   map[string]bool
}

func newSpecTally(t *testing.T) *specTally {
	return &specTally{t: t, counts: map[string]*[2]int{}, seen: map[string]bool{}}
}

func (st *specTally) record(o specOutcome) {
	st.t.Helper()
	c := st.counts[o.file]
	if c == nil {
		c = new([2]int)
		st.counts[o.file] = c
	}
	k := o.key()
	if st.seen[k] {
		st.t.Errorf("two cases named %q", k)
	}
	st.seen[k] = true
	reason, listed := specRefusals[k]
	switch {
	case o.failure == "" && listed:
		st.t.Errorf("%s: passes, but is listed as refused (%s): remove it from specRefusals", k, reason)
	case o.failure == "":
		c[0]++
	case !listed:
		st.t.Errorf("%s: %s", k, o.failure)
	default:
		c[1]++
	}
}

// done logs the counts and checks that every listed refusal was met.
func (st *specTally) done(prefixes ...string) (passed, refused int) {
	files := make([]string, 0, len(st.counts))
	for f := range st.counts {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		c := st.counts[f]
		st.t.Logf("%-72s %3d passed, %3d refused", f, c[0], c[1])
		passed, refused = passed+c[0], refused+c[1]
	}
	for k := range specRefusals {
		for _, prefix := range prefixes {
			if strings.HasPrefix(k, prefix) && !st.seen[k] {
				st.t.Errorf("specRefusals lists %q, which is no case", k)
			}
		}
	}
	return passed, refused
}

// specFiles returns the JSON files under testdata/spec/dir, relative to
// testdata/spec.
func specFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join("testdata", "spec", dir), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
			rel, _ := filepath.Rel(filepath.Join("testdata", "spec"), path)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files under testdata/spec/%s: %v", dir, err)
	}
	sort.Strings(files)
	return files
}

// readSpec decodes testdata/spec/file into v.
func readSpec(t *testing.T, file string, v interface{}) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "spec", file))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// runFileCases runs the specification files under testdata/spec/dir whose
// each file is one case of type C, and returns the tally's counts, as
// specTally.done does for that directory.
func runFileCases[C interface{ check() string }](t *testing.T, dir string) (passed, refused int) {
	t.Helper()
	st := newSpecTally(t)
	for _, file := range specFiles(t, dir) {
		var c C
		readSpec(t, file, &c)
		st.record(specOutcome{file: file, failure: c.check()})
	}
	return st.done(dir + "/")
}

// countingHandler is a slog.Handler that counts the records it gets and
// keeps the last.
type countingHandler struct {
	n    atomic.Int64
	last atomic.Value // string
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	h.n.Add(1)
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool { msg += " " + a.String(); return true })
	h.last.Store(msg)
	return nil
}
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }

// parsed is the outcome of parsing one URL of a case.
type parsed struct {
	info     *mgo.DialInfo
	opts     Options
	err      error
	warnings int
	lastWarn string
}

// parseSpecURL parses uri with the seedlist tests' DNS records behind a
// fake resolver, and counts the warnings.
func parseSpecURL(uri string) parsed {
	h := &countingHandler{}
	info, opts, err := ParseURLWith(uri, Options{Logger: slog.New(h), Resolver: specResolver{}})
	p := parsed{info: info, opts: opts, err: err, warnings: int(h.n.Load())}
	if s, ok := h.last.Load().(string); ok {
		p.lastWarn = s
	}
	return p
}

// specFilesInstalled replaces readFile, for the files that the tests'
// URLs name (ca.pem, cert.pem), with a CA certificate and a client
// certificate with its key, made for the test; other names are not found.
func specFilesInstalled(t *testing.T) {
	cert, err := wiretest.NewCert(nil)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := cert.CertPEM
	files := map[string][]byte{
		"ca.pem":   certPEM,
		"cert.pem": append(append([]byte{}, certPEM...), cert.KeyPEM...),
	}
	old := readFile
	readFile = func(name string) ([]byte, error) {
		if b, ok := files[name]; ok {
			return b, nil
		}
		return nil, fmt.Errorf("open %s: %w", name, os.ErrNotExist)
	}
	t.Cleanup(func() { readFile = old })
}

// wantInvalid returns "" if p is refused with ErrInvalid, as a case whose
// URL the spec calls invalid must be.
func (p parsed) wantInvalid() string {
	if p.err == nil {
		return "accepted, but the spec says the URL is invalid"
	}
	if !errors.Is(p.err, ErrInvalid) {
		return fmt.Sprintf("refused, but not with ErrInvalid: %v", p.err)
	}
	return ""
}

// wantValid returns "" if p was accepted with a warning exactly when
// warning is true.
func (p parsed) wantValid(warning bool) string {
	switch {
	case p.err != nil:
		return fmt.Sprintf("refused: %v", p.err)
	case warning && p.warnings == 0:
		return "accepted without the warning that the spec asks for"
	case !warning && p.warnings > 0:
		return fmt.Sprintf("accepted, with a warning that the spec does not expect: %s", p.lastWarn)
	}
	return ""
}
