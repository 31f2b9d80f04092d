#!/usr/bin/env bash
# Validates the report files of a certify run directory:
#   scripts/check-reports.sh DIR
#
# 1. DIR/messages.ndjson against the official Cucumber tooling (tools/report-check: the JSON
#    schema of @cucumber/messages, its parseEnvelope, the official gherkin parser, and the
#    envelope order and reference rules). `npm ci` installs the pinned packages on first use.
# 2. DIR/report.html rendered by headless Chromium: the dumped DOM must hold
#    <table id="coverage-matrix"> with one row per requirement of DIR/summary.json, and a
#    screenshot is written to DIR/report.png. Chromium is installed with apt-get when running
#    as root and it is missing. If it cannot be had, this part fails, unless
#    PAYRIG_SKIP_BROWSER=1, which skips it (and says so).
#
# Exit 0 when every check that ran passed.
set -euo pipefail

dir="${1:?usage: scripts/check-reports.sh DIR}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tool="$root/tools/report-check"

[[ -f "$dir/messages.ndjson" ]] || { echo "check-reports: $dir/messages.ndjson is missing" >&2; exit 1; }
[[ -f "$dir/report.html" ]] || { echo "check-reports: $dir/report.html is missing" >&2; exit 1; }

command -v node >/dev/null || { echo "check-reports: node is not installed" >&2; exit 1; }
if [[ ! -d "$tool/node_modules/@cucumber/messages" || ! -d "$tool/node_modules/@cucumber/gherkin" || ! -d "$tool/node_modules/ajv" ]]; then
  echo "check-reports: installing the pinned packages (npm ci)"
  npm ci --prefix "$tool" --no-audit --no-fund --loglevel=error
fi
node "$tool/check.mjs" "$dir/messages.ndjson"

if [[ "${PAYRIG_SKIP_BROWSER:-0}" == "1" ]]; then
  echo "check-reports: SKIP the browser check of $dir/report.html (PAYRIG_SKIP_BROWSER=1)"
  exit 0
fi

chromium_bin=""
for c in /usr/bin/chromium /usr/bin/chromium-browser; do
  [[ -x "$c" ]] && { chromium_bin="$c"; break; }
done
if [[ -z "$chromium_bin" ]]; then
  if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null; then
    echo "check-reports: installing chromium (apt-get)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
      echo "check-reports: FAILED to install chromium with apt-get; set PAYRIG_SKIP_BROWSER=1 to skip the browser check" >&2
      exit 1
    fi
    chromium_bin=/usr/bin/chromium
  else
    echo "check-reports: FAILED: chromium is not installed (and this is not root with apt-get); set PAYRIG_SKIP_BROWSER=1 to skip the browser check" >&2
    exit 1
  fi
fi

html="$(cd "$dir" && pwd)/report.html"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --disable-dev-shm-usage --user-data-dir="$profile")

dom="$profile.dom.html"
trap 'rm -rf "$profile" "$dom"' EXIT
timeout 120 "$chromium_bin" "${flags[@]}" --dump-dom "file://$html" >"$dom" 2>/dev/null || {
  echo "check-reports: chromium --dump-dom failed on $html" >&2
  exit 1
}
timeout 120 "$chromium_bin" "${flags[@]}" --hide-scrollbars --window-size=1280,2000 \
  --run-all-compositor-stages-before-draw --virtual-time-budget=3000 \
  --screenshot="$(cd "$dir" && pwd)/report.png" "file://$html" >/dev/null 2>&1 || {
  echo "check-reports: chromium --screenshot failed on $html" >&2
  exit 1
}

DOM_FILE="$dom" SUMMARY="$dir/summary.json" node --input-type=module -e '
import { readFileSync } from "node:fs"
const dom = readFileSync(process.env.DOM_FILE, "utf8")
const problems = []
const table = dom.match(/<table id="coverage-matrix"[\s\S]*?<\/table>/)
if (!table) problems.push("no <table id=\"coverage-matrix\"> in the rendered DOM")
const rows = table ? [...table[0].matchAll(/<tr id="req-([^"]+)"/g)].map((m) => m[1]) : []
let expected = null
try {
  expected = JSON.parse(readFileSync(process.env.SUMMARY, "utf8")).coverage.map((r) => r.id)
} catch (e) {
  problems.push(`cannot read summary.json: ${e.message}`)
}
if (expected) {
  if (rows.length !== expected.length) problems.push(`coverage matrix has ${rows.length} rows, summary.json ${expected.length} requirements`)
  const missing = expected.filter((id) => !rows.includes(id))
  if (missing.length) problems.push(`matrix rows missing: ${missing.join(", ")}`)
}
if (!dom.includes("pre-certification harness")) problems.push("caveat banner missing from the rendered DOM")
if (!/<input id="filter"[^>]*>/.test(dom) || /<input id="filter"[^>]*hidden/.test(dom)) problems.push("filter box not shown: the inline script did not run")
if (problems.length) { for (const p of problems) console.error("check-reports: " + p); process.exit(1) }
console.log(`check-reports: report.html renders in headless Chromium: coverage matrix with ${rows.length} rows, caveat present, script ran`)
'
[[ -s "$dir/report.png" ]] || { echo "check-reports: no screenshot written" >&2; exit 1; }
echo "check-reports: screenshot $dir/report.png"
