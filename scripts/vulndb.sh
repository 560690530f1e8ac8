#!/usr/bin/env bash
# Builds govulncheck's database from a pinned snapshot of golang.org/x/vulndb:
# scripts/vulndb.sh VERSION TOOLS_DIR writes TOOLS_DIR/vulndb-VERSION/.
# The snapshot comes through the Go module proxy; its generator (cmd/gendb)
# reads the reports from a git repository, so they are committed into a
# scratch one first. Nothing here needs vuln.go.dev.
set -euo pipefail
version=$1 tools=$2
out="$tools/vulndb-$version"
go=${GO:-go}
dir=$($go mod download -json "golang.org/x/vulndb@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir/data/osv" ] || { echo "vulndb.sh: no data/osv in golang.org/x/vulndb@$version ($dir)" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r "$dir/data" "$scratch/data"
chmod -R u+w "$scratch"
git -C "$scratch" init -q
git -C "$scratch" add data
git -C "$scratch" -c user.name=flowbench -c user.email=flowbench@localhost commit -q -m "vulndb $version"
GOBIN="$tools" $go install "golang.org/x/vulndb/cmd/gendb@$version"
rm -rf "$out.tmp"
"$tools/gendb" -repo "$scratch" -out "$out.tmp" >/dev/null
rm -rf "$out"
mv "$out.tmp" "$out"
echo "vulndb: $(ls "$out/ID" | wc -l) reports from golang.org/x/vulndb@$version in $out"
