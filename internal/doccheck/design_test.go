package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The design document, docs/design.md, holds the arguments that the
// package docs link to by section, as "docs/design.md#<section>". These
// tests keep those links and the document's own table of contents
// pointing at sections that exist.

// repoRoot is the repository's root, from this package's directory.
const repoRoot = "../.."

var (
	// designLinkRE matches a link into the design document from a Go
	// file or from the document itself.
	designLinkRE = regexp.MustCompile(`docs/design\.md#([a-z0-9-]+)`)
	// localLinkRE matches a link to a section of the same Markdown file.
	localLinkRE = regexp.MustCompile(`\]\(#([a-z0-9-]+)\)`)
	// slugDropRE matches what GitHub drops from a heading to make its
	// anchor: everything but letters, digits, spaces, hyphens and
	// underscores.
	slugDropRE = regexp.MustCompile(`[^a-z0-9 _-]`)
)

// designAnchors returns the anchors of the design document's headings,
// as GitHub makes them: lowercased, punctuation dropped, spaces made
// hyphens.
func designAnchors(t *testing.T) (map[string]bool, string) {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(repoRoot, "docs", "design.md"))
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	for _, line := range strings.Split(string(text), "\n") {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		heading := strings.TrimSpace(strings.TrimLeft(line, "#"))
		slug := slugDropRE.ReplaceAllString(strings.ToLower(heading), "")
		anchors[strings.ReplaceAll(slug, " ", "-")] = true
	}
	return anchors, string(text)
}

// TestDesignLinks: every "docs/design.md#<section>" in the Go files of every
// module, and every "(#section)" link inside the document, names a
// heading of docs/design.md.
func TestDesignLinks(t *testing.T) {
	anchors, doc := designAnchors(t)
	links := 0
	for _, m := range localLinkRE.FindAllStringSubmatch(doc, -1) {
		links++
		if !anchors[m[1]] {
			t.Errorf("docs/design.md links to #%s, which is no heading of it", m[1])
		}
	}
	err := walkGo(repoRoot, true, func(path string) error {
		text, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range designLinkRE.FindAllStringSubmatch(string(text), -1) {
			links++
			if !anchors[m[1]] {
				rel, _ := filepath.Rel(repoRoot, path)
				t.Errorf("%s links to docs/design.md#%s, which is no heading of docs/design.md", rel, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The check must see the links there are.
	if links == 0 {
		t.Error("found no link into docs/design.md: the pattern no longer matches how the docs write them")
	}
}
