#!/usr/bin/env bash
# Packs cdk-alarm-rollback-cli (packages/cli: the command bundle:cli wrote,
# the sample events, its README) into dist/cli, at the root package's version.
#
# The construct and the command release together from one version. projen's
# release writes the new version into the root package.json for the length of
# the release build (`bump`) and puts 0.0.0 back after it (`unbump`, then a
# check that the tree is unchanged), so the version is read here, at pack
# time, and written into a copy of packages/cli, never into the committed
# packages/cli/package.json.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cli=packages/cli
bundle=$cli/bin/cdk-alarm-rollback.js
test -x "$bundle" || { echo "package:cli: no $bundle: run npx projen bundle:cli first" >&2; exit 1; }
version=$(node -p 'require("./package.json").version')

stage=$(mktemp -d "${TMPDIR:-/tmp}/cli-package.XXXXXX")
trap 'rm -rf "$stage"' EXIT
cp -R "$cli/." "$stage/"
cp LICENSE "$stage/"
chmod u+w "$stage/package.json"
node - "$stage/package.json" "$version" <<'NODE'
const { readFileSync, writeFileSync } = require('fs');
const [file, version] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(file, 'utf8'));
// projen's "generated file" marker is for the repository, not for npm.
delete manifest['//'];
manifest.version = version;
writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
NODE

rm -rf dist/cli
mkdir -p dist/cli
(cd "$stage" && npm pack --pack-destination "$root/dist/cli" --loglevel=warn >/dev/null)
tarball=$(echo dist/cli/*.tgz)
echo "package:cli: $tarball ($(wc -c <"$tarball" | tr -d ' ') bytes, version $version)"
