package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ms formats milliseconds for a reader: "1.9 µs", "632 µs", "3.4 ms",
// "418 ms", "1,061 ms", "18.0 s" from ten seconds on.
func ms(v float64) string {
	switch {
	case v >= 10000:
		return fmt.Sprintf("%.1f s", v/1000)
	case v >= 10:
		return thousands(math.Round(v)) + " ms"
	case v >= 1:
		return fmt.Sprintf("%.1f ms", v)
	case v < 0.01:
		return fmt.Sprintf("%.1f µs", v*1000)
	default:
		return fmt.Sprintf("%.0f µs", v*1000)
	}
}

// ns formats nanoseconds as ms does.
func ns(v float64) string { return ms(v / 1e6) }

// pair formats a p50 and a p99 (or max) in milliseconds, "210 / 418 ms".
func pair(a, b float64) string {
	sa, sb := ms(a), ms(b)
	ua, ub := sa[strings.LastIndex(sa, " "):], sb[strings.LastIndex(sb, " "):]
	if ua == ub {
		return strings.TrimSuffix(sa, ua) + " / " + sb
	}
	return sa + " / " + sb
}

// ratio formats a/b: "59×", "1.2×", "0.58×", "0.015×".
func ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	r := a / b
	switch {
	case r >= 10:
		return thousands(math.Round(r)) + "×"
	case r >= 1:
		return strconv.FormatFloat(r, 'f', 1, 64) + "×"
	case r >= 0.1:
		return strconv.FormatFloat(r, 'f', 2, 64) + "×"
	default:
		return strconv.FormatFloat(r, 'g', 2, 64) + "×"
	}
}

// count formats a count to at most one decimal, "17.8", "2".
func count(v float64) string {
	if v == math.Round(v) {
		return thousands(v)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// thousands formats an integral value with commas, "10,000".
func thousands(v float64) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', 0, 64)
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
