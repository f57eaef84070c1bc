#!/usr/bin/env bash
# Re-create gateway/web/static/htmx-<version>/ (the portal's progressive-enhancement library) from the
# npm registry, like tools/vendor-graphiql.sh: fetched by exact version with `npm pack`, the tarball
# checked against the pinned integrity (npm's sha512), only the file the pages load copied with the
# package's LICENSE, and VENDORED.md written with the sha256 of each file.
#
# Pinned to the 2.x line: the portal relies on its configuration names (includeIndicatorStyles,
# allowEval, allowScriptTags) and attribute inheritance; 4.x is a new major with other names.
# To upgrade: change the version, run once with the integrity set to "", copy the integrity it prints
# into the pin, run again, and run tests/web/ (the browser tests check for CSP violations).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=gateway/web/static
NAME=htmx.org
VERSION=2.0.11
INTEGRITY="sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA=="
FILE=dist/htmx.min.js

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent --json "$NAME@$VERSION" >pack.json)
got="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["integrity"])' "$work/pack.json")"
if [[ -n "$INTEGRITY" && "$got" != "$INTEGRITY" ]]; then
  echo "FATAL: $NAME@$VERSION from the registry has integrity $got, pinned $INTEGRITY" >&2
  exit 1
fi
[[ -n "$INTEGRITY" ]] || echo "$NAME@$VERSION integrity: $got"
mkdir -p "$work/pkg"
tar -xzf "$work/$NAME-$VERSION.tgz" -C "$work/pkg"
licence="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["license"])' "$work/pkg/package/package.json")"

dest="$work/out/htmx-$VERSION"
mkdir -p "$dest"
cat > "$work/VENDORED.md" <<HEAD
# Vendored browser assets of the portal

Served by the gateway itself (no CDN). Re-created by \`tools/vendor-htmx.sh\` from the npm registry at
the pinned version; do not edit these files by hand. Everything else in this folder (\`portal.css\`,
\`portal.js\`) is ours (Apache-2.0, like the gateway).

| package | version | licence | file | sha256 |
| --- | --- | --- | --- | --- |
HEAD
for file in "$FILE" LICENSE; do
  cp "$work/pkg/package/$file" "$dest/"
  base="$(basename "$file")"
  sum="$(sha256sum "$dest/$base" | cut -d' ' -f1)"
  echo "| $NAME | $VERSION | $licence | \`htmx-$VERSION/$base\` | \`$sum\` |" >>"$work/VENDORED.md"
done

mkdir -p "$TARGET"
find "$TARGET" -mindepth 1 -maxdepth 1 -type d -name 'htmx-[0-9]*' -exec rm -rf {} +
cp -R "$work/out/." "$TARGET/"
cp "$work/VENDORED.md" "$TARGET/VENDORED.md"
echo "vendored into $TARGET:"
du -sh "$TARGET"/htmx-[0-9]*
