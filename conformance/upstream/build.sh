#!/usr/bin/env bash
# Builds upstream Kubernetes' e2e conformance suite (e2e.test) and ginkgo from the Go module proxy.
# Output goes to a cache directory outside the repository; a finished build is reused.
#   build.sh            the whole suite, e2e.test (~9 min on 2 cores)
#   build.sh --subset   e2e-subset.test: the same framework linking only the spec packages that
#                       subset/subset_test.go imports (what CI runs, see ci.ts)
#   SKIFF_E2E_CACHE   cache directory (default ~/.cache/skiff-e2e)
#   K8S_VERSION       k8s.io/kubernetes version (default v1.32.13)
#   BUILD_NICE        nice level for the compile (default 19; the build takes ~9 min on 2 cores)
# Prints the directory holding e2e.test and ginkgo on its last line.
set -euo pipefail

# The whole script is one function, read before it runs, so editing this file during a build is safe.
main() {

SUBSET=0
case "${1:-}" in
  --subset) SUBSET=1 ;;
  "") ;;
  *) echo "build.sh: unknown argument $1 (expected nothing or --subset)" >&2; exit 2 ;;
esac
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

K8S_VERSION="${K8S_VERSION:-v1.32.13}"
CACHE="${SKIFF_E2E_CACHE:-$HOME/.cache/skiff-e2e}"
NICE="${BUILD_NICE:-19}"
OUT="$CACHE/$K8S_VERSION"
if (( SUBSET )); then TEST=e2e-subset.test; else TEST=e2e.test; fi
STAGING_VERSION="v0.${K8S_VERSION#v1.}"
# Staging modules the proxy does not serve at the matching patch version: nearest published one.
declare -A PINNED=(
  [k8s.io/endpointslice]=v0.32.12
  [k8s.io/sample-apiserver]=v0.32.5
)

command -v go >/dev/null || { echo "build.sh: go is required (https://go.dev/dl)" >&2; exit 2; }

mkdir -p "$OUT"
# One build at a time: a second run waits for the first and then reuses its result.
exec 9>"$OUT/.build.lock"
flock 9
# The subset is rebuilt when its source changed (the stamp is the source's checksum).
stamp=""
(( SUBSET )) && stamp=$(sha256sum "$HERE/subset/subset_test.go" | cut -c1-16)
if [[ -x "$OUT/$TEST" && -x "$OUT/ginkgo" ]] && { (( ! SUBSET )) || [[ "$(cat "$OUT/$TEST.stamp" 2>/dev/null)" == "$stamp" ]]; }; then
  echo "$OUT"
  return 0
fi

# Separate wrapper modules: the subset's go.mod lists only what its packages need.
if (( SUBSET )); then MOD="$OUT/module-subset"; else MOD="$OUT/module"; fi
mkdir -p "$MOD"
cd "$MOD"

# The staging list comes from k8s.io/kubernetes' own go.mod (its replace block points at ./staging).
gomod_file=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')
[[ -f "$gomod_file" ]] || { echo "build.sh: could not download k8s.io/kubernetes@$K8S_VERSION" >&2; exit 1; }
mapfile -t staging < <(grep -E '^\s*k8s\.io/[^ ]+ => \./staging/' "$gomod_file" | awk '{print $1}')
(( ${#staging[@]} > 0 )) || { echo "build.sh: no staging modules found in $gomod_file" >&2; exit 1; }
go_line=$(grep -E '^go [0-9]' "$gomod_file" | head -1)

{
  echo "module skiff.local/e2e"
  echo
  echo "$go_line"
  echo
  echo "require k8s.io/kubernetes $K8S_VERSION"
  echo
  echo "replace ("
  for m in "${staging[@]}"; do
    echo "	$m => $m ${PINNED[$m]:-$STAGING_VERSION}"
  done
  echo ")"
} > go.mod
if (( SUBSET )); then
  cat > tools.go <<'GO'
//go:build tools

package e2e

import _ "github.com/onsi/ginkgo/v2/ginkgo"
GO
  mkdir -p subset
  cp "$HERE/subset/subset_test.go" subset/
  pkg=./subset
else
  cat > tools.go <<'GO'
//go:build tools

package e2e

import (
	_ "github.com/onsi/ginkgo/v2/ginkgo"
	_ "k8s.io/kubernetes/test/e2e"
)
GO
  pkg=k8s.io/kubernetes/test/e2e
fi

export CGO_ENABLED=0 GOFLAGS=-mod=mod
go mod tidy -e >/dev/null 2>&1 || true
go get "k8s.io/kubernetes@$K8S_VERSION" >/dev/null

start=$(date +%s)
if [[ ! -x "$OUT/ginkgo" ]]; then
  ginkgo_version=$(go list -m -f '{{.Version}}' github.com/onsi/ginkgo/v2)
  nice -n "$NICE" go build -o "$OUT/ginkgo.tmp" github.com/onsi/ginkgo/v2/ginkgo
  mv "$OUT/ginkgo.tmp" "$OUT/ginkgo"
  echo "build.sh: ginkgo $ginkgo_version built" >&2
fi
# -vet=off: go test -c would vet the suite package first (minutes of CPU for nothing CI needs).
nice -n "$NICE" go test -c -vet=off -o "$OUT/$TEST.tmp" "$pkg"
mv "$OUT/$TEST.tmp" "$OUT/$TEST"
(( SUBSET )) && echo "$stamp" > "$OUT/$TEST.stamp"
echo "build.sh: $TEST built in $(( $(date +%s) - start ))s" >&2
echo "$OUT"
}

main "$@"
exit
