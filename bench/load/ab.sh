#!/usr/bin/env bash
# A/B of two builds of Defuss on loopback with wrk, round by round so that they share the machine's noise: the Showcase
# of checkout A and of checkout B, each as a Defuss primary with N workers in one delivery mode. For every run it reads
# the primary's CPU time from /proc/PID/stat, so it prints both the throughput and the primary's CPU per request.
#
#   bench/load/ab.sh <checkout A> <checkout B> [rounds] [duration] [connections] [workers] [delivery]
#
# Each checkout must have its Showcase built in Release (dotnet build samples/Defuss.Samples.Showcase -c Release).
# Defaults: 3 rounds of 10 s, 64 connections, 2 workers, Handoff; GET / with a new connection per request, then
# keep-alive. Installs wrk with apt-get when it is missing. Every process it starts is stopped by pid.
set -euo pipefail

a=$(cd "$1" && pwd)
b=$(cd "$2" && pwd)
rounds=${3:-3}
duration=${4:-10}
connections=${5:-64}
workers=${6:-2}
delivery=${7:-Handoff}
port_a=3121
port_b=3122
dll=samples/Defuss.Samples.Showcase/bin/Release/net10.0/Defuss.Samples.Showcase.dll
for checkout in "$a" "$b"; do
  [ -f "$checkout/$dll" ] || { echo "no Release build of the Showcase in $checkout" >&2; exit 1; }
done
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

. "$(dirname "$0")/lib.sh"
declare -A primary
for side in a b; do
  checkout=$([ $side = a ] && echo "$a" || echo "$b")
  port=$([ $side = a ] && echo $port_a || echo $port_b)
  dotnet "$checkout/$dll" --Defuss:Host=127.0.0.1 --Defuss:Port=$port --Defuss:Workers=$workers --Defuss:Delivery=$delivery $quiet >/dev/null 2>&1 &
  pids+=($!)
  primary[$side]=$!
done
for port in $port_a $port_b; do wait_for "http://127.0.0.1:$port/"; done

for port in $port_a $port_b; do
  wrk -t1 -c"$connections" -d3s "http://127.0.0.1:$port/" >/dev/null
  wrk -t1 -c"$connections" -d3s -H "Connection: close" "http://127.0.0.1:$port/" >/dev/null
done

tick=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; } # utime + stime, in ticks

run() { # side mode extra-header...
  local side=$1 mode=$2; shift 2
  local port=$([ $side = a ] && echo $port_a || echo $port_b)
  local pid=${primary[$side]}
  local before after out
  before=$(cpu "$pid")
  out=$(wrk -t1 -c"$connections" -d"${duration}s" "$@" "http://127.0.0.1:$port/")
  after=$(cpu "$pid")
  echo "$out" | awk -v n="$side-$mode" -v t0="$before" -v t1="$after" -v tick="$tick" '
    /requests in/ {requests=$1}
    /Requests\/sec/ {rps=$2}
    END {printf "%-12s %10.0f req/s  %6.1f us of primary CPU per request\n", n, rps, (t1-t0)/tick*1e6/requests}'
}

results="$work/results"
for round in $(seq 1 "$rounds"); do
  for side in a b; do run "$side" newconn -H "Connection: close" | tee -a "$results"; done
  for side in a b; do run "$side" keepalive | tee -a "$results"; done
done

echo
echo "median over $rounds rounds (wrk -t1 -c$connections -d${duration}s, GET /, $workers workers, $delivery):"
echo "  A = $a"
echo "  B = $b"
for mode in newconn keepalive; do
  for side in a b; do
    rps=$(grep "^$side-$mode " "$results" | awk '{print $2}' | median)
    us=$(grep "^$side-$mode " "$results" | awk '{print $4}' | median)
    printf "%-12s %10.0f req/s  %6.1f us of primary CPU per request\n" "$side-$mode" "$rps" "$us"
  done
done | tee "$results.medians"
awk '{rps[$1]=$2; us[$1]=$4} END {
  printf "B/A of the medians, new connection per request: throughput %.2fx, primary CPU per connection %.2fx\n", rps["b-newconn"]/rps["a-newconn"], us["b-newconn"]/us["a-newconn"]
  printf "B/A of the medians, keep-alive:                 throughput %.2fx\n", rps["b-keepalive"]/rps["a-keepalive"]
}' "$results.medians"

# The same ratios round by round (A and B ran back to back, so they shared that round's noise), then their median.
for mode in newconn keepalive; do
  paste <(grep "^a-$mode " "$results" | awk '{print $2, $4}') <(grep "^b-$mode " "$results" | awk '{print $2, $4}') |
    awk '{print $3/$1, ($2 > 0 ? $4/$2 : 0)}' > "$work/ratios-$mode"
done
printf "median of the round-by-round B/A, new connection per request: throughput %.2fx, primary CPU per connection %.2fx\n" \
  "$(awk '{print $1}' "$work/ratios-newconn" | median)" "$(awk '{print $2}' "$work/ratios-newconn" | median)"
printf "median of the round-by-round B/A, keep-alive:                 throughput %.2fx\n" "$(awk '{print $1}' "$work/ratios-keepalive" | median)"
