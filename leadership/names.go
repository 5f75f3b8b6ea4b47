package leadership

import (
	"fmt"
	"strings"
	"time"

	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/internal/stored"
)

// The limits of names. Both must also be strings the lease store holds
// ([lease.MaxStringLen]), which a unit name of MaxUnitNameLen bytes is.
const (
	// MaxServiceNameLen is the most bytes a service name may have.
	MaxServiceNameLen = 128

	// MaxUnitNumberDigits is the most digits the number of a unit name
	// may have: units are numbered from 0 to 9999999999.
	MaxUnitNumberDigits = 10

	// MaxUnitNameLen is the most bytes a unit name may have: a service
	// name, a slash and a unit number.
	MaxUnitNameLen = MaxServiceNameLen + 1 + MaxUnitNumberDigits
)

// The rules, as the errors for names that break them state them.
const (
	serviceRule = `a service name is 1 to 128 bytes of lower-case letters and digits in segments joined by single hyphens, starting with a letter, with no segment made only of digits ("redis", "my-db2", "wordpress-2a")`
	unitRule    = `a unit name is its service's name, a slash, and the unit's number: 0, or up to 10 decimal digits without a leading zero ("redis/0", "my-db2/17")`
)

// Names are checked as Juju's names package did in 2015, with limits on
// their length; as a regular expression, a service name is
// [a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*, and a unit name
// <service>/<n>, n being 0 or without leading zeros. They are matched by
// hand, as package regexp would cost as much as a cached CheckLeadership;
// checkService and checkUnit explain a refusal once a name is invalid.

// isValidService reports whether name is a valid service name.
func isValidService(name string) bool {
	if len(name) > MaxServiceNameLen {
		return false
	}
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
// name: letters and digits with a letter, first a letter if first.
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
	if n == "" || len(n) > MaxUnitNumberDigits || (n[0] == '0' && len(n) > 1) {
		return false
	}
	for i := 0; i < len(n); i++ {
		if n[i] < '0' || n[i] > '9' {
			return false
		}
	}
	return true
}

// checkService returns nil if name is a valid service name, or an error
// matching [ErrInvalidArgument] that quotes it, says what is wrong and
// states the rule.
func checkService(name string) error {
	if isValidService(name) {
		return nil
	}
	return stored.Invalidf("invalid service name %s: it %s; %s", stored.Quote(name), serviceProblem(name), serviceRule)
}

// checkUnit is checkService for a unit name.
func checkUnit(name string) error {
	if isValidUnit(name) {
		return nil
	}
	return stored.Invalidf("invalid unit name %s: %s; %s", stored.Quote(name), unitProblem(name), unitRule)
}

// checkNames returns nil if service is valid and unit one of its units,
// else the first problem, matching [ErrInvalidArgument], with the rule.
func checkNames(service, unit string) error {
	if err := checkService(service); err != nil {
		return err
	}
	if err := checkUnit(unit); err != nil {
		return err
	}
	if owner := unit[:strings.LastIndexByte(unit, '/')]; owner != service {
		return stored.Invalidf("unit %q is not a unit of service %q: it is a unit of %q; a unit name starts with its service's name and a slash (%q)", unit, service, owner, service+"/0")
	}
	return nil
}

// serviceProblem says what makes name invalid ("is empty", "starts with a
// digit"): its length, else the first bad character or segment.
func serviceProblem(name string) string {
	switch {
	case name == "":
		return "is empty"
	case len(name) > MaxServiceNameLen:
		return fmt.Sprintf("is %d bytes, more than %d", len(name), MaxServiceNameLen)
	}
	for i, r := range name {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9', r == '-':
		case 'A' <= r && r <= 'Z':
			return fmt.Sprintf("has upper-case %q at byte %d", r, i)
		case stored.NotUTF8(name, i, r):
			return fmt.Sprintf("has invalid UTF-8 at byte %d", i)
		default:
			return fmt.Sprintf("has %q at byte %d", r, i)
		}
	}
	if name[0] == '-' {
		return "starts with a hyphen"
	}
	if '0' <= name[0] && name[0] <= '9' {
		return "starts with a digit"
	}
	if name[len(name)-1] == '-' {
		return "ends with a hyphen"
	}
	if i := strings.Index(name, "--"); i >= 0 {
		return fmt.Sprintf("has two hyphens at byte %d", i)
	}
	for _, segment := range strings.Split(name, "-") {
		if strings.Trim(segment, "0123456789") == "" {
			return fmt.Sprintf("has a segment %q made only of digits", segment)
		}
	}
	return "is invalid" // not reached: isValidService would have accepted it
}

// unitProblem says what makes name, which is not a valid unit name,
// invalid, as a clause ("it is empty", "its service name ...").
func unitProblem(name string) string {
	slash := strings.LastIndexByte(name, '/')
	switch {
	case name == "":
		return "it is empty"
	case slash < 0:
		return `it has no "/" and unit number after the service name`
	case !isValidService(name[:slash]):
		return fmt.Sprintf("its service name %s %s", stored.Quote(name[:slash]), serviceProblem(name[:slash]))
	}
	n := name[slash+1:]
	switch {
	case n == "":
		return `it has no unit number after the "/"`
	case strings.Trim(n, "0123456789") != "":
		return fmt.Sprintf("its unit number %s is not decimal digits", stored.Quote(n))
	case len(n) > MaxUnitNumberDigits:
		return fmt.Sprintf("its unit number %s has more than %d digits", stored.Quote(n), MaxUnitNumberDigits)
	case n[0] == '0':
		return fmt.Sprintf("its unit number %q has a leading zero", n)
	}
	return "it is invalid" // not reached: isValidUnit would have accepted it
}

// checkDuration returns nil if d is a valid duration for a claim, or an
// error matching [ErrInvalidArgument] that says why not.
func checkDuration(d time.Duration) error {
	if d > 0 {
		return nil
	}
	return stored.Invalidf("invalid duration %s: must be positive", formatDuration(d))
}

// refuse annotates err, a refusal of a call's argument, with the call
// ("cannot claim leadership"), keeping it matching [ErrInvalidArgument].
func refuse(err error, call string) error {
	return errors.Annotate(err, call)
}

// formatDuration formats d for error messages as Go did before 1.7, which
// printed a zero duration as "0" rather than "0s".
func formatDuration(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	return d.String()
}
