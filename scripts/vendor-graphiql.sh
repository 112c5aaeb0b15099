#!/usr/bin/env bash
# Vendors the GraphiQL playground's browser assets into internal/playground/assets/
# so the playground works with no CDN (and no internet).
#
# Usage: scripts/vendor-graphiql.sh        (needs node + npm and the npm registry)
#
# The versions and their npm integrity hashes are pinned below, so re-running it
# reproduces the committed files byte for byte. To upgrade, change a version, put
# the new hash (`npm view PKG@VERSION dist.integrity`) beside it, re-run, and check
# the playground in a browser. GraphiQL must stay on 4.x with React 18: GraphiQL 5
# and React 19 ship no UMD builds. The asset URLs embed a hash of the content, so
# browsers pick up new files without any other change.
set -euo pipefail

# package version integrity
pins=(
	"graphiql 4.1.2 sha512-rNlzQIAzm6i2KBXmVQWBgLvt0TloxFVB2d18bukvdsvjEuFDHsKx5IVOomL1W1o5WW+tE54+ioHb2AEKzO2cUg=="
	"react 18.3.1 sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ=="
	"react-dom 18.3.1 sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw=="
)

# package file-in-package name-in-assets (no source maps: they are 4.7 MB and only
# serve debugging).
files=(
	"graphiql graphiql.min.js graphiql.min.js"
	"graphiql graphiql.min.css graphiql.min.css"
	"graphiql LICENSE LICENSE.graphiql"
	"react umd/react.production.min.js react.production.min.js"
	"react LICENSE LICENSE.react"
	"react-dom umd/react-dom.production.min.js react-dom.production.min.js"
	"react-dom LICENSE LICENSE.react-dom"
)

root=$(cd "$(dirname "$0")/.." && pwd)
dest=$root/internal/playground/assets
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for pin in "${pins[@]}"; do
	read -r pkg version integrity <<<"$pin"
	tgz=$(cd "$tmp" && npm pack --silent "$pkg@$version" | tail -n 1)
	got=sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tmp/$tgz")
	if [[ $got != "$integrity" ]]; then
		echo "vendor-graphiql: $pkg@$version: integrity $got, want $integrity" >&2
		exit 1
	fi
	mkdir -p "$tmp/$pkg"
	tar -xzf "$tmp/$tgz" -C "$tmp/$pkg" --strip-components=1
done

# assets/ holds only vendored files: start afresh so nothing stale stays behind.
rm -rf "$dest"
mkdir -p "$dest"
for f in "${files[@]}"; do
	read -r pkg src name <<<"$f"
	cp "$tmp/$pkg/$src" "$dest/$name"
done
{
	echo "# Written by scripts/vendor-graphiql.sh; do not edit."
	printf '%s\n' "${pins[@]}"
} >"$dest/VERSIONS"

ls -l "$dest"
