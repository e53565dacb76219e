#!/usr/bin/env bash
# nianbao and generic Scrapy (Debian's python3-scrapy) side by side on one
# simulated world, in one run: the same seeds, the same delay, the same
# servers (nianbao simweb, answering every request LATENCY late), each for
# DURATION seconds. Prints requests/s, the politeness bound, CPU and peak RSS.
#
#   HOSTS=300 DELAY=2 LATENCY=300ms DURATION=30 bash bench/peer.sh
#
# BULK=N serves the bulk world instead (every host a home page listing N
# report pages, every other page a report): the architecture issue's yardstick,
#
#   HOSTS=100 DELAY=0.5 LATENCY=0 BULK=40 DURATION=15 bash bench/peer.sh
#
# (DURATION below the 41 × 0.5 s a host needs, so both crawlers have work
# throughout and requests/s is the rate, not the world's size over the time.)
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTS=${HOSTS:-300} DELAY=${DELAY:-2} LATENCY=${LATENCY:-300ms} DURATION=${DURATION:-30} BULK=${BULK:-0}
dir=$(mktemp -d)
trap 'kill $sim 2>/dev/null || true; rm -rf "$dir"' EXIT
go build -o "$dir/nianbao" ./cmd/nianbao
"$dir/nianbao" simweb --hosts "$HOSTS" --faults=false --latency "$LATENCY" --bulk "$BULK" --out "$dir/world" > "$dir/simweb.log" &
sim=$!
for _ in $(seq 100); do grep -q '^proxy:' "$dir/simweb.log" 2>/dev/null && break; sleep 0.2; done
proxy=$(awk '/^proxy:/ {print $2}' "$dir/simweb.log")
seeds=$(wc -l < "$dir/world/seeds.txt")
kind="world"
[ "$BULK" -gt 0 ] && kind="bulk world ($BULK report pages a host)"
echo "$kind: $HOSTS hosts ($seeds seeds), ${DELAY}s apart, answering after $LATENCY; each crawler runs ${DURATION}s"

cat > "$dir/nianbao.yaml" <<YAML
store: $dir/nianbao.db
fetch:
  proxy: $proxy
  allow_private: true
  timeout: 30s
extract:
  ocr: "off"
crawl:
  seeds: $dir/world/seeds.txt
  ca_file: $dir/world/ca.pem
  delay: ${DELAY}s
  workers: 0
YAML
/usr/bin/time -f "%M %U %S" -o "$dir/nianbao.time" timeout -s INT "$DURATION" \
  "$dir/nianbao" --config "$dir/nianbao.yaml" crawl --report "$dir/run.json" > "$dir/nianbao.log" 2>&1 || true
read -r n_rss n_user n_sys < <(tail -1 "$dir/nianbao.time")
n_req=$(python3 -c "import json;r=json.load(open('$dir/run.json'));print(r['requests'], round(r['politeness_bound'],1), r['limited_by'])")

/usr/bin/time -f "%M %U %S" -o "$dir/scrapy.time" /usr/bin/python3 bench/scrapy_peer.py \
  --seeds "$dir/world/seeds.txt" --proxy "$proxy" --delay "$DELAY" --seconds "$DURATION" > "$dir/scrapy.json" 2> "$dir/scrapy.log" || true
read -r s_rss s_user s_sys < <(tail -1 "$dir/scrapy.time")
s_req=$(python3 -c "import json;print(json.loads(open('$dir/scrapy.json').read().strip().splitlines()[-1])['responses'])")

python3 - "$DURATION" "$n_req" "$n_rss" "$n_user" "$n_sys" "$s_req" "$s_rss" "$s_user" "$s_sys" <<'PY'
import sys
d = float(sys.argv[1])
n_req, bound, limit = sys.argv[2].split()
n_req, bound = int(n_req), float(bound)
n_rss, n_cpu = int(sys.argv[3]) / 1024, float(sys.argv[4]) + float(sys.argv[5])
s_req, s_rss, s_cpu = int(sys.argv[6]), int(sys.argv[7]) / 1024, float(sys.argv[8]) + float(sys.argv[9])
print(f"| crawler | requests | requests/s | share of the bound ({bound:.0f}/s) | CPU per request | peak RSS |")
print("|---|---|---|---|---|---|")
print(f"| nianbao (limited by {limit}) | {n_req} | {n_req/d:.1f} | {100*n_req/d/bound:.0f} % | {1000*n_cpu/max(n_req,1):.1f} ms | {n_rss:.0f} MB |")
print(f"| Scrapy 2.8, broad-crawl settings | {s_req} | {s_req/d:.1f} | {100*s_req/d/bound:.0f} % | {1000*s_cpu/max(s_req,1):.1f} ms | {s_rss:.0f} MB |")
print(f"nianbao/Scrapy: {n_req/max(s_req,1):.2f}x the requests/s, {n_rss/max(s_rss,1):.2f}x the peak RSS")
PY
