package stored_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/seed07a61904/leadership/internal/stored"
)

// TestCheckString is the table of the string rule that package lease and
// package leasetest both apply: each value, and the whole message.
func TestCheckString(t *testing.T) {
	const rule = "1 to 256 bytes of UTF-8 text with no '.', '$', '#', white space or control characters"
	for _, c := range []struct {
		what, value string
		want        string // "" for valid
	}{
		{"id", "controller-0", ""},
		{"id", "ctl_1:2@x/y", ""},
		{"id", "контроллер-1", ""},
		{"id", "\ufffd", ""}, // the replacement character itself is valid UTF-8
		{"id", strings.Repeat("x", 256), ""},
		{"id", strings.Repeat("é", 128), ""},
		{"id", "", `invalid id "": empty; an id must be ` + rule},
		{"id", "ctl-1.example.com", `invalid id "ctl-1.example.com": '.' at byte 5 (use "ctl-1-example-com" instead); an id must be ` + rule},
		{"id", "a$b", `invalid id "a$b": '$' at byte 1 (use "a-b" instead); an id must be ` + rule},
		{"id", "a#b", `invalid id "a#b": '#' at byte 1 (use "a-b" instead); an id must be ` + rule},
		{"id", "controller\x00a", `invalid id "controller\x00a": control character U+0000 at byte 10 (use "controller-a" instead); an id must be ` + rule},
		{"id", "a\x7fb", `invalid id "a\x7fb": control character U+007F at byte 1 (use "a-b" instead); an id must be ` + rule},
		{"id", "a\u0085b", `invalid id "a\u0085b": white space U+0085 at byte 1 (use "a-b" instead); an id must be ` + rule},
		{"id", "a\u00a0b", `invalid id "a\u00a0b": white space U+00A0 at byte 1 (use "a-b" instead); an id must be ` + rule},
		{"id", "controller\xffa", `invalid id "controller\xffa": invalid UTF-8 at byte 10 (use "controller-a" instead); an id must be ` + rule},
		{"id", "é\xc3", `invalid id "é\xc3": invalid UTF-8 at byte 2 (use "é-" instead); an id must be ` + rule},
		{"holder", "redis 0", `invalid holder "redis 0": white space U+0020 at byte 5 (use "redis-0" instead); a holder must be ` + rule},
		{"lease name", "\t", `invalid lease name "\t": white space U+0009 at byte 0 (use "-" instead); a lease name must be ` + rule},
		{"namespace", strings.Repeat("n", 257), `invalid namespace "` + strings.Repeat("n", 64) + `"... (257 bytes): 257 bytes, more than 256; a namespace must be ` + rule},
		// Too long and a bad character: the length is reported, with no
		// suggestion (a cut value is no fix).
		{"collection", strings.Repeat(".", 300), `invalid collection "` + strings.Repeat(".", 64) + `"... (300 bytes): 300 bytes, more than 256; a collection must be ` + rule},
	} {
		err := stored.CheckString(c.what, c.value)
		if c.want == "" {
			if err != nil {
				t.Errorf("CheckString(%q, %q) = %v, want nil", c.what, c.value, err)
			}
			continue
		}
		if err == nil || err.Error() != c.want {
			t.Errorf("CheckString(%q, %q) = %v,\nwant %s", c.what, c.value, err, c.want)
		}
		if !errors.Is(err, stored.ErrInvalidArgument) {
			t.Errorf("CheckString(%q, %q) = %v, which is not ErrInvalidArgument", c.what, c.value, err)
		}
	}
	if !strings.Contains(stored.StringRule, strconv.Itoa(stored.MaxStringLen)) {
		t.Errorf("StringRule %q does not state MaxStringLen %d", stored.StringRule, stored.MaxStringLen)
	}
}

// TestSanitize: what Sanitize makes is valid, and as close to the input as
// the rule allows.
func TestSanitize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ops.example.com", "ops-example-com"},
		{"a b$c#d\te\x00f\xffg\u00a0h", "a-b-c-d-e-f-g-h"},
		{"plain", "plain"},
		{strings.Repeat("x", 300), strings.Repeat("x", 256)},
		{strings.Repeat("x", 255) + "é", strings.Repeat("x", 255)}, // no half a character
	} {
		got := stored.Sanitize(c.in)
		if got != c.want {
			t.Errorf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
		}
		if err := stored.CheckString("id", got); err != nil {
			t.Errorf("Sanitize(%q) = %q, which is invalid: %v", c.in, got, err)
		}
	}
}

// TestCheckStored: the check of stored holders and writers is the rule
// earlier versions wrote by, so that their leases still read: a long
// holder, or one with a character the input rule refuses but they did not
// (NUL, other white space), is not corrupt.
func TestCheckStored(t *testing.T) {
	for _, c := range []struct {
		value string
		want  error
	}{
		{"redis/0", nil},
		{strings.Repeat("x", 1000), nil},
		{"a\x00b", nil},
		{"a\u00a0b", nil},
		{"", stored.ErrEmptyString},
		{"a.b", stored.ErrForbiddenChar},
		{"a$b", stored.ErrForbiddenChar},
		{"a#b", stored.ErrForbiddenChar},
		{"a b", stored.ErrForbiddenChar},
		{"a\nb", stored.ErrForbiddenChar},
	} {
		if got := stored.CheckStored(c.value); got != c.want {
			t.Errorf("CheckStored(%q) = %v, want %v", c.value, got, c.want)
		}
	}
}

// TestQuote: a long value is cut in messages.
func TestQuote(t *testing.T) {
	if got, want := stored.Quote("short"), `"short"`; got != want {
		t.Errorf("Quote = %s, want %s", got, want)
	}
	long := strings.Repeat("a", 17<<20)
	if got, want := stored.Quote(long), `"`+strings.Repeat("a", 64)+`"... (17825792 bytes)`; got != want {
		t.Errorf("Quote of 17MiB = %s, want %s", got, want)
	}
}

// TestInvalidf: the message is the caller's, and it matches
// ErrInvalidArgument.
func TestInvalidf(t *testing.T) {
	err := stored.Invalidf("invalid duration %s: must be positive", "0s")
	if err.Error() != "invalid duration 0s: must be positive" || !errors.Is(err, stored.ErrInvalidArgument) {
		t.Errorf("Invalidf: %v", err)
	}
}
