package leadership_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// serviceOracle is the 2015 service-name grammar, written out again by
// segments rather than as a regular expression: lowercase letters and
// digits in hyphen-separated segments, the first starting with a letter,
// none empty and none made only of digits.
func serviceOracle(s string) bool {
	if len(s) > 128 {
		return false
	}
	segments := strings.Split(s, "-")
	for i, seg := range segments {
		if seg == "" {
			return false
		}
		letter := false
		for j := 0; j < len(seg); j++ {
			switch c := seg[j]; {
			case 'a' <= c && c <= 'z':
				letter = true
			case '0' <= c && c <= '9':
				if i == 0 && j == 0 {
					return false
				}
			default:
				return false
			}
		}
		if !letter {
			return false
		}
	}
	return true
}

// unitOracle is the unit-name grammar: a service, a slash, and 0 or a
// decimal number of at most 10 digits without leading zeros.
func unitOracle(s string) bool {
	i := strings.LastIndexByte(s, '/')
	if i < 0 || !serviceOracle(s[:i]) {
		return false
	}
	n := s[i+1:]
	if n == "" || len(n) > 10 || (n[0] == '0' && n != "0") {
		return false
	}
	for j := 0; j < len(n); j++ {
		if n[j] < '0' || n[j] > '9' {
			return false
		}
	}
	return true
}

// FuzzManagerNames sends fuzzed service and unit names through a running
// manager's public methods, and checks what they answer against the name
// grammar: the validation errors (each starting as below, then saying
// what is wrong and the rule, and matching ErrInvalidArgument), in the
// order service, unit, the unit's service, duration, and otherwise an
// answer from the lease store. A valid name is also a valid lease name
// and holder for package lease.
func FuzzManagerNames(f *testing.F) {
	for _, seed := range []struct {
		service, unit string
		d             int64
	}{
		{"redis", "redis/0", int64(time.Minute)}, {"wordpress-42x", "wordpress-42x/10", 1},
		{"foo/0", "bar/0", 1}, {"foo", "bar", 1}, {"foo", "bar/0", 0}, {"foo", "bar/0", -1},
		{"a-1", "a-1/0", 1}, {"a-b1", "a-b1/01", 1}, {"1a", "x/0", 1}, {"a--b", "a/0", 1},
		{"", "", 0}, {"A", "a/0", 1}, {"é", "é/0", 1}, {"a", "a/١", 1}, {"a", "a/0/0", 1},
		{"mysql\n", "mysql/0\n", 1}, {"a.b", "a$b/0", 1}, {"a#b", "a b/0", 1},
		{"redis", "mysql/0", 1}, {"redis", "redis/12345678901", 1}, {"redis", "redis/1234567890", 0},
		{strings.Repeat("a", 128), strings.Repeat("a", 128) + "/0", 0},
		{strings.Repeat("a", 129), strings.Repeat("a", 129) + "/0", 1},
	} {
		f.Add(seed.service, seed.unit, seed.d)
	}
	clock := clocktest.NewClock(defaultClockStart)
	store := leasetest.NewStore(clock)
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client: store.MustNewClient("machine-0"), Clock: clock, MaxSleep: defaultMaxSleep,
	})
	if err != nil {
		f.Fatal(err)
	}
	defer func() {
		manager.Kill()
		if err := manager.Wait(); err != nil {
			f.Error(err)
		}
	}()
	f.Fuzz(func(t *testing.T, service, unit string, d int64) {
		validService, validUnit := serviceOracle(service), unitOracle(unit)
		if validService && (lease.Request{Holder: service, Duration: 1}).Validate() != nil {
			t.Fatalf("service %q is valid, but not as a lease name", service)
		}
		if validUnit && (lease.Request{Holder: unit, Duration: 1}).Validate() != nil {
			t.Fatalf("unit %q is valid, but not as a lease holder", unit)
		}

		err := manager.BlockUntilLeadershipReleased(service)
		want := "" // nobody ever claims, so a valid service is released at once
		if !validService {
			want = "cannot wait for leaderlessness: invalid service name " + quote(service) + ": "
		}
		expect(t, "BlockUntilLeadershipReleased", err, want)

		token, err := manager.CheckLeadership(service, unit)
		if token != nil && err != nil {
			t.Fatalf("CheckLeadership(%q, %q) = %v, %v: a token and an error", service, unit, token, err)
		}
		want, refused := namesRefusal("cannot check leadership", service, unit, validService, validUnit)
		if !refused {
			// Nobody ever claims: the store says the unit is not leader.
			want = fmt.Sprintf("%q is not leader of %q", unit, service)
		}
		expect(t, "CheckLeadership", err, want)

		if validService && validUnit && strings.HasPrefix(unit, service+"/") && d > 0 {
			return // a claim would succeed, and change what later inputs see
		}
		err = manager.ClaimLeadership(service, unit, time.Duration(d))
		want, refused = namesRefusal("cannot claim leadership", service, unit, validService, validUnit)
		if !refused {
			want = fmt.Sprintf("cannot claim leadership: invalid duration %v: must be positive", time.Duration(d))
			if d == 0 {
				want = "cannot claim leadership: invalid duration 0: must be positive"
			}
		}
		expect(t, "ClaimLeadership", err, want)
	})
}

// namesRefusal returns the start of the error a call whose messages start
// with prefix must return for service and unit, in the order the manager
// checks them, and true; or "" and false if both names are valid and the
// unit is the service's.
func namesRefusal(prefix, service, unit string, validService, validUnit bool) (string, bool) {
	switch {
	case !validService:
		return prefix + ": invalid service name " + quote(service) + ": ", true
	case !validUnit:
		return prefix + ": invalid unit name " + quote(unit) + ": ", true
	case !strings.HasPrefix(unit, service+"/"):
		return fmt.Sprintf("%s: unit %q is not a unit of service %q: ", prefix, unit, service), true
	}
	return "", false
}

// expect checks that err is nil if want is "". Otherwise, if want ends
// with ": ", it checks that err's message starts with want and that err
// matches ErrInvalidArgument (the rest of the message, what is wrong and
// the rule, is checked in manager_validation_test.go); if not, that its
// message is want, and that it matches ErrInvalidArgument only if want
// starts with "cannot".
func expect(t *testing.T, call string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("%s: %v, want no error", call, err)
	case want == "":
	case err == nil:
		t.Fatalf("%s: no error, want %q", call, want)
	case strings.HasSuffix(want, ": ") && !strings.HasPrefix(err.Error(), want):
		t.Fatalf("%s: %v, want %q...", call, err, want)
	case !strings.HasSuffix(want, ": ") && err.Error() != want:
		t.Fatalf("%s: %v, want %q", call, err, want)
	case errors.Is(err, leadership.ErrInvalidArgument) != strings.HasPrefix(want, "cannot"):
		t.Fatalf("%s: %v: errors.Is(ErrInvalidArgument) is %v", call, err, errors.Is(err, leadership.ErrInvalidArgument))
	}
}

// quote quotes a name as the errors do: in full up to 64 bytes, else its
// first 64 bytes and its length.
func quote(s string) string {
	if len(s) <= 64 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q... (%d bytes)", s[:64], len(s))
}

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
