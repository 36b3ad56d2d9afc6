#!/usr/bin/env bash
# CPU time to load one CLI module against the library that could replace it, each in a fresh process
# (median of RUNS; CPU time rather than wall time, so other work on the machine disturbs it less).
#
#   npm run build && bash bench/cli-module-load.sh DIR_WITH_LIBRARIES
#
# DIR_WITH_LIBRARIES is a folder where the candidates are installed (npm install proper-lockfile
# write-file-atomic@6 cli-table3 columnify yocto-spinner nanospinner @inquirer/password@5); the project
# itself does not depend on them. Options via environment: RUNS (default 15).
set -euo pipefail
cd "$(dirname "$0")/.."
LIBS="${1:?folder with the candidate libraries installed}"
RUNS="${RUNS:-15}"
DIST="$PWD/packages/cli/dist"
empty="$(mktemp --suffix=.mjs)"
echo 'export {};' >"$empty"
trap 'rm -f "$empty"' EXIT

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
load_ms() {
  for _ in $(seq 1 "$RUNS"); do
    (cd "$LIBS" && node --input-type=module -e "const t = process.cpuUsage(); await import('$1'); const d = process.cpuUsage(t); console.log(((d.user + d.system) / 1000).toFixed(2))")
  done | median
}
base="$(load_ms "$empty")"
echo "| module | CPU ms to load (median) | over an empty module |"
echo "|---|---:|---:|"
for m in "$DIST/output/table.js" cli-table3 columnify "$DIST/output/spinner.js" yocto-spinner nanospinner \
  "$DIST/cli/prompt.js" @inquirer/password "$DIST/store/file-lock.js" proper-lockfile \
  "$DIST/store/atomic-write.js" write-file-atomic; do
  ms="$(load_ms "$m")"
  echo "| \`${m#"$DIST/"}\` | $ms | $(awk -v a="$ms" -v b="$base" 'BEGIN { printf "%+.1f", a - b }') |"
done
