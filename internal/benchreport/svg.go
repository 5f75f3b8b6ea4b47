package main

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// A tiny SVG writer for the plots of BENCHMARKS.md: line charts with a
// linear or logarithmic axis, a legend and optional marker lines. Only
// the standard library, so that the root module gains no dependency.

// series is one line of a chart.
type series struct {
	name string
	// xs and ys are its points, in the order drawn.
	xs, ys []float64
	// step draws it as a step function (an empirical distribution).
	step bool
}

// marker is a vertical line at x, labelled.
type marker struct {
	x     float64
	label string
}

// chart is one plot.
type chart struct {
	title          string
	xLabel, yLabel string
	xLog, yLog     bool
	// xMax, if not zero, clips the x axis.
	xMax    float64
	series  []series
	markers []marker
}

const (
	svgW, svgH                     = 720, 400
	padL, padR, padT, padB float64 = 70, 35, 40, 50
)

// palette holds colours that stay apart for readers with the common
// colour-vision deficiencies (Okabe and Ito).
var palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"}

// cdf returns the empirical distribution of samples as a step series:
// x the sample, y the fraction of samples at most x.
func cdf(name string, samples []float64) series {
	s := append([]float64(nil), samples...)
	sort.Float64s(s)
	out := series{name: fmt.Sprintf("%s (n=%d)", name, len(s)), step: true}
	for i, v := range s {
		out.xs = append(out.xs, v)
		out.ys = append(out.ys, float64(i+1)/float64(len(s)))
	}
	return out
}

// axis maps values to pixels along one axis.
type axis struct {
	lo, hi   float64
	log      bool
	p0, p1   float64
	ticks    []float64
	tickText func(float64) string
}

func (a axis) pos(v float64) float64 {
	lo, hi := a.lo, a.hi
	if a.log {
		v, lo, hi = math.Log10(v), math.Log10(lo), math.Log10(hi)
	}
	if hi == lo {
		return a.p0
	}
	return a.p0 + (v-lo)/(hi-lo)*(a.p1-a.p0)
}

// newAxis chooses a range and ticks covering lo to hi.
func newAxis(lo, hi float64, log bool, p0, p1 float64) axis {
	a := axis{log: log, p0: p0, p1: p1, tickText: tickText}
	if log {
		a.lo = math.Pow(10, math.Floor(math.Log10(lo)))
		a.hi = math.Pow(10, math.Ceil(math.Log10(hi)))
		if a.hi == a.lo {
			a.hi *= 10
		}
		for t := a.lo; t <= a.hi*1.0001; t *= 10 {
			a.ticks = append(a.ticks, t)
		}
		return a
	}
	if hi <= lo {
		hi = lo + 1
	}
	step := niceStep((hi - lo) / 6)
	a.lo = math.Floor(lo/step) * step
	a.hi = math.Ceil(hi/step) * step
	for i := 0; a.lo+float64(i)*step <= a.hi+step/2; i++ {
		// Rounded to the step's precision, so that 0.1 steps give 0.6
		// and not 0.6000000000000001.
		t, _ := strconv.ParseFloat(strconv.FormatFloat(a.lo+float64(i)*step, 'g', 12, 64), 64)
		a.ticks = append(a.ticks, t)
	}
	return a
}

// niceStep rounds a step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// tickText formats a tick value: 0.5, 200, 10,000, 1e+06.
func tickText(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%g", v)
	case v == math.Round(v):
		return thousands(v)
	default:
		return fmt.Sprintf("%g", v)
	}
}

// merged returns the series with those that have the same points as an
// earlier one folded into it, their names joined, so that no line hides
// another.
func merged(in []series) []series {
	var out []series
next:
	for _, s := range in {
		for i := range out {
			if reflect.DeepEqual(out[i].xs, s.xs) && reflect.DeepEqual(out[i].ys, s.ys) {
				out[i].name += "; " + s.name
				continue next
			}
		}
		out = append(out, s)
	}
	return out
}

// svg renders the chart.
func (c chart) svg() string {
	c.series = merged(c.series)
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range c.series {
		for i := range s.xs {
			if c.xMax > 0 && s.xs[i] > c.xMax {
				continue
			}
			xlo, xhi = math.Min(xlo, s.xs[i]), math.Max(xhi, s.xs[i])
			ylo, yhi = math.Min(ylo, s.ys[i]), math.Max(yhi, s.ys[i])
		}
	}
	for _, m := range c.markers {
		xlo, xhi = math.Min(xlo, m.x), math.Max(xhi, m.x)
	}
	if math.IsInf(xlo, 0) {
		xlo, xhi, ylo, yhi = 1, 10, 0, 1
	}
	if !c.xLog {
		xlo = math.Min(xlo, 0)
	}
	if !c.yLog {
		ylo = math.Min(ylo, 0)
	}
	x := newAxis(xlo, xhi, c.xLog, padL, svgW-padR)
	y := newAxis(ylo, yhi, c.yLog, svgH-padB, padT)

	var b strings.Builder
	// The legend goes below the plot, one line a series, where no line
	// can hide it.
	height := svgH + 8 + 16*len(c.series)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", svgW, height, svgW, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", svgW, height)
	fmt.Fprintf(&b, `<text x="%d" y="22" text-anchor="middle" font-size="14" font-weight="bold">%s</text>`+"\n", svgW/2, esc(c.title))
	for _, t := range x.ticks {
		px := x.pos(t)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", px, padT, px, svgH-padB)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", px, svgH-padB+16, x.tickText(t))
	}
	for _, t := range y.ticks {
		py := y.pos(t)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", padL, py, svgW-padR, py)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", padL-6, py+4, y.tickText(t))
	}
	fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#444"/>`+"\n", padL, padT, svgW-padR-padL, svgH-padB-padT)
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", (padL+svgW-padR)/2, svgH-12, esc(c.xLabel))
	fmt.Fprintf(&b, `<text transform="translate(16 %.1f) rotate(-90)" text-anchor="middle">%s</text>`+"\n", (padT+svgH-padB)/2, esc(c.yLabel))
	for _, m := range c.markers {
		px := x.pos(m.x)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#888" stroke-dasharray="4 3"/>`+"\n", px, padT, px, svgH-padB)
		ly := padT + (svgH-padB-padT)/2
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="16" fill="white" fill-opacity="0.85"/>`+"\n", px+2, ly-12, textWidth(m.label)+4)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="#555">%s</text>`+"\n", px+4, ly, esc(m.label))
	}
	for i, s := range c.series {
		colour := palette[i%len(palette)]
		var pts []string
		prevY := y.pos(0)
		if c.yLog {
			prevY = svgH - padB
		}
		for j := range s.xs {
			if c.xMax > 0 && s.xs[j] > c.xMax {
				break
			}
			px, py := x.pos(s.xs[j]), y.pos(s.ys[j])
			if s.step {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", px, prevY))
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px, py))
			prevY = py
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", colour, strings.Join(pts, " "))
		if !s.step {
			for j := range s.xs {
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`+"\n", x.pos(s.xs[j]), y.pos(s.ys[j]), colour)
			}
		}
	}
	for i, s := range c.series {
		lx, ly := padL, float64(svgH+10+16*i)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="3"/>`+"\n", lx, ly-4, lx+20, ly-4, palette[i%len(palette)])
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", lx+26, ly, esc(s.name))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// textWidth estimates the width in pixels of text at the chart's 12px
// sans-serif font.
func textWidth(text string) float64 {
	return 6.8 * float64(len([]rune(text)))
}

// esc escapes text for SVG.
func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
