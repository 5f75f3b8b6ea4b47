package leaseprom_test

import (
	"os"
	"strings"
	"testing"
)

// readmeMarker is the line in the repository's docs/operations.md (the
// operators' part of the README) that comes just before its metrics
// example.
const readmeMarker = "<!-- metrics example: lines of prometheus/example_test.go -->"

// TestReadmeExampleIsFromExample checks that every line of
// docs/operations.md's metrics example is a line of Example
// (example_test.go), in the same order, so that the fragment users copy is
// one the compiler checks.
func TestReadmeExampleIsFromExample(t *testing.T) {
	readme, err := os.ReadFile("../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), readmeMarker+"\n```go\n")
	if !ok {
		t.Fatalf("docs/operations.md has no %q line followed by a ```go block", readmeMarker)
	}
	block, _, ok := strings.Cut(after, "\n```\n")
	if !ok {
		t.Fatal("docs/operations.md's metrics example has no closing ```")
	}
	source := trimmedLines(string(example))
	next := 0
	for _, line := range trimmedLines(block) {
		for next < len(source) && source[next] != line {
			next++
		}
		if next == len(source) {
			t.Fatalf("docs/operations.md's metrics example line %q is not a line of example_test.go after the lines before it", line)
		}
		next++
	}
}

// trimmedLines returns the lines of text without leading and trailing
// white space, leaving out empty ones.
func trimmedLines(text string) []string {
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}
