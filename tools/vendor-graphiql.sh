#!/usr/bin/env bash
# Re-create gateway/http/static/graphiql/ (the vendored GraphiQL page assets) from the npm registry.
#
# Each package is fetched by name and exact version with `npm pack`, its tarball checked against the
# pinned integrity below (npm's sha512), and only the files the page loads are copied, each with its
# package's LICENSE. VENDORED.md is written with the sha256 of every file. Our own files in that
# folder (start.js, page.css) are left as they are.
#
# To upgrade: change a version, run this script once with its integrity set to "", copy the integrity
# it prints into the pin, run it again, and check the page with tests/browser/.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=gateway/http/static/graphiql
# name  version  integrity (sha512 of the registry tarball)  files copied (path inside the package)
PINS=(
  "graphiql 3.8.3 sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw== graphiql.min.js graphiql.min.css"
  "react 18.3.1 sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ== umd/react.production.min.js"
  "react-dom 18.3.1 sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw== umd/react-dom.production.min.js"
)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

manifest="$work/VENDORED.md"
cat > "$manifest" <<'HEAD'
# Vendored browser assets of the GraphiQL page

Served by the gateway itself (no CDN), so GraphiQL works on a network without internet access.
Re-created by `tools/vendor-graphiql.sh` from the npm registry at the pinned versions; do not edit
these files by hand. `start.js` and `page.css` beside them are ours (Apache-2.0, like the gateway).

GraphiQL 3.x publishes its `graphiql.min.js` unminified (a webpack development build, about 3.5 MB);
the gateway serves it gzip-compressed and cached as immutable (the folder name carries the version).
The bundle embeds GraphiQL's own dependencies (CodeMirror 5, graphql-js, markdown-it, Radix UI and
others, all MIT-licensed); their notices are kept in the bundle's comments.

| package | version | licence | file | sha256 |
| --- | --- | --- | --- | --- |
HEAD

for pin in "${PINS[@]}"; do
  read -r name version integrity files <<<"$pin"
  (cd "$work" && npm pack --silent --json "$name@$version" >"$name.json")
  got="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["integrity"])' "$work/$name.json")"
  if [[ -n "$integrity" && "$got" != "$integrity" ]]; then
    echo "FATAL: $name@$version from the registry has integrity $got, pinned $integrity" >&2
    exit 1
  fi
  [[ -n "$integrity" ]] || echo "$name@$version integrity: $got"
  mkdir -p "$work/$name"
  tar -xzf "$work/$name-$version.tgz" -C "$work/$name"
  licence="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["license"])' "$work/$name/package/package.json")"
  dest="$work/out/$name-$version"
  mkdir -p "$dest"
  for file in $files LICENSE; do
    cp "$work/$name/package/$file" "$dest/"
    base="$(basename "$file")"
    sum="$(sha256sum "$dest/$base" | cut -d' ' -f1)"
    echo "| $name | $version | $licence | \`$name-$version/$base\` | \`$sum\` |" >>"$manifest"
  done
done

mkdir -p "$TARGET"
# Only the vendored folders are replaced; our own files stay.
find "$TARGET" -mindepth 1 -maxdepth 1 -type d -name '*-[0-9]*' -exec rm -rf {} +
cp -R "$work/out/." "$TARGET/"
cp "$manifest" "$TARGET/VENDORED.md"
echo "vendored into $TARGET:"
du -sh "$TARGET"/*-[0-9]*
