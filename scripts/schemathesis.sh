#!/usr/bin/env bash
# Fuzzes the helper's HTTP API with Schemathesis (from PyPI, in a cached virtual environment): for each
# backend — the embedded stack exactly as `npm start` serves it (embedded issuer, store and demo users), then
# the 3scale adapter against the fake 3scale with a loopback test issuer — scripts/schemathesis-helper.ts
# starts a helper, and every operation of the served OpenAPI document is exercised with a valid bearer token — examples, coverage, fuzzing and stateful phases, every check
# (no 5xx, status codes, content types, headers and bodies conforming to the document, rejection of invalid
# input, 405 for undeclared methods, authentication enforced). Fails when any check fails or fewer than
# MIN_CASES cases were generated in all.
#
#   bash scripts/schemathesis.sh                   # both backends
#   SCHEMATHESIS_BACKENDS=embedded SCHEMATHESIS_MAX_EXAMPLES=50 bash scripts/schemathesis.sh
#   SCHEMATHESIS_SEED=1234 bash scripts/schemathesis.sh   # replay a run with the seed it printed
#
# Reports (JUnit XML and NDJSON events, per backend) go to tmp/schemathesis/<backend>/ (git-ignored).
# A failure prints a `curl` line that reproduces it; turn it into a node:test case under
# packages/helper/test/regressions/ as that folder's README explains.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

SCHEMATHESIS_VERSION=4.32.5
venv="${MLAAS_SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/mlaas/venv}"
python="${PYTHON:-python3}"
backends="${SCHEMATHESIS_BACKENDS:-embedded threescale}"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-200}"
min_cases="${SCHEMATHESIS_MIN_CASES:-1000}"
report_root="${SCHEMATHESIS_REPORT_DIR:-$root/tmp/schemathesis}"
# How long the helper may take to print its URL.
start_timeout_s=60

log() { printf 'schemathesis: %s\n' "$*" >&2; }

# The virtual environment is kept between runs and rebuilt only when the pinned version is not what it holds.
if [ "$("$venv/bin/schemathesis" --version 2>/dev/null || true)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
  log "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
  "$python" -m venv --clear "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
"$venv/bin/schemathesis" --version

work="$(mktemp -d "${TMPDIR:-/tmp}/mlaas-schemathesis.XXXXXX")"
helper_pid=""
stop_helper() {
  if [ -n "$helper_pid" ] && kill -0 "$helper_pid" 2>/dev/null; then
    kill -TERM "$helper_pid" 2>/dev/null || true
    wait "$helper_pid" 2>/dev/null || true
  fi
  helper_pid=""
}
cleanup() {
  stop_helper
  rm -rf "$work"
}
trap cleanup EXIT

total_cases=0
failed=0
for backend in $backends; do
  log "backend: $backend"
  line="$work/$backend.line"
  node --import tsx scripts/schemathesis-helper.ts --backend "$backend" --schema "$work/openapi-$backend.json" \
    >"$line" 2> >(sed "s/^/[helper $backend] /" >&2) &
  helper_pid=$!
  for _ in $(seq $((start_timeout_s * 10))); do
    [ -s "$line" ] && break
    kill -0 "$helper_pid" 2>/dev/null || { log "the helper exited before it listened"; exit 1; }
    sleep 0.1
  done
  [ -s "$line" ] || { log "the helper did not start within ${start_timeout_s}s"; exit 1; }
  url="$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).url)' "$line")"
  token="$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).token)' "$line")"

  report_dir="$report_root/$backend"
  mkdir -p "$report_dir"
  output="$work/$backend.out"
  seed_args=()
  [ -n "${SCHEMATHESIS_SEED:-}" ] && seed_args=(--seed "$SCHEMATHESIS_SEED")
  # Run from the report directory: Schemathesis keeps its example database (failing cases are tried first on
  # the next run) and replay data in the working directory.
  set +e
  (
    cd "$report_dir"
    "$venv/bin/schemathesis" run "$work/openapi-$backend.json" \
      --url "$url" \
      --header "Authorization: Bearer $token" \
      --phases examples,coverage,fuzzing,stateful \
      --checks all \
      --max-examples "$max_examples" \
      --request-timeout 30 \
      --report junit,ndjson \
      --report-dir "$report_dir" \
      --no-color \
      "${seed_args[@]}"
  ) 2>&1 | tee "$output"
  status=${PIPESTATUS[0]}
  set -e
  stop_helper

  cases="$(sed -n 's/^ *\([0-9][0-9]*\) generated.*/\1/p' "$output" | tail -n 1)"
  total_cases=$((total_cases + ${cases:-0}))
  if [ "$status" -ne 0 ]; then
    log "$backend: Schemathesis reported failures (exit $status); reports in $report_dir"
    failed=1
  fi
done

log "$total_cases cases generated in all (at least $min_cases required)"
if [ "$total_cases" -lt "$min_cases" ]; then
  log "too few cases: raise SCHEMATHESIS_MAX_EXAMPLES"
  failed=1
fi
exit "$failed"
