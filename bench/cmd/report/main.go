// Command report turns benchmark results into docs/benchmarks.md: benchstat's
// CSV summary of the bench module's benchmarks (and optionally of the
// jwx_goccy run), the load run's JSON and benchstat's text output.
//
//	go run ./cmd/report -stats bench.csv -benchstat bench.txt -load load.json -o ../docs/benchmarks.md
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	statsFile := flag.String("stats", "", "benchstat -format csv output of the benchmarks (required)")
	goccyFile := flag.String("goccy", "", "benchstat -format csv output of the jwx_goccy run")
	rawFile := flag.String("benchstat", "", "benchstat's text output, shown in full at the end")
	loadFile := flag.String("load", "", "cmd/load's JSON output")
	countFlag := flag.String("count", "6", "the -count the benchmarks ran with")
	benchtime := flag.String("benchtime", "1s", "the -benchtime the benchmarks ran with")
	cpu := flag.String("cpu", "", "CPU model, when /proc/cpuinfo does not tell")
	out := flag.String("o", "", "output file (default: stdout)")
	flag.Parse()

	if err := run(*statsFile, *goccyFile, *rawFile, *loadFile, *countFlag, *benchtime, *cpu, *out); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(statsFile, goccyFile, rawFile, loadFile, countFlag, benchtime, cpu, out string) error {
	if statsFile == "" {
		return fmt.Errorf("-stats is required")
	}
	r := &report{
		m:         thisMachine(cpu),
		count:     countFlag,
		benchtime: benchtime,
		date:      time.Now().UTC().Format("2006-01-02"),
		versions: moduleVersions("github.com/auth0/go-jwt-middleware/v2", "github.com/appleboy/gin-jwt/v2",
			"github.com/gofiber/contrib/jwt", "github.com/golang-jwt/jwt/v5", "github.com/lestrrat-go/jwx/v2"),
		frameworks: []framework{
			{name: "net/http", group: "NetHTTP", other: "auth0", label: "auth0/go-jwt-middleware"},
			{name: "gin", group: "Gin", other: "gin-jwt", label: "appleboy/gin-jwt"},
			{name: "fiber", group: "Fiber", other: "contrib-jwt", label: "gofiber/contrib/jwt"},
		},
	}
	var err error
	if r.s, err = readStats(statsFile); err != nil {
		return err
	}
	if goccyFile != "" {
		if r.goccy, err = readStats(goccyFile); err != nil {
			return err
		}
	}
	if rawFile != "" {
		raw, err := os.ReadFile(rawFile)
		if err != nil {
			return err
		}
		r.rawStats = string(raw)
	}
	if loadFile != "" {
		data, err := os.ReadFile(loadFile)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, &r.load); err != nil {
			return fmt.Errorf("%s: %v", loadFile, err)
		}
	}
	doc := r.render()
	if out == "" {
		_, err := os.Stdout.WriteString(doc)
		return err
	}
	return os.WriteFile(out, []byte(doc), 0o644)
}

func readStats(path string) (stats, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := parseBenchstatCSV(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return s, nil
}
