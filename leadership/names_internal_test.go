package leadership

import (
	"regexp"
	"testing"
)

// The regular expressions that names.go matches by hand, as Juju's names
// package wrote them.
const serviceSnippet = `[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*`

var (
	serviceRegexp = regexp.MustCompile(`^` + serviceSnippet + `$`)
	unitRegexp    = regexp.MustCompile(`^` + serviceSnippet + `/(?:0|[1-9][0-9]*)$`)
)

// FuzzNames checks isValidService and isValidUnit against the regular
// expressions they replace.
func FuzzNames(f *testing.F) {
	for _, seed := range []string{
		"", "a", "mysql", "my-sql", "a-1b", "a-b1", "wordpress-42x", "1a", "a-1", "a--b", "a-", "-a",
		"A", "a_b", "a.b", "a b", "é", "mysql\n", "a/0", "a/1", "a/10", "a/01", "a/", "a/-1", "/0",
		"a/0/0", "a-b/7", "a-1/7", "a/0\n", "a/١",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := isValidService(name), serviceRegexp.MatchString(name); got != want {
			t.Errorf("isValidService(%q) = %v, want %v", name, got, want)
		}
		if got, want := isValidUnit(name), unitRegexp.MatchString(name); got != want {
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
func TestDocumentedNames(t *testing.T) {
	for name, valid := range map[string]bool{
		"redis": true, "my-db2": true, "wordpress-2a": true,
		"Redis": false, "2redis": false, "my_db": false, "redis-": false, "db-2": false,
	} {
		if got := isValidService(name); got != valid {
			t.Errorf("isValidService(%q) = %v, the package doc says %v", name, got, valid)
		}
	}
	for name, valid := range map[string]bool{
		"redis/0": true, "my-db2/17": true, "redis/01": false, "redis/x": false,
	} {
		if got := isValidUnit(name); got != valid {
			t.Errorf("isValidUnit(%q) = %v, the package doc says %v", name, got, valid)
		}
	}
}
