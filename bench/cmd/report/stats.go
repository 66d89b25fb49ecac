package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// stat is one benchmark's summary in one unit, as benchstat computed it:
// the median and its 95% confidence interval.
type stat struct {
	center float64
	ci     string // "2%", "∞" with too few runs
}

// stats maps a benchmark name (without "Benchmark" and the -GOMAXPROCS
// suffix) and a unit ("sec/op", "B/op", "allocs/op") to its summary.
type stats map[string]map[string]stat

// parseBenchstatCSV reads the output of "benchstat -format csv" for one
// input file.
func parseBenchstatCSV(r io.Reader) (stats, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	out := stats{}
	unit := ""
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch {
		case len(rec) < 3:
			// configuration lines (goos: ..., cpu: ...)
		case rec[0] == "" && rec[2] == "CI":
			unit = rec[1]
		case rec[0] == "" || rec[0] == "geomean" || unit == "":
			// a column header or the geomean
		default:
			v, err := strconv.ParseFloat(rec[1], 64)
			if err != nil {
				return nil, fmt.Errorf("benchmark %s, %s: %v", rec[0], unit, err)
			}
			name := procs.ReplaceAllString(rec[0], "")
			if out[name] == nil {
				out[name] = map[string]stat{}
			}
			out[name][unit] = stat{center: v, ci: strings.TrimSpace(rec[2])}
		}
	}
}

// procs is the -GOMAXPROCS suffix go test adds to benchmark names.
var procs = regexp.MustCompile(`-\d+$`)

// get returns the named benchmark's summary in unit, and whether it was
// measured.
func (s stats) get(name, unit string) (stat, bool) {
	st, ok := s[name][unit]
	return st, ok
}

// has reports whether the named benchmark was measured.
func (s stats) has(name string) bool { return s[name] != nil }
