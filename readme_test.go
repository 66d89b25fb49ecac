package tokengate_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeQuickStartsCompile checks that every Go block in README.md and
// docs/token-service.md that names a file ("// examples/quickstart/main.go") is that file, word for
// word: the file is compiled and vetted with the rest of the module, so the
// README's code compiles too.
func TestReadmeQuickStartsCompile(t *testing.T) {
	for _, doc := range []string{"README.md", "docs/token-service.md"} {
		readme, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		blocks := regexp.MustCompile("(?s)```go\n// ([^\n ]+\\.go)\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
		if len(blocks) == 0 {
			t.Fatalf("%s has no Go block naming its file", doc)
		}
		for _, b := range blocks {
			path, code := b[1], b[2]
			file, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%s names %s: %v", doc, path, err)
			}
			if strings.TrimSpace(string(file)) != strings.TrimSpace(code) {
				t.Errorf("the copy of %s in %s differs from the file", path, doc)
			}
		}
	}
}

// TestReadmeExcerptsAreVerbatim checks that every Go block in README.md
// marked "// excerpt of PATH" appears word for word in that file.
func TestReadmeExcerptsAreVerbatim(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range regexp.MustCompile("(?s)```go\n// excerpt of ([^\n]+\\.go)\n(.*?)```").FindAllStringSubmatch(string(readme), -1) {
		file, err := os.ReadFile(b[1])
		if err != nil {
			t.Fatalf("README quotes %s: %v", b[1], err)
		}
		if !strings.Contains(string(file), b[2]) {
			t.Errorf("README's excerpt of %s is not in the file", b[1])
		}
	}
}

// TestReadmeCommandsMatchCI checks that CI runs the test command the README
// gives.
func TestReadmeCommandsMatchCI(t *testing.T) {
	readme, _ := os.ReadFile("README.md")
	ci, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	const cmd = "bash scripts/test.sh"
	if !strings.Contains(string(readme), cmd) || !strings.Contains(string(ci), cmd) {
		t.Fatalf("README.md and .ci/run must both say %q", cmd)
	}
}
