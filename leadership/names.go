package leadership

import (
	"regexp"
	"time"
)

// serviceSnippet matches a service name as Juju's names package did in
// 2015: lowercase letters and digits in hyphen-separated segments, starting
// with a letter, with no segment made only of digits.
const serviceSnippet = `[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*`

var (
	validService = regexp.MustCompile(`^` + serviceSnippet + `$`)
	// validUnit matches <service>/<n>, n being 0 or without leading zeros.
	validUnit = regexp.MustCompile(`^` + serviceSnippet + `/(?:0|[1-9][0-9]*)$`)
)

// isValidService reports whether name is a valid service name.
func isValidService(name string) bool {
	return validService.MatchString(name)
}

// isValidUnit reports whether name is a valid unit name.
func isValidUnit(name string) bool {
	return validUnit.MatchString(name)
}

// formatDuration formats d for error messages as Go did before 1.7, which
// printed a zero duration as "0" rather than "0s".
func formatDuration(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	return d.String()
}
