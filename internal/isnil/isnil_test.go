package isnil_test

import (
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/isnil"
)

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

type nower interface{ Now() time.Time }

func TestValue(t *testing.T) {
	var nilPtr *clock
	var nilMap map[string]int
	var nilFunc func()
	var nilChan chan int
	var nilSlice []int
	for _, tc := range []struct {
		about string
		v     interface{}
		want  bool
	}{
		{"untyped nil", nil, true},
		{"nil pointer", nilPtr, true},
		{"nil pointer behind an interface type", nower(nilPtr), true},
		{"nil map", nilMap, true},
		{"nil func", nilFunc, true},
		{"nil chan", nilChan, true},
		{"nil slice", nilSlice, true},
		{"pointer", &clock{}, false},
		{"struct value", clock{}, false},
		{"zero int", 0, false},
		{"empty map", map[string]int{}, false},
	} {
		if got := isnil.Value(tc.v); got != tc.want {
			t.Errorf("%s: Value(%#v) = %v, want %v", tc.about, tc.v, got, tc.want)
		}
	}
}
