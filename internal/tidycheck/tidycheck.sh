#!/usr/bin/env bash
# tidycheck: a new module on an older Go that requires this library and
# runs `go mod tidy` must keep its own go line. (Through a test-only chain
# of mgo.v2/txn, tidy would resolve golang.org/x/net to its latest
# version and raise such a module's go line; internal/pin pins it.) The consumer imports every importable package of the
# library, so new packages are checked too.
#
# Usage: tidycheck.sh [GO_LINE]   (default 1.24). Needs the module proxy.
set -euo pipefail
goline=${1:-1.24}
root=$(cd "$(dirname "$0")/../.." && pwd)
go=${GO:-go}
# The library's own go.mod must be tidy and consistent with its whole
# module graph (go list -m all fails with "updates to go.mod needed" when a
# requirement is below what the graph selects: it did once after a merge).
(cd "$root" && GOFLAGS= $go mod tidy -diff && GOFLAGS= $go list -m all >/dev/null) || {
	echo "tidycheck: the library's go.mod or go.sum is not tidy, or disagrees with its module graph" >&2
	exit 1
}
module=$(cd "$root" && $go list -m)
pkgs=$(cd "$root" && $go list -f '{{if ne .Name "main"}}{{.ImportPath}}{{end}}' ./... | grep -v '/internal/' || true)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/go.mod" <<MOD
module example.com/consumer

go $goline

require $module v0.0.0

replace $module => $root
MOD
{
	echo "package main"
	echo
	echo "import ("
	for p in $pkgs; do echo "	_ \"$p\""; done
	echo ")"
	echo
	echo "func main() {}"
} > "$dir/main.go"
cd "$dir"
GOTOOLCHAIN=local GOFLAGS= $go mod tidy
got=$(sed -n 's/^go //p' go.mod)
if [ "$got" != "$goline" ]; then
	echo "tidycheck: go mod tidy in a consumer module on go $goline raised its go line to $got:" >&2
	cat go.mod >&2
	exit 1
fi
GOTOOLCHAIN=local GOFLAGS= $go build ./...
echo "tidycheck: a consumer on go $goline that imports $(echo $pkgs | wc -w) packages keeps its go line"
