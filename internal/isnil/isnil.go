// Package isnil tells whether an interface value holds a nil pointer, map,
// slice, channel or function: a "typed nil", which compares unequal to nil
// but panics when a method dereferences it. Configuration checks use it to
// refuse such values before any goroutine of the library calls them.
package isnil

import "reflect"

// Value reports whether v is nil, or an interface value whose dynamic
// value is a nil pointer, map, slice, channel, function or interface.
func Value(v interface{}) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Ptr, reflect.Map, reflect.Slice, reflect.Chan, reflect.Func, reflect.Interface, reflect.UnsafePointer:
		return rv.IsNil()
	}
	return false
}
