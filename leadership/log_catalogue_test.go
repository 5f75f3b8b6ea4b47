package leadership_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/observetest"
)

// LogCatalogueSuite checks the catalogue of log lines in
// docs/operations.md against the code, the README and the lines the tests
// record.
type LogCatalogueSuite struct{}

var _ = gc.Suite(&LogCatalogueSuite{})

// The log lines' catalogue is "Log lines" in docs/operations.md. These
// tests check it against the LogMessage constants and the attribute keys
// of logs.go, and check every line the tests record against it (see
// checkCatalogued); the README, the package doc and the rest of docs/ may
// quote messages, but only ones in the catalogue.

// catalogueFile is the document that holds the catalogue, and
// catalogueHeading the heading of its section.
const (
	catalogueFile    = "../docs/operations.md"
	catalogueHeading = "\n## Log lines\n"
)

// catalogue is what "Log lines" in docs/operations.md says.
type catalogue struct {
	// messages are the messages, in the order listed.
	messages []string
	// levels are the levels each message is written at.
	levels map[string][]slog.Level
	// keys are the attribute keys.
	keys map[string]bool
}

var (
	// bulletRE matches a catalogue entry: its quoted messages and, in
	// brackets, their levels.
	bulletRE = regexp.MustCompile(`^((?:"[^"]+", )*"[^"]+") \(([a-z, ]+)\)`)
	quotedRE = regexp.MustCompile(`"([^"]+)"`)
)

// docLevels maps the level names of the catalogue to slog's levels.
var docLevels = map[string]slog.Level{
	"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError,
}

// packageDoc returns the text of the package doc, in doc.go.
func packageDoc() (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		return "", err
	}
	if f.Doc == nil {
		return "", errors.New("doc.go has no package doc")
	}
	return f.Doc.Text(), nil
}

// parseCatalogue reads the catalogue from the "Log lines" section of
// docs/operations.md: the bullets, each `- "msg", "msg" (level, level):
// ...`, and the paragraph on attributes, whose quoted words are the keys
// (and the messages it names).
func parseCatalogue() (catalogue, error) {
	c := catalogue{levels: map[string][]slog.Level{}, keys: map[string]bool{}}
	doc, err := os.ReadFile(catalogueFile)
	if err != nil {
		return c, err
	}
	_, section, ok := strings.Cut(string(doc), catalogueHeading)
	if !ok {
		return c, fmt.Errorf(`%s has no "Log lines" section`, catalogueFile)
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	var bullets []string
	for _, line := range strings.Split(section, "\n") {
		switch {
		case strings.HasPrefix(line, "- "):
			bullets = append(bullets, strings.TrimPrefix(line, "- "))
		case strings.HasPrefix(line, "  ") && len(bullets) > 0:
			bullets[len(bullets)-1] += " " + strings.TrimSpace(line)
		}
	}
	if len(bullets) == 0 {
		return c, fmt.Errorf("%s's \"Log lines\" has no list:\n%s", catalogueFile, section)
	}
	for _, b := range bullets {
		m := bulletRE.FindStringSubmatch(b)
		if m == nil {
			return c, fmt.Errorf("catalogue entry %q does not start with its quoted messages and (levels)", b)
		}
		var levels []slog.Level
		for _, name := range strings.Split(m[2], ", ") {
			level, ok := docLevels[name]
			if !ok {
				return c, fmt.Errorf("catalogue entry %q: unknown level %q", b, name)
			}
			levels = append(levels, level)
		}
		for _, q := range quotedRE.FindAllStringSubmatch(m[1], -1) {
			if _, dup := c.levels[q[1]]; dup {
				return c, fmt.Errorf("the catalogue lists %q twice", q[1])
			}
			c.messages = append(c.messages, q[1])
			c.levels[q[1]] = levels
		}
	}
	_, attrs, ok := strings.Cut(section, "A line carries the attributes")
	if !ok {
		return c, fmt.Errorf(`%s's "Log lines" has no paragraph "A line carries the attributes ..."`, catalogueFile)
	}
	attrs, _, _ = strings.Cut(attrs, "\n\n")
	for _, q := range quotedRE.FindAllStringSubmatch(attrs, -1) {
		if _, isMessage := c.levels[q[1]]; !isMessage {
			c.keys[q[1]] = true
		}
	}
	return c, nil
}

// catalogued returns the catalogue, read once for all the
// tests that need it.
var catalogued = sync.OnceValues(parseCatalogue)

// checkCatalogued fails the test unless every line logs holds has a
// message of the catalogue, one of the levels it gives that message, and
// attribute keys it lists.
func checkCatalogued(c *gc.C, logs *observetest.Handler) {
	cat, err := catalogued()
	if err != nil {
		c.Fatal(err)
	}
	for _, r := range logs.Records() {
		levels, ok := cat.levels[r.Message]
		if !ok {
			c.Errorf("line %v: its message is not in the catalogue of %s", r, catalogueFile)
			continue
		}
		found := false
		for _, l := range levels {
			found = found || l == r.Level
		}
		if !found {
			c.Errorf("line %v: level %v, but the catalogue gives %q %v", r, r.Level, r.Message, levels)
		}
		for key := range r.Attrs {
			if !cat.keys[key] {
				c.Errorf("line %v: attribute %q is not among the catalogue's keys", r, key)
			}
		}
	}
}

// sourceConsts returns, in source order, the string constants of the
// package's non-test files declared with type typeName, or (typeName "")
// the untyped ones whose names start with prefix, as names and values.
func sourceConsts(c *gc.C, typeName, prefix string) (names, values []string) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		c.Fatal(err)
	}
	sort.Strings(files)
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			c.Fatal(err)
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.CONST {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				typ, _ := vs.Type.(*ast.Ident)
				for i, name := range vs.Names {
					if typeName != "" && (typ == nil || typ.Name != typeName) {
						continue
					}
					if typeName == "" && (vs.Type != nil || !strings.HasPrefix(name.Name, prefix)) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						c.Fatalf("%s: constant %s is not a string literal", file, name.Name)
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						c.Fatal(err)
					}
					names, values = append(names, name.Name), append(values, v)
				}
			}
		}
	}
	return names, values
}

// TestLogCatalogue: the catalogue lists the LogMessage
// constants, each once and in their order, and the attribute keys of
// logs.go (its constants key...).
func (s *LogCatalogueSuite) TestLogCatalogue(c *gc.C) {
	cat, err := catalogued()
	if err != nil {
		c.Fatal(err)
	}
	names, messages := sourceConsts(c, "LogMessage", "")
	if len(messages) == 0 {
		c.Fatal("no LogMessage constants found")
	}
	if !reflect.DeepEqual(cat.messages, messages) {
		c.Errorf("the catalogue in %s lists\n  %q\nthe LogMessage constants %v are\n  %q", catalogueFile, cat.messages, names, messages)
	}
	_, keys := sourceConsts(c, "", "key")
	want := map[string]bool{}
	for _, k := range keys {
		want[k] = true
	}
	if len(want) == 0 || !reflect.DeepEqual(cat.keys, want) {
		c.Errorf("the catalogue's attribute keys are %v; logs.go's are %v", sortedKeys(cat.keys), sortedKeys(want))
	}
}

// logMentionRE matches a quoted string that a text presents as a log
// line: one that follows "log", "logs" or "logged" in the same sentence,
// within a few words.
var logMentionRE = regexp.MustCompile(`\blog(?:s|ged)?\s[^."]{0,40}"([^"]+)"`)

// TestLogMentions: where the README, a document in docs/ (outside the
// catalogue) or the package doc quotes a log line, it quotes a message of
// the catalogue.
func (s *LogCatalogueSuite) TestLogMentions(c *gc.C) {
	cat, err := catalogued()
	if err != nil {
		c.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		c.Fatal(err)
	}
	doc, err := packageDoc()
	if err != nil {
		c.Fatal(err)
	}
	texts := map[string]string{
		"README.md":       string(readme),
		"the package doc": doc,
	}
	docs, err := filepath.Glob("../docs/*.md")
	if err != nil {
		c.Fatal(err)
	}
	for _, name := range docs {
		text, err := os.ReadFile(name)
		if err != nil {
			c.Fatal(err)
		}
		if name == catalogueFile {
			before, section, _ := strings.Cut(string(text), catalogueHeading)
			_, after, _ := strings.Cut(section, "\n## ")
			text = []byte(before + "\n## " + after)
		}
		texts[strings.TrimPrefix(name, "../")] = string(text)
	}
	seen := 0
	for name, text := range texts {
		for _, m := range logMentionRE.FindAllStringSubmatch(strings.Join(strings.Fields(text), " "), -1) {
			seen++
			if _, ok := cat.levels[m[1]]; !ok {
				c.Errorf("%s quotes %q as a log line (in %q); the catalogue has no such message", name, m[1], m[0])
			}
		}
	}
	// The check must see the mentions there are.
	if seen == 0 {
		c.Error("found no quoted log line in README.md, docs/ or the package doc: the pattern no longer matches how they quote them")
	}
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys(m map[string]bool) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
