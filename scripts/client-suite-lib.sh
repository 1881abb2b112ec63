# Sourced by the Go and TypeScript clients/*/test.sh: the parts every SDK suite shares. Set SUITE (the name in
# messages) before sourcing; the suite's directory is the working directory.

# Skips the whole suite with the reason (prints the closing line), or fails under CI=true.
skip_or_fail() {
  if [ "${CI:-}" = "true" ]; then
    echo "$SUITE: FAILED: $1 (CI=true)"; echo "0 passed, 1 failed, 0 skipped"; exit 1
  fi
  echo "$SUITE: SKIPPED: $1"; echo "0 passed, 0 failed, 1 skipped"; exit 0
}

# Runs this suite's conformance.sh against a real server through clients/conformance/run.sh, echoing its output;
# sets conformance_line to its closing line (a failure when it printed none; a skip, or a failure under CI=true,
# when the kit is not in the checkout).
run_conformance() {
  if [ -x ../conformance/run.sh ]; then
    local output
    output="$(../conformance/run.sh "$PWD/conformance.sh" 2>&1)"
    echo "$output" | sed '$d'
    conformance_line="$(echo "$output" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)"
    [ -n "$conformance_line" ] || conformance_line="0 passed, 1 failed, 0 skipped"
  else
    echo "$SUITE: conformance SKIPPED: clients/conformance/run.sh is not in this checkout"
    if [ "${CI:-}" = "true" ]; then conformance_line="0 passed, 1 failed, 0 skipped"; else conformance_line="0 passed, 0 failed, 1 skipped"; fi
  fi
}

# Prints the suite's closing line from the unit and conformance closing lines plus extra failures ($3), and
# returns non-zero when anything failed.
print_total() {
  field() { echo "$1" | grep -o "[0-9]* $2" | grep -o '[0-9]*'; }
  local passed failed skipped
  passed=$(( $(field "$1" passed) + $(field "$2" passed) ))
  failed=$(( $(field "$1" failed) + $(field "$2" failed) + ${3:-0} ))
  skipped=$(( $(field "$1" skipped) + $(field "$2" skipped) ))
  echo "$SUITE: unit $1; conformance $2"
  echo "$passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]
}
