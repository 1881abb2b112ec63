#!/usr/bin/env bash
# The Kubernetes manifests' suite (scripts/test.sh runs it): renders every kustomization (overlays/*, examples/*/)
# with `kubectl kustomize` and validates every object, and the example manifests (examples/*.yaml), against the
# Kubernetes API's schemas and the KEDA and Prometheus Operator CRDs' (validate/validate.mjs, npm ci into the
# ignored validate/node_modules). One test per object; prints "N passed, N failed, N skipped" last. Without
# kubectl, node or npm it skips with the reason (fails under CI=true). What the objects say is checked against the
# real server by tests/RestoreGrpc.IntegrationTests/Deploy/KubernetesManifestTests.cs.
set -uo pipefail
cd "$(dirname "$0")"

SUITE=kubernetes
source ../../scripts/client-suite-lib.sh
command -v kubectl >/dev/null || skip_or_fail "kubectl not found (apt: kubernetes-client)"
# Components and labels need kustomize v4 or later (kubectl 1.21+; Debian bookworm's kubernetes-client is 1.20).
kustomize_version=$(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p')
[ "${kustomize_version:-0}" -ge 4 ] || skip_or_fail "kubectl's kustomize is older than v4 (kubectl version --client: $(kubectl version --client 2>&1 | head -1))"
command -v node >/dev/null || skip_or_fail "node not found (apt: nodejs)"
command -v npm >/dev/null || skip_or_fail "npm not found (apt: npm)"
# npm ci only when node_modules is missing or older than the lock file.
if [ ! validate/node_modules/.package-lock.json -nt validate/package-lock.json ] &&
  ! (cd validate && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1); then
  echo "$SUITE: npm ci in deploy/kubernetes/validate failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1
fi

rendered=$(mktemp -d)
trap 'rm -rf "$rendered"' EXIT
failed=0
files=()
for dir in overlays/*/ examples/*/; do
  [ -f "$dir/kustomization.yaml" ] || continue
  out="$rendered/$(echo "${dir%/}" | tr / _).yaml"
  if kubectl kustomize "$dir" >"$out" 2>"$out.err"; then
    files+=("$out")
  else
    echo "FAIL render $dir: $(cat "$out.err")"; failed=$((failed + 1))
  fi
done
files+=(examples/*.yaml)

report=$(node validate/validate.mjs "${files[@]}")
echo "$report" | sed "s#$rendered/##"
passed=$(echo "$report" | grep -c '^ok ')
failed=$((failed + $(echo "$report" | grep -c '^FAIL ')))
echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
