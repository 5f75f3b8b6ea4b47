package leadership

import (
	"strings"
	"time"
)

// Names are checked as Juju's names package did in 2015. A service name is
// lowercase letters and digits in hyphen-separated segments, starting with
// a letter, with no segment made only of digits; as a regular expression,
// [a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*. A unit name is
// <service>/<n>, n being 0 or without leading zeros. They are matched by
// hand rather than with package regexp, which took about a microsecond a
// call: half the cost of a CheckLeadership that the cache answers.

// isValidService reports whether name is a valid service name.
func isValidService(name string) bool {
	start := 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '-' {
			if !isValidSegment(name[start:i], start == 0) {
				return false
			}
			start = i + 1
		}
	}
	return true
}

// isValidSegment reports whether segment is a valid part of a service
// name: not empty, lowercase letters and digits with at least one letter,
// and starting with a letter if it is the first part.
func isValidSegment(segment string, first bool) bool {
	letter := false
	for i := 0; i < len(segment); i++ {
		switch c := segment[i]; {
		case 'a' <= c && c <= 'z':
			letter = true
		case '0' <= c && c <= '9':
			if first && i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return letter
}

// isValidUnit reports whether name is a valid unit name.
func isValidUnit(name string) bool {
	slash := strings.LastIndexByte(name, '/')
	if slash < 0 || !isValidService(name[:slash]) {
		return false
	}
	n := name[slash+1:]
	if n == "" || (n[0] == '0' && len(n) > 1) {
		return false
	}
	for i := 0; i < len(n); i++ {
		if n[i] < '0' || n[i] > '9' {
			return false
		}
	}
	return true
}

// formatDuration formats d for error messages as Go did before 1.7, which
// printed a zero duration as "0" rather than "0s".
func formatDuration(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	return d.String()
}
