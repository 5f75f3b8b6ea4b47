package main

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeShowsThisProgram checks that README.md shows main.go exactly,
// as one ```go block, so that the usage example users copy is the one the
// compiler checks.
func TestReadmeShowsThisProgram(t *testing.T) {
	program, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlocks(string(readme))
	for _, block := range blocks {
		if block == string(program) {
			return
		}
	}
	t.Errorf("README.md has %d ```go blocks, and none is examples/usage/main.go; paste the file between ```go and ``` lines", len(blocks))
}

// goBlocks returns the contents of the ```go fenced blocks of a Markdown
// text, each ending with a newline.
func goBlocks(markdown string) []string {
	var blocks []string
	var block *strings.Builder
	for _, line := range strings.SplitAfter(markdown, "\n") {
		switch trimmed := strings.TrimRight(line, "\r\n"); {
		case block == nil && trimmed == "```go":
			block = &strings.Builder{}
		case block != nil && trimmed == "```":
			blocks = append(blocks, block.String())
			block = nil
		case block != nil:
			block.WriteString(line)
		}
	}
	return blocks
}
