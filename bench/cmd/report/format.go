package main

import (
	"fmt"
	"math"
	"strings"
)

// duration formats seconds with three significant digits in ns, µs or ms.
func duration(sec float64) string {
	switch {
	case sec < 1e-6:
		return sig(sec*1e9) + " ns"
	case sec < 1e-3:
		return sig(sec*1e6) + " µs"
	default:
		return sig(sec*1e3) + " ms"
	}
}

func sig(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// withCI is a value and benchstat's ± for it.
func withCI(v string, ci string) string {
	if ci == "" {
		return v
	}
	return v + " ± " + ci
}

// count formats B/op and allocs/op.
func count(v float64) string { return fmt.Sprintf("%.0f", math.Round(v)) }

// ratio formats a/b as "1.23x", or "87x" when large.
func ratio(r float64) string {
	switch {
	case math.IsNaN(r) || math.IsInf(r, 0):
		return "–"
	case r >= 10:
		return fmt.Sprintf("%.0fx", r)
	case r < 0.1:
		return fmt.Sprintf("%.2gx", r)
	default:
		return fmt.Sprintf("%.2fx", r)
	}
}

// table writes a markdown table.
type table struct {
	b    *strings.Builder
	cols int
}

func newTable(b *strings.Builder, header ...string) *table {
	t := &table{b: b, cols: len(header)}
	t.row(header...)
	seps := make([]string, len(header))
	for i := range seps {
		seps[i] = "---"
	}
	t.row(seps...)
	return t
}

func (t *table) row(cells ...string) {
	for len(cells) < t.cols {
		cells = append(cells, "")
	}
	t.b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
}
