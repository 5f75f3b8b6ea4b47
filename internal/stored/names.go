package stored

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxStringLen is the most bytes a lease name, holder, client id,
// namespace or collection name may have (see [CheckString]). Every such
// string ends up in the documents of each write: a client id is a field
// name of the clock document, a lease name is part of a document id and of
// every transaction that names the lease. Unbounded, one long string makes
// a transaction that the server refuses (MongoDB documents and commands
// are at most 16MiB), an error that no retry mends.
const MaxStringLen = 256

// forbiddenChars are the characters, besides white space and control
// characters, that no lease name, holder, client id, namespace or
// collection may contain: '.' and '$' are special in MongoDB field names
// (a client id is a field name of the clock document, and an update of
// "writers.a.b" would write the field b of a sub-document a), and '#'
// separates the parts of document ids.
const forbiddenChars = ".$#"

// StringRule is what [CheckString] accepts, as its errors state it.
const StringRule = "1 to 256 bytes of UTF-8 text with no '.', '$', '#', white space or control characters"

var (
	// ErrInvalidArgument is matched, with errors.Is, by every error
	// [CheckString] returns. Package lease exports it as
	// lease.ErrInvalidArgument.
	ErrInvalidArgument = errors.New("invalid argument")

	// ErrEmptyString is returned by [CheckStored] for an empty string.
	ErrEmptyString = errors.New("string is empty")
	// ErrForbiddenChar is returned by [CheckStored] for a string with a
	// forbidden character.
	ErrForbiddenChar = errors.New("string contains forbidden characters")
)

// CheckString returns nil if s may be used as a lease name, holder, client
// id, namespace or collection name: [StringRule]. Otherwise it returns an
// error matching [ErrInvalidArgument] that names what s is for (what: "id",
// "lease name", ...), quotes s (its first 64 bytes if it is longer), says
// what is wrong and at which byte, and states the rule; for example
//
//	invalid id "ctl-1.example.com": '.' at byte 5 (use "ctl-1-example-com"
//	instead); an id must be 1 to 256 bytes of UTF-8 text with no '.', '$',
//	'#', white space or control characters
//
// Package lease and package leasetest both check every such string with
// it, where it enters, so that they accept and refuse the same values with
// the same errors.
func CheckString(what, s string) error {
	problem := stringProblem(s)
	if problem == "" {
		return nil
	}
	if fixed := Sanitize(s); len(s) <= MaxStringLen && fixed != s && stringProblem(fixed) == "" {
		problem += fmt.Sprintf(" (use %q instead)", fixed)
	}
	return &stringError{what: what, value: s, problem: problem}
}

// stringProblem returns what breaks [StringRule] in s, or "".
func stringProblem(s string) string {
	if s == "" {
		return "empty"
	}
	if len(s) > MaxStringLen {
		return fmt.Sprintf("%d bytes, more than %d", len(s), MaxStringLen)
	}
	for i, r := range s {
		switch {
		case NotUTF8(s, i, r):
			return fmt.Sprintf("invalid UTF-8 at byte %d", i)
		case strings.ContainsRune(forbiddenChars, r):
			return fmt.Sprintf("%q at byte %d", r, i)
		case unicode.IsSpace(r):
			return fmt.Sprintf("white space %U at byte %d", r, i)
		case unicode.IsControl(r):
			return fmt.Sprintf("control character %U at byte %d", r, i)
		}
	}
	return ""
}

// NotUTF8 reports whether r, the rune that ranging over s gives at byte
// i, stands for a byte that is not UTF-8, rather than for an encoded
// U+FFFD, which is valid.
func NotUTF8(s string, i int, r rune) bool {
	return r == utf8.RuneError && !strings.HasPrefix(s[i:], string(utf8.RuneError))
}

// Sanitize returns s with every character [CheckString] refuses (and
// every byte that is not UTF-8) replaced by '-', cut to [MaxStringLen]
// bytes: a valid string, unless s is empty. It makes a client id of a
// host name ("ctl-1.example.com" becomes "ctl-1-example-com").
func Sanitize(s string) string {
	var b strings.Builder
	for i, r := range s {
		if NotUTF8(s, i, r) || strings.ContainsRune(forbiddenChars, r) || unicode.IsSpace(r) || unicode.IsControl(r) {
			r = '-'
		}
		if b.Len()+utf8.RuneLen(r) > MaxStringLen {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// stringError is the error [CheckString] returns.
type stringError struct {
	what, value, problem string
}

func (e *stringError) Error() string {
	return fmt.Sprintf("invalid %s %s: %s; %s %s must be %s", e.what, Quote(e.value), e.problem, article(e.what), e.what, StringRule)
}

// Unwrap makes errors.Is(err, ErrInvalidArgument) true.
func (e *stringError) Unwrap() error {
	return ErrInvalidArgument
}

// quoteLen is how many bytes of a long value [Quote] shows.
const quoteLen = 64

// Quote returns s quoted as by %q, for an error message; a value longer
// than 64 bytes is cut there, and followed by its length ("aaa..." (17825792
// bytes)), so that one long argument does not make a long message.
func Quote(s string) string {
	if len(s) <= quoteLen {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q... (%d bytes)", s[:quoteLen], len(s))
}

// article returns "an" for a word that starts with a vowel, else "a".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// CheckStored returns an error if s, read from a stored lease document as
// its holder or writer, is not a string any version of the client could
// have written there: [ErrEmptyString] or [ErrForbiddenChar] (one of '.',
// '$', '#', a space, a tab or a line break), bare. It is looser than
// [CheckString], which earlier versions did not apply, so that leases they
// wrote are still read.
func CheckStored(s string) error {
	if s == "" {
		return ErrEmptyString
	}
	if strings.ContainsAny(s, ".$# \t\r\n") {
		return ErrForbiddenChar
	}
	return nil
}

// Invalidf returns an error whose message is format applied to args, and
// which matches [ErrInvalidArgument]: the error for an argument that
// breaks a rule other than [StringRule], such as a duration that is not
// positive. The message should name the value and state the rule.
func Invalidf(format string, args ...interface{}) error {
	return &invalidError{message: fmt.Sprintf(format, args...)}
}

// invalidError is the error [Invalidf] returns.
type invalidError struct {
	message string
}

func (e *invalidError) Error() string {
	return e.message
}

// Unwrap makes errors.Is(err, ErrInvalidArgument) true.
func (e *invalidError) Unwrap() error {
	return ErrInvalidArgument
}
