package leadership_test

import (
	"fmt"
	"os"
	"strings"

	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// ReadmeNamesSuite checks the names the README uses.
type ReadmeNamesSuite struct{}

var _ = gc.Suite(&ReadmeNamesSuite{})

// TestReadmeNames checks that the README's line on names states the
// limits the code applies.
func (s *ReadmeNamesSuite) TestReadmeNames(c *gc.C) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		c.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "**Names.**")
	if start < 0 {
		c.Fatal(`README.md has no "**Names.**" paragraph`)
	}
	paragraph := text[start:]
	if end := strings.Index(paragraph, "\n\n"); end >= 0 {
		paragraph = paragraph[:end]
	}
	paragraph = strings.Join(strings.Fields(paragraph), " ")
	for _, want := range []string{
		fmt.Sprintf("A service name is 1 to %d bytes", leadership.MaxServiceNameLen),
		fmt.Sprintf("a number of at most %d digits", leadership.MaxUnitNumberDigits),
		fmt.Sprintf("is 1 to %d bytes of UTF-8", lease.MaxStringLen),
		"leadership.ErrInvalidArgument",
	} {
		if !strings.Contains(paragraph, want) {
			c.Errorf("README.md's names paragraph does not say %q:\n%s", want, paragraph)
		}
	}
}
