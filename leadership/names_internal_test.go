package leadership

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	gc "gopkg.in/check.v1"
)

// namesSuite checks the name rules against the package doc.
type namesSuite struct{}

var _ = gc.Suite(&namesSuite{})

// The regular expressions that names.go matches by hand, as Juju's names
// package wrote them.
const serviceSnippet = `[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*`

var (
	serviceRegexp = regexp.MustCompile(`^` + serviceSnippet + `$`)
	unitRegexp    = regexp.MustCompile(`^` + serviceSnippet + `/(?:0|[1-9][0-9]{0,9})$`)
)

// FuzzNames checks isValidService and isValidUnit against the regular
// expressions they replace, with the limit on a service name's length.
func FuzzNames(f *testing.F) {
	for _, seed := range []string{
		"", "a", "mysql", "my-sql", "a-1b", "a-b1", "wordpress-42x", "1a", "a-1", "a--b", "a-", "-a",
		"A", "a_b", "a.b", "a b", "é", "mysql\n", "a/0", "a/1", "a/10", "a/01", "a/", "a/-1", "/0",
		"a/0/0", "a-b/7", "a-1/7", "a/0\n", "a/١", "a/1234567890", "a/12345678901",
		strings.Repeat("a", 128), strings.Repeat("a", 129), strings.Repeat("a", 128) + "/0", strings.Repeat("a", 129) + "/0",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := isValidService(name), serviceRegexp.MatchString(name) && len(name) <= 128; got != want {
			t.Errorf("isValidService(%q) = %v, want %v", name, got, want)
		}
		slash := strings.LastIndexByte(name, '/')
		if got, want := isValidUnit(name), unitRegexp.MatchString(name) && slash <= 128; got != want {
			t.Errorf("isValidUnit(%q) = %v, want %v", name, got, want)
		}
	})
}

// BenchmarkValidNames checks a service and a unit name.
func BenchmarkValidNames(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if !isValidService("mysql-database") || !isValidUnit("mysql-database/12") {
			b.Fatal("invalid")
		}
	}
}

// TestDocumentedNames checks the examples the package doc gives.
func (s *namesSuite) TestDocumentedNames(c *gc.C) {
	for name, valid := range map[string]bool{
		"redis": true, "my-db2": true, "wordpress-2a": true,
		"Redis": false, "2redis": false, "my_db": false, "redis-": false, "db-2": false,
	} {
		if got := isValidService(name); got != valid {
			c.Errorf("isValidService(%q) = %v, the package doc says %v", name, got, valid)
		}
	}
	for name, valid := range map[string]bool{
		"redis/0": true, "my-db2/17": true, "redis/01": false, "redis/x": false,
	} {
		if got := isValidUnit(name); got != valid {
			c.Errorf("isValidUnit(%q) = %v, the package doc says %v", name, got, valid)
		}
	}
}

// TestNameProblems is the table of what the errors for invalid names say
// is wrong with them, and of the rules they state.
func (s *namesSuite) TestNameProblems(c *gc.C) {
	for _, tc := range []struct{ name, service, unit string }{
		{"", "it is empty", "it is empty"},
		{strings.Repeat("a", 129), "it is 129 bytes, more than 128", `it has no "/" and unit number after the service name`},
		{"Redis", "it has upper-case 'R' at byte 0", `it has no "/" and unit number after the service name`},
		{"my_db", "it has '_' at byte 2", `it has no "/" and unit number after the service name`},
		{"db\xff", "it has invalid UTF-8 at byte 2", `it has no "/" and unit number after the service name`},
		{"db\uFFFD", "it has '\uFFFD' at byte 2", `it has no "/" and unit number after the service name`},
		{"-a", "it starts with a hyphen", `it has no "/" and unit number after the service name`},
		{"2redis", "it starts with a digit", `it has no "/" and unit number after the service name`},
		{"redis-", "it ends with a hyphen", `it has no "/" and unit number after the service name`},
		{"a--b", "it has two hyphens at byte 1", `it has no "/" and unit number after the service name`},
		{"db-2", `it has a segment "2" made only of digits`, `it has no "/" and unit number after the service name`},
		{"web-7f9c-pod", "", `it has no "/" and unit number after the service name`},
		{"redis/0", "it has '/' at byte 5", ""},
		{"db-2/0", `it has '/' at byte 4`, `its service name "db-2" has a segment "2" made only of digits`},
		{"redis/", "it has '/' at byte 5", `it has no unit number after the "/"`},
		{"redis/x", "it has '/' at byte 5", `its unit number "x" is not decimal digits`},
		{"redis/-1", "it has '/' at byte 5", `its unit number "-1" is not decimal digits`},
		{"redis/01", "it has '/' at byte 5", `its unit number "01" has a leading zero`},
		{"redis/12345678901", "it has '/' at byte 5", `its unit number "12345678901" has more than 10 digits`},
		{"redis/1234567890", "it has '/' at byte 5", ""},
	} {
		if got := checkService(tc.name); (got == nil) != (tc.service == "") ||
			got != nil && got.Error() != "invalid service name "+quoteName(tc.name)+": "+tc.service+"; "+serviceRule {
			c.Errorf("checkService(%q) = %v, want %q", tc.name, got, tc.service)
		}
		if got := checkUnit(tc.name); (got == nil) != (tc.unit == "") ||
			got != nil && got.Error() != "invalid unit name "+quoteName(tc.name)+": "+tc.unit+"; "+unitRule {
			c.Errorf("checkUnit(%q) = %v, want %q", tc.name, got, tc.unit)
		}
	}
	if err := checkNames("redis", "mysql/0"); err == nil || err.Error() != `unit "mysql/0" is not a unit of service "redis": it is a unit of "mysql"; a unit name starts with its service's name and a slash ("redis/0")` {
		c.Errorf("checkNames(redis, mysql/0) = %v", err)
	}
	if err := checkNames("redis", "redis/0"); err != nil {
		c.Errorf("checkNames(redis, redis/0) = %v", err)
	}
	// The rules state the limits.
	if !strings.Contains(serviceRule, "1 to 128 bytes") || MaxServiceNameLen != 128 ||
		!strings.Contains(unitRule, "up to 10 decimal digits") || MaxUnitNumberDigits != 10 {
		c.Errorf("the rules do not state the limits %d and %d: %q, %q", MaxServiceNameLen, MaxUnitNumberDigits, serviceRule, unitRule)
	}
}

// quoteName quotes a name as the errors do.
func quoteName(s string) string {
	if len(s) <= 64 {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:64]) + "... (" + strconv.Itoa(len(s)) + " bytes)"
}
