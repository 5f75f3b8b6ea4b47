#!/usr/bin/env bash
# buildprogress: go build -v of PACKAGES and of every package their tests
# import, discarding what it builds, printing every 25th package compiled
# out of the number needed, so that a first build that takes minutes
# (FerretDB, etcd) shows that it moves; a build the cache already holds
# prints one line. Build errors pass through; the exit status is go
# build's. make demo, vet and test run it before their own go command,
# which then finds the packages it needs compiled in the build cache.
#
# Usage: buildprogress.sh [-race] PACKAGES...   (GO names the go command)
set -uo pipefail
go=${GO:-go}
flags=()
if [ "${1:-}" = -race ]; then
	flags=(-race)
	shift
fi
# Every package the packages and their tests need, but those go build
# cannot build on its own: test variants, test mains and other main
# packages, and packages with test files only. On a first run go list
# downloads the modules first (half a minute or more for FerretDB's):
# its "go: downloading" lines pass through, so that this does not look
# stuck; its other messages are dropped, and go build shows them below.
if ! pkgs=$("$go" list "${flags[@]}" -deps -test \
	-f '{{if and (not .ForTest) (ne .Name "main") (or .GoFiles .CgoFiles)}}{{.ImportPath}}{{end}}' "$@" \
	2> >(grep --line-buffered '^go: downloading' >&2) | grep .); then
	exec "$go" build "${flags[@]}" -o /dev/null "$@" # to show why
fi
total=$(wc -l <<<"$pkgs")
# A shell loop, not awk: mawk (Debian's and Ubuntu's awk) reads its input
# in blocks, which held the counts back until about 100 package names had
# arrived, a minute and more apart in FerretDB's build.
"$go" build "${flags[@]}" -v $pkgs 2>&1 | {
	n=0
	while IFS= read -r line; do
		if [[ $line =~ ^[^\ \#]+$ ]]; then
			n=$((n + 1))
			if ((n % 25 == 0)); then
				printf '   %d of %d packages compiled (%s)\n' "$n" "$total" "$line"
			fi
			continue
		fi
		printf '%s\n' "$line"
	done
	if ((n == 0)); then
		printf '   all %d packages were in the build cache\n' "$total"
	elif ((n % 25 != 0)); then
		printf '   %d of %d packages compiled; the rest were in the build cache\n' "$n" "$total"
	fi
}
exit "${PIPESTATUS[0]}"
