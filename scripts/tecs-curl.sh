#!/usr/bin/env bash
# TECS by hand: plain curl against a running `payrig serve --clock virtual --listen 127.0.0.1:PORT`.
#
#   scripts/tecs-curl.sh PORT
#
# Runs a sale, a preauthorization, its capture, a referenced refund (long TXID form), a cancel
# and an abort, and checks every answer's shape (message_type 0002, response_code,
# transaction_type, all 26 TransactionResponse members). makeTransaction blocks until the
# simulated customer and acquirer are done, so while a call is pending the script advances the
# virtual clock from the background. No jq needed: grep and sed only. Exits non-zero on the
# first mismatch. Transaction ids are unique per run, so it can run again on the same server.
set -euo pipefail

PORT="${1:?usage: $0 PORT}"
BASE="http://127.0.0.1:${PORT}"
AUTH="Authorization: tecs-authkey-1"
RUN="$(date +%s)"
RUN="${RUN: -6}$((RANDOM % 100))"
FAILS=0

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); exit 1; }

# The value of a string member of a flat JSON object: field NAME < body
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }

# Checks the TransactionResponse in $1: message_type 0002, the code, the type, 26 members.
check() {
    local what="$1" body="$2" code="$3" type="$4"
    local n
    n=$(printf '%s' "$body" | grep -o '"[a-z_]*":"' | wc -l | tr -d ' ')
    [ "$n" = 26 ] || fail "$what: $n members, expected 26: $body"
    [ "$(printf '%s' "$body" | field message_type)" = "0002" ] || fail "$what: message_type: $body"
    [ "$(printf '%s' "$body" | field response_code)" = "$code" ] || fail "$what: response_code is not $code: $body"
    [ "$(printf '%s' "$body" | field transaction_type)" = "$type" ] || fail "$what: transaction_type is not $type: $body"
    echo "ok   $what: $code, type $type"
}

# A request body: id, message type, amount, card_number, origin identifier, terminal.
body() {
    printf '{"amount":"%s","card_number":"%s","currency":"EUR","desired_currency":"EUR","ecr_data":"curl","language":"EN","message_type":"%s","payment_reason":"tecs-curl","receipt_layout":"01","receipt_number":"1","terminal_number":"%s","transaction_date_time":"20240521190912","transaction_id":"%s","transaction_origin_identifier":"%s","transaction_origin_indicator":"0","transaction_place":"1010","transaction_source_id":"1"}' \
        "$3" "$4" "$2" "${6:-88091105}" "$1" "${5:-1}"
}

post() { # body -> response body
    curl -sS --max-time 60 "$BASE/tecsclientrest/makeTransaction" -H "$AUTH" \
        -H 'Content-Type: application/json' -d "$1"
}

advance() { curl -sS -o /dev/null -X POST "$BASE/_payrig/v1/clock/advance" -d '{"until_idle":true}'; }

# Sends a makeTransaction and advances the virtual clock until it returns.
run() {
    local out
    out=$(mktemp)
    post "$1" >"$out" &
    local pid=$!
    for _ in $(seq 1 400); do
        kill -0 "$pid" 2>/dev/null || break
        advance
        sleep 0.05
    done
    wait "$pid" || fail "makeTransaction did not complete: $1"
    cat "$out"
    rm -f "$out"
}

txid() { printf 'TXID%020s' "$1" | tr ' ' '0'; }

for _ in $(seq 1 100); do
    curl -s -o /dev/null "$BASE/_payrig/v1/health" && break
    sleep 0.1
done
curl -sf "$BASE/tecsclientrest/version" | grep -q '"appName":"tecsclientrest"' || fail "version"
echo "ok   version"

# 1. Sale (0001, origin 1).
S="S${RUN}"
r=$(run "$(body "$S" 0001 1255 "")")
check "sale $S" "$r" 0000 01
printf '%s' "$r" | field card_number | grep -q '^411111\*\*\*\*\*\*1111_2712$' || fail "sale: masked card_number: $r"

# 2. Preauthorization (0001, origin 5).
P="P${RUN}"
r=$(run "$(body "$P" 0001 5000 "" 5)")
check "preauth $P" "$r" 0000 02

# 3. Capture of it (0013, origin 4, TXID short form).
C="C${RUN}"
r=$(run "$(body "$C" 0013 4000 "$(txid "$P")" 4)")
check "capture $C" "$r" 0000 03
[ "$(printf '%s' "$r" | field orig_tx_id)" = "$P" ] || fail "capture: orig_tx_id: $r"

# 4. Referenced refund of the sale (0011, TXID long form _01_<terminal>).
R="R${RUN}"
r=$(run "$(body "$R" 0011 300 "$(txid "$S")_01_88091105" 2)")
check "referenced refund $R" "$r" 0000 05
[ "$(printf '%s' "$r" | field orig_tx_id)" = "$S" ] || fail "refund: orig_tx_id: $r"

# 5. Cancel of a second sale (0013, origin 2): orig_tx_id and orig_stan come back.
S2="T${RUN}"
r=$(run "$(body "$S2" 0001 800 "")")
check "sale $S2" "$r" 0000 01
stan=$(printf '%s' "$r" | field stan)
X="X${RUN}"
r=$(run "$(body "$X" 0013 800 "$(txid "$S2")" 2)")
check "cancel $X" "$r" 0000 04
[ "$(printf '%s' "$r" | field orig_tx_id)" = "$S2" ] || fail "cancel: orig_tx_id: $r"
[ "$(printf '%s' "$r" | field orig_stan)" = "$stan" ] || fail "cancel: orig_stan is not $stan: $r"

# 6. Abort (0017) while terminal 88091234 waits for a card that never comes.
T=88091234
curl -sS -o /dev/null -X POST "$BASE/_payrig/v1/readers/$T/customer" -d '{"action":"never_present"}'
A="A${RUN}"
out=$(mktemp)
post "$(body "$A" 0001 500 "" 1 "$T")" >"$out" &
pid=$!
for _ in $(seq 1 200); do
    curl -s "$BASE/_payrig/v1/terminals/$T" | grep -q '"state":"AwaitingCard"' && break
    sleep 0.02
done
B="B${RUN}"
r=$(post "$(body "$B" 0017 0 "" 1 "$T")")
check "abort $B" "$r" 0000 17
wait "$pid" || fail "the aborted sale did not complete"
r=$(cat "$out"); rm -f "$out"
check "aborted sale $A" "$r" 2001 01
# Nothing left to abort: 2004.
r=$(post "$(body "N${RUN}" 0017 0 "" 1 "$T")")
check "abort on an idle terminal" "$r" 2004 17
# The default customer again.
curl -sS -o /dev/null -X POST "$BASE/_payrig/v1/readers/$T/customer" \
    -d '{"action":"script","customer":{"card":"tecs_visa","present_after":"2s"}}'

[ "$FAILS" = 0 ] || exit 1
echo "all TECS curl checks passed"
