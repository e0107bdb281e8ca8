#!/usr/bin/env bash
# The README's quick start, followed literally in an empty folder against the
# library as npm ships it: every `<!-- quick-start:run -->` block is run line
# by line and every `<!-- quick-start:file PATH -->` block is written to PATH,
# in the order README.md shows them. The one change: the library's name in
# `npm install` becomes the path of the packed tarball. The other packages
# come from the npm registry, at the versions the README writes.
#
# usage: .ci/quick-start.sh [TARBALL]
#   TARBALL  a packed cdk-alarm-rollback (dist/js/*.tgz after `npx projen build`);
#            without it the library is bundled, compiled and packed first.
# Set QUICK_START_KEEP=1 to keep the app folder for a look afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if [ $# -gt 0 ]; then
  tarball=$(cd "$(dirname "$1")" && echo "$PWD/$(basename "$1")")
else
  npx projen bundle
  npx projen compile
  rm -rf dist/js
  npx projen package:js
  tarball=$(echo "$root"/dist/js/cdk-alarm-rollback@*.tgz)
fi
test -f "$tarball" || { echo "quick-start: no packed library at $tarball" >&2; exit 1; }

app=$(mktemp -d "${TMPDIR:-/tmp}/quick-start.XXXXXX")
steps=$(mktemp -d "${TMPDIR:-/tmp}/quick-start-steps.XXXXXX")
cleanup() {
  rm -rf "$steps"
  if [ "${QUICK_START_KEEP:-}" = 1 ]; then echo "quick-start: the app is in $app"; else rm -rf "$app"; fi
}
trap cleanup EXIT

# One numbered file per marked block: NNN.run holds the lines to run, NNN.file
# the content and NNN.path where it goes. A marker not followed by a fenced
# block, or a README without the markers, fails here rather than passing empty.
node - "$root/README.md" "$steps" <<'EOF'
const { readFileSync, writeFileSync } = require('fs');
const { join } = require('path');
const [readmePath, out] = process.argv.slice(2);
const readme = readFileSync(readmePath, 'utf8');
const marker = /<!-- quick-start:(run|file) ?([^ ]*) -->\n/g;
let count = 0;
for (let match; (match = marker.exec(readme));) {
  const block = /^(`{3,})[^\n]*\n([\s\S]*?)\n\1\n/.exec(readme.slice(marker.lastIndex));
  const line = readme.slice(0, match.index).split('\n').length;
  if (!block) throw new Error(`README.md:${line}: "${match[0].trim()}" is not followed by a fenced code block`);
  const step = String(++count).padStart(3, '0');
  if (match[1] === 'run') {
    writeFileSync(join(out, `${step}.run`), `${block[2]}\n`);
  } else {
    if (!match[2] || match[2].startsWith('/') || match[2].split('/').includes('..')) {
      throw new Error(`README.md:${line}: quick-start:file needs a path inside the app folder, got "${match[2]}"`);
    }
    writeFileSync(join(out, `${step}.path`), match[2]);
    writeFileSync(join(out, `${step}.file`), `${block[2]}\n`);
  }
}
if (!readme.includes('<!-- quick-start:run -->') || !readme.includes('<!-- quick-start:file ')) {
  throw new Error('README.md has no quick-start:run or quick-start:file blocks');
}
EOF

cd "$app"
installs=0
for step in "$steps"/*; do
  case "$step" in
    *.path) continue ;;
    *.file)
      path=$(cat "${step%.file}.path")
      mkdir -p "$(dirname "$path")"
      cp "$step" "$path"
      echo "quick-start: wrote $path"
      ;;
    *.run)
      while IFS= read -r line || [ -n "$line" ]; do
        [ -z "$line" ] && continue
        # The library's own name as an argument of npm install, and nothing else, becomes the tarball.
        if [[ "$line" == "npm install "* ]]; then
          replaced=$(sed -E "s#(^| )cdk-alarm-rollback( |\$)#\\1$tarball\\2#" <<<"$line")
          [ "$replaced" != "$line" ] && installs=$((installs + 1))
          line=$replaced
        fi
        echo "quick-start: \$ $line"
        # Output goes to a log (cdk synth prints the whole template), shown when the line fails.
        if ! bash -euo pipefail -c "$line" >"$steps/output.log" 2>&1; then
          cat "$steps/output.log" >&2
          echo "quick-start: failed: $line" >&2
          exit 1
        fi
      done <"$step"
      ;;
  esac
done
if [ "$installs" -ne 1 ]; then
  echo "quick-start: the README's install lines name cdk-alarm-rollback $installs time(s); expected once" >&2
  exit 1
fi
test -f cdk.out/manifest.json || { echo "quick-start: npx cdk synth wrote no cdk.out/manifest.json" >&2; exit 1; }
echo "quick-start: synthesized $(ls cdk.out/*.template.json | xargs -n1 basename | tr '\n' ' ')with $(node -p 'require("aws-cdk-lib/package.json").version') (aws-cdk-lib), $(npx cdk --version) (aws-cdk), node $(node --version)"
