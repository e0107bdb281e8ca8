#!/usr/bin/env bash
# The two npm packages as they ship, each checked for what it holds:
# - the construct package (cdk-alarm-rollback, packed by jsii) holds lib/, the
#   handler asset, README.md, API.md, LICENSE, .jsii and package.json, and
#   nothing of the simulator: no command, no sample events, no bin entry;
# - the command's package (cdk-alarm-rollback-cli, packed by package:cli)
#   installs into an empty folder with npm, from the tarball and the npm
#   registry (for dynalite), at the construct's version, and
#   `npx cdk-alarm-rollback simulate --help` runs from it, and so does a
#   simulation of the README quick start's app, its ledger on that dynalite.
#
# usage: .ci/cli-package.sh [CONSTRUCT_TARBALL CLI_TARBALL]
#   without them, the library and the command are bundled, compiled and packed first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
absolute() { (cd "$(dirname "$1")" && echo "$PWD/$(basename "$1")"); }

if [ $# -eq 2 ]; then
  construct=$(absolute "$1")
  cli=$(absolute "$2")
elif [ $# -eq 0 ]; then
  npx projen bundle
  npx projen compile
  rm -rf dist/js
  npx projen package:js
  npx projen package:cli
  construct=$(echo "$root"/dist/js/cdk-alarm-rollback@*.tgz)
  cli=$(echo "$root"/dist/cli/cdk-alarm-rollback-cli-*.tgz)
else
  echo "usage: .ci/cli-package.sh [CONSTRUCT_TARBALL CLI_TARBALL]" >&2
  exit 2
fi
for tarball in "$construct" "$cli"; do
  test -f "$tarball" || { echo "cli-package: no tarball at $tarball (npx projen package:js, npx projen package:cli)" >&2; exit 1; }
done

# The construct package: what it may hold, by path.
extra=$(tar tzf "$construct" | grep -Ev '^package/(lib/.+|assets/lambda/.+|README\.md|API\.md|LICENSE|\.jsii|package\.json)$' || true)
if [ -n "$extra" ]; then
  echo "cli-package: $(basename "$construct") ships more than lib/, the handler asset, README.md, API.md, LICENSE and .jsii:" >&2
  echo "$extra" >&2
  echo "cli-package: leave it out in .projenrc.ts (addPackageIgnore) or, if it is the simulator's, ship it in packages/cli" >&2
  exit 1
fi
# No command declared, and none of the command's code compiled into lib/
# (its usage line and its dynalite probe are the command's alone).
tar xzf "$construct" -O package/package.json | node -e '
  const manifest = JSON.parse(require("fs").readFileSync(0, "utf8"));
  if (manifest.bin) {
    console.error(`cli-package: the construct package declares bin ${JSON.stringify(manifest.bin)}; the command belongs to cdk-alarm-rollback-cli`);
    process.exit(1);
  }'
if tar xzf "$construct" -O --wildcards 'package/lib/*' | grep -aqE 'usage: cdk-alarm-rollback|dynalite'; then
  echo "cli-package: the construct package's lib/ holds simulator code (the command's usage or dynalite): src/ must not import local/" >&2
  exit 1
fi
echo "cli-package: $(basename "$construct") ($(wc -c <"$construct" | tr -d ' ') bytes, $(tar tzf "$construct" | wc -l | tr -d ' ') files) holds no simulator code"

# The command's package, installed the way a user installs it.
app=$(mktemp -d "${TMPDIR:-/tmp}/cli-package.XXXXXX")
trap 'rm -rf "$app"' EXIT
cd "$app"
npm init -y >/dev/null
npm install --save-dev --no-audit --no-fund --loglevel=error "$cli"
# --no: the command must come from the package just installed; were it
# missing, npx would otherwise fetch a package of that name from the registry.
npx --no cdk-alarm-rollback simulate --help >help.txt
grep -q '^usage: cdk-alarm-rollback simulate' help.txt || {
  echo "cli-package: npx cdk-alarm-rollback simulate --help printed no usage line:" >&2
  cat help.txt >&2
  exit 1
}
# dynalite comes with the package: simulate gets past its check for it and
# stops at the missing cloud assembly instead.
if npx --no cdk-alarm-rollback simulate --assembly "$app/no-cdk.out" 2>stderr.txt; then
  echo "cli-package: simulate without a cloud assembly exited 0" >&2
  exit 1
fi
grep -q "no cloud assembly at $app/no-cdk.out" stderr.txt || {
  echo "cli-package: simulate did not reach the cloud assembly check (is dynalite installed with the package?):" >&2
  cat stderr.txt >&2
  exit 1
}
# A whole simulation from the installed package, its dynalite included: the
# README quick start's app (examples/readme-quick-start.ts, with the handler
# asset the build bundled) synthesized from this repository, one of the
# package's sample events, and the environment the app imports by id.
(cd "$root" && node - "$app/cdk.out" <<'NODE'
require('ts-node').register({ transpileOnly: true, project: 'test/tsconfig.json' });
const { App } = require('aws-cdk-lib');
const { RollbackStack } = require('./examples/readme-quick-start');
const app = new App({ outdir: process.argv[2] });
new RollbackStack(app, 'QuickStart', { env: { account: '123456789012', region: 'us-east-1' } });
app.synth();
NODE
)
cat >state.json <<'JSON'
{
  "appConfig": {
    "applications": [{ "id": "abc1234", "name": "my-service", "environments": [{ "id": "def5678", "name": "production" }] }],
    "deployments": [{ "application": "my-service", "environment": "production", "deploymentStrategy": "AppConfig.Linear20PercentEvery6Minutes", "startedMinutesAgo": 2 }]
  }
}
JSON
npx --no cdk-alarm-rollback simulate --assembly cdk.out --state state.json \
  --event node_modules/cdk-alarm-rollback-cli/samples/metric-alarm.json --json >report.json
ledger=$(node -p 'JSON.parse(require("fs").readFileSync("report.json", "utf8")).ledger.map((record) => `${record.target} ${record.outcome}`).join(", ")')
if [ -z "$ledger" ]; then
  echo "cli-package: simulate from the installed package recorded nothing in the ledger:" >&2
  cat report.json >&2
  exit 1
fi
echo "cli-package: simulate from the installed package recorded: $ledger"
for sample in metric-alarm composite-alarm flap redelivery; do
  test -f "node_modules/cdk-alarm-rollback-cli/samples/$sample.json" || { echo "cli-package: samples/$sample.json is missing from the package" >&2; exit 1; }
done
# One version for both packages.
cli_version=$(node -p 'require("cdk-alarm-rollback-cli/package.json").version')
construct_version=$(tar xzf "$construct" -O package/package.json | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).version')
if [ "$cli_version" != "$construct_version" ]; then
  echo "cli-package: cdk-alarm-rollback-cli is at $cli_version, the construct at $construct_version; pack both from the same build" >&2
  exit 1
fi
echo "cli-package: $(basename "$cli") ($(wc -c <"$cli" | tr -d ' ') bytes) installs, runs simulate --help and a simulation, at version $cli_version"
