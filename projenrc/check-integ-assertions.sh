#!/usr/bin/env bash
# integ-runner's snapshot check compares the stacks under test and skips the
# assertion stacks (their custom resources carry a salt that changes on every
# synthesis), so a changed assertion would pass unnoticed. This synthesizes
# each test/integ.*.ts app and compares its assertion stack templates with
# the committed snapshot, salts masked.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mask() { sed -E 's/"salt": ?"[0-9]+"/"salt": "<masked>"/' "$1"; }

failed=0
for app in test/integ.*.ts; do
  name=$(basename "$app")
  snapshot="$app.snapshot"
  if [ ! -d "$snapshot" ]; then
    echo "$app has no snapshot: run npx projen integ:update and commit $snapshot" >&2
    failed=1
    continue
  fi
  CDK_OUTDIR="$out/$name" ts-node --transpile-only --project test/tsconfig.json "$app" >/dev/null
  for expected in "$snapshot"/*DeployAssert*.template.json; do
    actual="$out/$name/$(basename "$expected")"
    if [ ! -f "$actual" ]; then
      echo "$app no longer synthesizes $(basename "$expected"): run npx projen integ:update and commit $snapshot" >&2
      failed=1
    elif ! diff -u <(mask "$expected") <(mask "$actual") > "$out/$name.diff"; then
      echo "$app: assertions differ from $expected (run npx projen integ:update and commit the snapshot):" >&2
      head -40 "$out/$name.diff" >&2
      failed=1
    else
      echo "UNCHANGED  $name assertions"
    fi
  done
done
exit "$failed"
