// Command testcount reads `go test -json` output on stdin, echoes the tests' own output, and prints the closing
// line scripts/test.sh sums: "N passed, N failed, N skipped", counting leaf tests (a test with subtests counts
// through them). It exits 1 when a test or a package failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

func main() {
	results := map[string]string{} // package + test → pass, fail or skip
	var order []string
	packageFailed := false
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 1<<26)
	for scanner.Scan() {
		var e event
		if err := json.Unmarshal(scanner.Bytes(), &e); err != nil {
			fmt.Println(scanner.Text()) // build errors and other plain lines
			continue
		}
		switch e.Action {
		case "output":
			fmt.Print(e.Output)
		case "pass", "fail", "skip":
			if e.Test == "" {
				packageFailed = packageFailed || e.Action == "fail"
				continue
			}
			key := e.Package + " " + e.Test
			if _, seen := results[key]; !seen {
				order = append(order, key)
			}
			results[key] = e.Action
		}
	}
	counts := map[string]int{}
	for _, key := range order {
		parent := false
		for _, other := range order {
			if strings.HasPrefix(other, key+"/") {
				parent = true
				break
			}
		}
		if !parent {
			counts[results[key]]++
		}
	}
	if packageFailed && counts["fail"] == 0 {
		counts["fail"] = 1 // a package that failed to build or crashed outside a test
	}
	fmt.Printf("%d passed, %d failed, %d skipped\n", counts["pass"], counts["fail"], counts["skip"])
	if counts["fail"] > 0 {
		os.Exit(1)
	}
}
