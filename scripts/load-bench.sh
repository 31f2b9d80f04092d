#!/usr/bin/env bash
# payrig side-by-side HTTP load bench and the ATIONet memory figure (issue 5), in one command.
#
#   scripts/load-bench.sh            # 10 s per server (after a 2 s warm-up each)
#   QUICK=1 scripts/load-bench.sh    # 3 s per server (1 s warm-up)
#
# One load generator for all four servers: wrk, CONNECTIONS (32) connections on THREADS (2)
# threads, `--latency`. Each server runs alone on 127.0.0.1 on a free port, is started fresh for
# its run and stopped after it:
#   (a) payrig (release, --clock real, --workers 1) TECS makeTransaction, instant-approve scenario:
#       the customer presents at once with no CVM and no tip, the acquirer answers at once;
#       a fresh transaction_id per request, each in-flight request on its own terminal.
#       The reader's read_time and complete_time are 0 ms too ([tecs] read_time, complete_time).
#   (a2) the same with the default worker count (one per core).
#   (b) payrig ATIONet MobilePayments with fresh keys, then GetTransaction of each (default
#       workers: its requests hold the world's lock briefly, and two workers serve more).
#   (c) load-hello: bare hyper 1 on tokio answering the same approval JSON (the ceiling).
#   (d) WireMock standalone (npm package `wiremock`, java), one static stub answering the same
#       approval JSON, request journal off.
# Then atn-resident: VmRSS of 1,000,000 live ATIONet transactions.
#
# Installs what is missing (wrk via apt-get, WireMock via npm into $CACHE), sends traffic only to
# 127.0.0.1, and kills every process it started on exit. Raw wrk outputs go to $OUT.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
QUICK=${QUICK:-0}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
if [ "$QUICK" = 1 ]; then DURATION=${DURATION:-3s}; WARMUP=${WARMUP:-1s}; else DURATION=${DURATION:-10s}; WARMUP=${WARMUP:-2s}; fi
RESIDENT_N=${RESIDENT_N:-1000000}
WIREMOCK_VERSION=${WIREMOCK_VERSION:-3.13.2}
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/payrig-load}
OUT=${OUT:-$ROOT/target/load-bench}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
TERMINALS_PER_THREAD=${TERMINALS_PER_THREAD:-32}
# payrig's async workers for row (a). Each protocol's world is one lock-protected
# state machine; with wrk's threads on the same 2 cores, two workers contend for that lock
# (a preempted lock holder stalls the other), and one worker serves more. Row (a2) repeats (a)
# with the default (one per core).
PAYRIG_WORKERS=${PAYRIG_WORKERS:-1}
export TERMINALS_PER_THREAD

WORK=$(mktemp -d /tmp/payrig-load.XXXXXX)
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*" >&2; }

# ---- tools ---------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
    say "installing wrk (apt-get)"
    timeout 300 apt-get install -y wrk >&2
fi
JAR=$(ls "$CACHE"/node_modules/wiremock/build/wiremock-standalone-*.jar 2>/dev/null | head -n1 || true)
if [ -z "$JAR" ]; then
    say "installing WireMock $WIREMOCK_VERSION (npm package wiremock) into $CACHE"
    mkdir -p "$CACHE"
    timeout 300 npm install --prefix "$CACHE" --no-audit --no-fund "wiremock@$WIREMOCK_VERSION" >&2
    JAR=$(ls "$CACHE"/node_modules/wiremock/build/wiremock-standalone-*.jar | head -n1)
fi
command -v java >/dev/null || { say "java not found (WireMock needs Java 11+)"; exit 1; }

say "building release binaries (payrig, payrig-load)"
(cd "$ROOT" && timeout 3600 cargo build --release -q -p payrig -p payrig-load >&2)
PAYRIG=$TARGET_DIR/release/payrig
HELLO=$TARGET_DIR/release/load-hello
RESIDENT=$TARGET_DIR/release/atn-resident
mkdir -p "$OUT"

# ---- helpers -------------------------------------------------------------------------------
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http URL: up to 60 s for any HTTP answer.
wait_http() {
    local i
    for i in $(seq 1 600); do
        if curl -s -o /dev/null --max-time 1 "$1"; then return 0; fi
        sleep 0.1
    done
    say "no answer from $1 after 60 s"
    return 1
}

# start NAME CMD...: runs CMD in the background, logs to $OUT/NAME.log, records its pid.
start() {
    local name=$1
    shift
    "$@" >"$OUT/$name.log" 2>&1 &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
}

stop() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

rss_mib() {
    awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"
}

# to_ms VALUE: wrk's "812.00us" / "1.23ms" / "1.02s" in milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n = n * 60000; else if (v ~ /s$/) n = n * 1000
        printf "%.2f", n }'
}

# bench KEY LABEL URL LUA: warm-up, then the measured run; fills R_<field>[KEY].
declare -A R_RPS R_P50 R_P99 R_OK R_BAD R_ERR R_LABEL
bench() {
    local key=$1 label=$2 url=$3 lua=$4 txt=$OUT/$1.wrk.txt
    say "  warm-up $WARMUP, then $DURATION: $label"
    timeout 120 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" --timeout 2s -s "$lua" "$url" >/dev/null 2>&1 || true
    # Let work the warm-up left in flight finish (a TECS sale blocks its terminal for the
    # reader's 500 ms read time; a new run on it meanwhile would get 3003 busy).
    sleep 1
    timeout 300 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 2s --latency -s "$lua" "$url" >"$txt" 2>"$OUT/$1.wrk.err"
    R_LABEL[$key]=$label
    R_RPS[$key]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$txt")
    R_P50[$key]=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$txt")")
    R_P99[$key]=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$txt")")
    R_OK[$key]=$(sed -n 's/^LUA ok=\([0-9]*\).*/\1/p' "$txt")
    R_BAD[$key]=$(sed -n 's/^LUA ok=[0-9]* bad=\([0-9]*\).*/\1/p' "$txt")
    R_ERR[$key]=$(awk '/Socket errors:/ { sub(/.*Socket errors: /, ""); print }' "$txt")
}

# ---- machine -------------------------------------------------------------------------------
say "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/ { print $2 }') GiB; $(uptime | sed 's/.*load/load/')"

# ---- (a) payrig TECS instant approve ---------------------------------------------------------
SCENARIO=$WORK/instant.toml
{
    cat "$ROOT/fixtures/tecs/scenarios/instant-approve.toml"
    for t in $(seq 1 "$THREADS"); do
        for i in $(seq 0 $((TERMINALS_PER_THREAD - 1))); do
            printf '[[tecs.terminal]]\nnumber = "9%02d%05d"\ncustomer = { card = "tecs_visa", present_after = "0ms", pin_after = "0ms", tip = "none" }\n' "$t" "$i"
        done
    done
} >"$SCENARIO"
cp "$SCENARIO" "$OUT/instant.toml"

say "(a) payrig TECS makeTransaction, --workers $PAYRIG_WORKERS"
PORT=$(free_port)
start payrig-tecs "$PAYRIG" --workers "$PAYRIG_WORKERS" serve --listen "127.0.0.1:$PORT" --clock real --seed 42 --scenario "$SCENARIO"
PID_A=$LAST_PID
wait_http "http://127.0.0.1:$PORT/tecsclientrest/version"
RSS_A0=$(rss_mib "$PID_A")
bench tecs "payrig TECS (instant approve), --workers $PAYRIG_WORKERS" "http://127.0.0.1:$PORT" "$ROOT/benches/load/wrk/tecs.lua"
RSS_A1=$(rss_mib "$PID_A")
stop "$PID_A"

# The same with the runtime's default worker count (one per core), for comparison.
say "(a2) payrig TECS makeTransaction, default workers"
PORT=$(free_port)
start payrig-tecs-default "$PAYRIG" serve --listen "127.0.0.1:$PORT" --clock real --seed 42 --scenario "$SCENARIO"
PID_A2=$LAST_PID
wait_http "http://127.0.0.1:$PORT/tecsclientrest/version"
bench tecs_default "payrig TECS (instant approve), default workers" "http://127.0.0.1:$PORT" "$ROOT/benches/load/wrk/tecs.lua"
stop "$PID_A2"

# ---- (b) payrig ATIONet create + get -------------------------------------------------------
say "(b) payrig ATIONet MobilePayments + GetTransaction"
PORT=$(free_port)
start payrig-ationet "$PAYRIG" serve --listen "127.0.0.1:$PORT" --clock real --seed 42 --scenario "$SCENARIO"
PID_B=$LAST_PID
wait_http "http://127.0.0.1:$PORT/tecsclientrest/version"
bench ationet "payrig ATIONet MobilePayments + GetTransaction" "http://127.0.0.1:$PORT" "$ROOT/benches/load/wrk/ationet.lua"
RSS_B1=$(rss_mib "$PID_B")
stop "$PID_B"

# ---- (c) bare hyper ------------------------------------------------------------------------
say "(c) bare hyper"
PORT=$(free_port)
start load-hello "$HELLO" "127.0.0.1:$PORT"
PID_C=$LAST_PID
wait_http "http://127.0.0.1:$PORT/"
bench hyper "bare hyper 1 + tokio, static approval" "http://127.0.0.1:$PORT" "$ROOT/benches/load/wrk/tecs.lua"
stop "$PID_C"

# ---- (d) WireMock --------------------------------------------------------------------------
say "(d) WireMock $(basename "$JAR")"
PORT=$(free_port)
start wiremock java -jar "$JAR" --port "$PORT" --bind-address 127.0.0.1 --no-request-journal \
    --disable-banner --disable-request-logging
PID_D=$LAST_PID
wait_http "http://127.0.0.1:$PORT/__admin/mappings"
python3 - "$ROOT/fixtures/tecs/sale.response.json" >"$WORK/stub.json" <<'EOF'
import json, sys
body = open(sys.argv[1]).read().strip()
print(json.dumps({
    "request": {"method": "POST", "urlPath": "/tecsclientrest-auth/makeTransaction"},
    "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": body},
}))
EOF
curl -sf --max-time 10 -X POST -H 'Content-Type: application/json' --data @"$WORK/stub.json" \
    "http://127.0.0.1:$PORT/__admin/mappings" >/dev/null
bench wiremock "WireMock $WIREMOCK_VERSION static stub" "http://127.0.0.1:$PORT" "$ROOT/benches/load/wrk/tecs.lua"
stop "$PID_D"

# ---- memory --------------------------------------------------------------------------------
say "atn-resident $RESIDENT_N"
MEMORY=$(timeout 600 "$RESIDENT" "$RESIDENT_N")

# ---- report --------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
{
    echo
    echo "load bench: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (after a $WARMUP warm-up), 127.0.0.1, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/ { print $2 }') GiB; $(uptime | sed 's/.*load/load/')"
    echo
    printf '| %-48s | %9s | %7s | %7s | %-22s |\n' "server" "req/s" "p50 ms" "p99 ms" "checked answers"
    printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..50})" "-----------:" "--------:" "--------:" "$(printf -- '-%.0s' {1..24})"
    for k in tecs tecs_default ationet hyper wiremock; do
        chk="ok ${R_OK[$k]:-?}, bad ${R_BAD[$k]:-?}"
        [ -n "${R_ERR[$k]:-}" ] && chk="$chk; socket errors: ${R_ERR[$k]}"
        printf '| %-48s | %9s | %7s | %7s | %-22s |\n' "${R_LABEL[$k]}" "${R_RPS[$k]}" "${R_P50[$k]}" "${R_P99[$k]}" "$chk"
    done
    echo
    echo "payrig TECS / WireMock:   $(ratio "${R_RPS[tecs]}" "${R_RPS[wiremock]}")x   (target >= 3)"
    echo "payrig TECS / bare hyper: $(ratio "${R_RPS[tecs]}" "${R_RPS[hyper]}")    (target >= 0.60)"
    echo "payrig ATIONet / WireMock: $(ratio "${R_RPS[ationet]}" "${R_RPS[wiremock]}")x; payrig ATIONet / bare hyper: $(ratio "${R_RPS[ationet]}" "${R_RPS[hyper]}")"
    echo "payrig TECS p99:          ${R_P99[tecs]} ms   (target < 5 ms)"
    echo "with default workers: TECS / WireMock $(ratio "${R_RPS[tecs_default]}" "${R_RPS[wiremock]}")x, TECS / bare hyper $(ratio "${R_RPS[tecs_default]}" "${R_RPS[hyper]}"), p99 ${R_P99[tecs_default]} ms"
    echo "payrig VmRSS: TECS server ${RSS_A0} MiB at start, ${RSS_A1} MiB after its runs; ATIONet server ${RSS_B1} MiB after its runs"
    echo
    echo "$MEMORY   (target: 1,000,000 in < 1 GiB)"
} | tee "$OUT/summary.txt"
