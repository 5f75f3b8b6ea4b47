package scramserver_test

import (
	"testing"

	"github.com/seed07a61904/leadership/internal/scramserver"
)

func TestDeriveSalting(t *testing.T) {
	for _, tc := range []struct {
		name    string
		salting scramserver.Salting
		iters   map[string]int
		saltLen map[string]int
		salt    string // "" for a random one
	}{
		{"MongoDB's", scramserver.Salting{},
			map[string]int{scramserver.SHA1: 10000, scramserver.SHA256: 15000},
			map[string]int{scramserver.SHA1: 16, scramserver.SHA256: 28}, ""},
		{"iterations", scramserver.Salting{Iterations: 4096},
			map[string]int{scramserver.SHA1: 4096, scramserver.SHA256: 4096},
			map[string]int{scramserver.SHA1: 16, scramserver.SHA256: 28}, ""},
		{"salt", scramserver.Salting{Salt: []byte("fixed-salt")},
			map[string]int{scramserver.SHA1: 10000, scramserver.SHA256: 15000},
			map[string]int{scramserver.SHA1: 10, scramserver.SHA256: 10}, "fixed-salt"},
	} {
		a, err := scramserver.Derive(testUser, testPassword, tc.salting)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		b, err := scramserver.Derive(testUser, testPassword, tc.salting)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(a) != 2 {
			t.Errorf("%s: credentials for %d mechanisms, want 2", tc.name, len(a))
		}
		for _, mech := range []string{scramserver.SHA1, scramserver.SHA256} {
			c := a[mech]
			if c.Iters != tc.iters[mech] || len(c.Salt) != tc.saltLen[mech] {
				t.Errorf("%s, %s: %d iterations and a salt of %d bytes, want %d and %d",
					tc.name, mech, c.Iters, len(c.Salt), tc.iters[mech], tc.saltLen[mech])
			}
			if tc.salt != "" && c.Salt != tc.salt {
				t.Errorf("%s, %s: salt %q, want %q", tc.name, mech, c.Salt, tc.salt)
			}
			if same := a[mech].Salt == b[mech].Salt; same != (tc.salt != "") {
				t.Errorf("%s, %s: two derivations with the same salt: %v, want %v", tc.name, mech, same, tc.salt != "")
			}
			if same := string(a[mech].StoredKey) == string(b[mech].StoredKey); same != (tc.salt != "") {
				t.Errorf("%s, %s: two derivations with the same key: %v, want %v", tc.name, mech, same, tc.salt != "")
			}
		}
	}
}

func TestDeriveErrors(t *testing.T) {
	for _, tc := range []struct {
		name, password string
		salting        scramserver.Salting
	}{
		{"negative iterations", "pw", scramserver.Salting{Iterations: -1}},
		{"password SASLprep refuses", "bad\u0007bell", scramserver.Salting{Iterations: 4096}},
	} {
		if creds, err := scramserver.Derive(testUser, tc.password, tc.salting); err == nil {
			t.Errorf("%s: %v, want an error", tc.name, creds)
		}
	}
}
