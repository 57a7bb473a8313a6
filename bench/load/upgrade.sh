#!/usr/bin/env bash
# A new primary under load: wrk opens a new connection per request against the Showcase (2 workers) while the primary
# is replaced, once by a hand-over (SIGUSR2) and once, for contrast, by a stop and a start on the same port. Prints the
# requests, the socket errors (connect: refused) and non-2xx answers of each, and how long the hand-over took from the
# signal to the new primary accepting (from the log's timestamps).
#
#   bench/load/upgrade.sh [delivery] [duration] [connections]
#
# Defaults: Handoff, 9 s, 32 connections. Installs wrk with apt-get when it is missing. Every process it starts is
# stopped by pid.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/load/lib.sh

delivery=${1:-Handoff}
duration=${2:-9}
connections=${3:-32}
port=3120
dll=samples/Defuss.Samples.Showcase/bin/Release/net10.0/Defuss.Samples.Showcase.dll
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ -f "$dll" ] || dotnet build samples/Defuss.Samples.Showcase -c Release -v q >/dev/null

start_primary() { # log; sets $primary
  DEFUSS_ADMIN_DIR="$work" dotnet "$dll" --Defuss:Host=127.0.0.1 --Defuss:Port=$port --Defuss:Workers=2 \
    --Defuss:Delivery="$delivery" >"$1" 2>&1 &
  primary=$!
  pids+=("$primary")
  wait_for "http://127.0.0.1:$port/pid"
}

load() { # output; sets $wrk_pid
  wrk -t1 -c"$connections" -d"${duration}s" -H 'Connection: close' "http://127.0.0.1:$port/pid" >"$1" 2>&1 &
  wrk_pid=$!
  pids+=("$wrk_pid")
}

report() { # name wrk-output
  local requests errors non2xx
  requests=$(awk '/requests in/ {print $1}' "$2")
  errors=$(grep -o 'Socket errors:.*' "$2" || echo 'Socket errors: none')
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$2")
  printf '%-10s %8s requests   %s   non-2xx: %s\n' "$1" "$requests" "$errors" "${non2xx:-0}"
}

# 1. A hand-over.
start_primary "$work/handover.log"
load "$work/handover.wrk"
sleep $((duration / 3))
kill -USR2 "$primary"
for _ in $(seq 1 600); do grep -q 'Hand-over done\|Hand-over failed' "$work/handover.log" && break; sleep 0.05; done
successor=$(grep -oP 'started the new primary, pid \K\d+' "$work/handover.log" | head -1)
pids+=("$successor")
wait "$wrk_pid" || true
asked=$(grep -oP '^\S+(?= INF .*Hand-over asked for)' "$work/handover.log" | head -1)
done_at=$(grep -oP '^\S+(?= INF .*Hand-over done)' "$work/handover.log" | head -1)

# 2. A stop and a start on the same port, under the same load.
kill -TERM "$successor"
while kill -0 "$successor" 2>/dev/null; do sleep 0.05; done
start_primary "$work/restart-1.log"
load "$work/restart.wrk"
sleep $((duration / 3))
kill -TERM "$primary"
while kill -0 "$primary" 2>/dev/null; do sleep 0.02; done
start_primary "$work/restart-2.log"
wait "$wrk_pid" || true

echo "delivery $delivery, wrk -t1 -c$connections -d${duration}s, a new connection per request, the primary replaced at $((duration / 3)) s"
report hand-over "$work/handover.wrk"
report restart "$work/restart.wrk"
python3 - "$asked" "$done_at" <<'EOF' 2>/dev/null || echo "hand-over: signal at $asked, new primary accepting at $done_at"
import sys
from datetime import datetime
a, b = (datetime.strptime(t, "%H:%M:%S.%f") for t in sys.argv[1:3])
print(f"hand-over: {(b - a).total_seconds() * 1000:.0f} ms from SIGUSR2 to the new primary accepting")
EOF
