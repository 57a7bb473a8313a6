#!/usr/bin/env bash
# Load comparison on loopback: the Showcase as one plain Kestrel process against the same app behind Defuss,
# alternated for a number of rounds, with wrk. Prints every run and the median of each topology.
#
#   bench/load/compare.sh [rounds] [duration] [connections] [workers]
#
# Defaults: 3 rounds of 10 s, 64 connections, 2 workers; GET / keep-alive, then GET / with a new connection
# per request. Installs wrk with apt-get when it is missing. Every process it starts is stopped by pid.
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=${1:-3}
duration=${2:-10}
connections=${3:-64}
workers=${4:-2}
plain_port=3101
defuss_port=3102
dll=samples/Defuss.Samples.Showcase/bin/Release/net10.0/Defuss.Samples.Showcase.dll

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
[ -f "$dll" ] || dotnet build samples/Defuss.Samples.Showcase -c Release -nologo -v q

pids=()
cleanup() { for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_for() { # url
  for _ in $(seq 1 300); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "not answering: $1" >&2; return 1
}

dotnet "$dll" --Showcase:Plain=true --urls "http://127.0.0.1:$plain_port" --Serilog:MinimumLevel:Default=Warning >/dev/null 2>&1 &
pids+=($!)
dotnet "$dll" --Defuss:Host=127.0.0.1 --Defuss:Port=$defuss_port --Defuss:Workers=$workers --Serilog:MinimumLevel:Default=Warning >/dev/null 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$plain_port/"
wait_for "http://127.0.0.1:$defuss_port/"

# Warm both up (JIT, tiered compilation, connection pools).
wrk -t1 -c"$connections" -d3s "http://127.0.0.1:$plain_port/" >/dev/null
wrk -t1 -c"$connections" -d3s "http://127.0.0.1:$defuss_port/" >/dev/null

run() { # name port extra-header...
  local name=$1 port=$2; shift 2
  wrk -t1 -c"$connections" -d"${duration}s" "$@" "http://127.0.0.1:$port/" | awk -v n="$name" '/Requests\/sec/ {print n, $2}'
}

results=$(mktemp)
for round in $(seq 1 "$rounds"); do
  run plain-keepalive $plain_port | tee -a "$results"
  run defuss-keepalive $defuss_port | tee -a "$results"
  run plain-newconn $plain_port -H "Connection: close" | tee -a "$results"
  run defuss-newconn $defuss_port -H "Connection: close" | tee -a "$results"
done

echo
echo "median req/s over $rounds rounds (wrk -t1 -c$connections -d${duration}s, GET /, $workers workers):"
for name in plain-keepalive defuss-keepalive plain-newconn defuss-newconn; do
  grep "^$name " "$results" | awk '{print $2}' | sort -n | awk -v n="$name" '{a[NR]=$1} END {printf "%-18s %10.0f\n", n, a[int((NR+1)/2)]}'
done | tee "$results.medians"
awk '{m[$1]=$2} END {printf "defuss/plain        keep-alive %.2fx, new connection %.2fx\n", m["defuss-keepalive"]/m["plain-keepalive"], m["defuss-newconn"]/m["plain-newconn"]}' "$results.medians"
rm -f "$results" "$results.medians"
