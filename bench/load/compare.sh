#!/usr/bin/env bash
# Load comparison on loopback with wrk, the topologies alternated round by round so that they share the machine's noise:
#   plain    the Showcase as one plain Kestrel process (the ceiling)
#   handoff  Defuss, Defuss:Delivery=Handoff (the accepted socket goes to the worker)
#   proxy    Defuss, Defuss:Delivery=Proxy (the primary pumps the bytes)
#   nginx    nginx's stream (TCP) proxy, one worker process, in front of N plain Kestrel processes
#   floor    a minimal handoff primary in C (handoff-floor.c: epoll, accept4, peek, SCM_RIGHTS, close) with two tiny C
#            workers, run with a new connection per request only: the least CPU a primary can spend per handed-off
#            connection on this machine
# Prints every run, the median of each, the ratios, and the CPU per request of the Defuss primaries and of the floor
# (utime + stime from /proc/PID/stat around each run).
#
#   bench/load/compare.sh [rounds] [duration] [connections] [workers]
#
# Defaults: 3 rounds of 10 s, 64 connections, 2 workers; GET / keep-alive, then GET / with a new connection per request.
# Installs wrk, nginx and gcc with apt-get when they are missing. Every process it starts is stopped by pid.
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=${1:-3}
duration=${2:-10}
connections=${3:-64}
workers=${4:-2}
plain_port=3101
handoff_port=3102
proxy_port=3103
nginx_port=3104
floor_port=3105
backend_base=3110
dll=samples/Defuss.Samples.Showcase/bin/Release/net10.0/Defuss.Samples.Showcase.dll

stream_module=/usr/lib/nginx/modules/ngx_stream_module.so
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v gcc >/dev/null || missing+=(gcc)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -f "$stream_module" ] || missing+=(libnginx-mod-stream) # Debian builds the stream proxy as a module
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -f "$dll" ] || dotnet build samples/Defuss.Samples.Showcase -c Release -nologo -v q

. bench/load/lib.sh
dotnet "$dll" --Showcase:Plain=true --urls "http://127.0.0.1:$plain_port" $quiet >/dev/null 2>&1 &
pids+=($!)
declare -A primary
for delivery in Handoff Proxy; do
  port=$([ $delivery = Handoff ] && echo $handoff_port || echo $proxy_port)
  dotnet "$dll" --Defuss:Host=127.0.0.1 --Defuss:Port=$port --Defuss:Workers=$workers --Defuss:Delivery=$delivery $quiet >/dev/null 2>&1 &
  pids+=($!)
  primary[${delivery,,}]=$!
done
gcc -O2 -o "$work/handoff-floor" bench/load/handoff-floor.c
"$work/handoff-floor" $floor_port 2>/dev/null &
pids+=($!)
primary[floor]=$!

upstreams=""
for i in $(seq 0 $((workers - 1))); do
  dotnet "$dll" --Showcase:Plain=true --urls "http://127.0.0.1:$((backend_base + i))" $quiet >/dev/null 2>&1 &
  pids+=($!)
  upstreams+="    server 127.0.0.1:$((backend_base + i));"$'\n'
done
cat > "$work/nginx.conf" <<CONF
load_module $stream_module;
daemon off;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 4096; }
stream {
  upstream showcase {
$upstreams  }
  server { listen 127.0.0.1:$nginx_port; proxy_pass showcase; }
}
CONF
"$nginx_bin" -p "$work" -c "$work/nginx.conf" &
pids+=($!)

for port in $plain_port $handoff_port $proxy_port $nginx_port $floor_port; do wait_for "http://127.0.0.1:$port/"; done

# Warm every topology up (JIT, tiered compilation, pools).
for port in $plain_port $handoff_port $proxy_port $nginx_port; do
  wrk -t1 -c"$connections" -d3s "http://127.0.0.1:$port/" >/dev/null
  wrk -t1 -c"$connections" -d2s -H "Connection: close" "http://127.0.0.1:$port/" >/dev/null
done
wrk -t1 -c"$connections" -d2s -H "Connection: close" "http://127.0.0.1:$floor_port/" >/dev/null

tick=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; } # utime + stime, in ticks

run() { # name port extra-header...
  local name=$1 port=$2; shift 2
  local pid=${primary[${name%%-*}]:-} before=0 after=0 out
  [ -n "$pid" ] && before=$(cpu "$pid")
  out=$(wrk -t1 -c"$connections" -d"${duration}s" "$@" "http://127.0.0.1:$port/")
  [ -n "$pid" ] && after=$(cpu "$pid")
  echo "$out" | awk -v n="$name" -v t0="$before" -v t1="$after" -v tick="$tick" -v measured="${pid:+1}" '
    /requests in/ {requests=$1}
    /Requests\/sec/ {rps=$2}
    END {if (measured) printf "%s %.0f %.1f\n", n, rps, (t1-t0)/tick*1e6/requests; else printf "%s %.0f -\n", n, rps}'
}

names=(plain handoff proxy nginx)
ports=($plain_port $handoff_port $proxy_port $nginx_port)
results="$work/results"
for round in $(seq 1 "$rounds"); do
  for i in "${!names[@]}"; do run "${names[$i]}-keepalive" "${ports[$i]}" | tee -a "$results"; done
  for i in "${!names[@]}"; do run "${names[$i]}-newconn" "${ports[$i]}" -H "Connection: close" | tee -a "$results"; done
  run floor-newconn $floor_port -H "Connection: close" | tee -a "$results"
done

echo
echo "median over $rounds rounds (wrk -t1 -c$connections -d${duration}s, GET /, $workers workers); req/s, and the primary's CPU per request:"
for mode in keepalive newconn; do
  for name in "${names[@]}" $([ $mode = newconn ] && echo floor); do
    rps=$(grep "^$name-$mode " "$results" | awk '{print $2}' | median)
    us=$(grep "^$name-$mode " "$results" | awk '{print $3}' | { grep -v -- - || true; } | median)
    printf "%-18s %10.0f %8s\n" "$name-$mode" "$rps" "${us:+$us us}"
  done
done | tee "$results.medians"
awk '{m[$1]=$2; u[$1]=$3} END {
  printf "handoff/plain      keep-alive %.2fx, new connection %.2fx\n", m["handoff-keepalive"]/m["plain-keepalive"], m["handoff-newconn"]/m["plain-newconn"]
  printf "proxy/nginx        keep-alive %.2fx, new connection %.2fx\n", m["proxy-keepalive"]/m["nginx-keepalive"], m["proxy-newconn"]/m["nginx-newconn"]
  printf "handoff/nginx      keep-alive %.2fx, new connection %.2fx\n", m["handoff-keepalive"]/m["nginx-keepalive"], m["handoff-newconn"]/m["nginx-newconn"]
  printf "handoff primary CPU per connection / floor: %.2fx (%s us / %s us)\n", u["handoff-newconn"]/u["floor-newconn"], u["handoff-newconn"], u["floor-newconn"]
}' "$results.medians"
