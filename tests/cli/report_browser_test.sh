#!/usr/bin/env bash
# The HTML pages in headless Chromium: report.html of a normal run, an offload run and an
# overloaded run, sweep.html of a sweep whose first key is categorical (a scheduler mapping), and
# the `analyze --html` roofline page. Each renders with no console error, holds the expected inline
# SVG charts, and its screenshot is a PNG of the full size that is not a blank page (more than
# 30 KB, many distinct colors and a share of non-white pixels, decoded with python3's zlib).
# Layout, measured by a script added to a copy of each page (the pages themselves carry none) and
# read back from the DOM Chromium dumps: nothing sticks out of the window sideways except inside a
# scrolling box (class "scroll": the sweep grid, the operator table), the page does not scroll
# sideways, the charts use at least 90 % of the width (also in a 1920 px window), no SVG text runs
# outside its chart, category labels under bar groups do not overlap, and the expected labels
# (chart titles, summary groups, category values, the overload banner when summary.json reports
# one) are in the DOM.
# The screenshots stay in the test's temp dir, printed at the end; the dir is removed on success
# unless SERVESIM_KEEP_TEST_DIR=1. Without chromium the test prints SKIP and passes.
# Usage: report_browser_test.sh path/to/servesim
set -eu
bin=${1:?usage: report_browser_test.sh path/to/servesim}
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v chromium >/dev/null 2>&1; then
  echo "SKIP: chromium not installed"
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "SKIP: python3 not installed (needed to decode the screenshot)"
  exit 0
fi
tmp=$(mktemp -d)
ok=0
cleanup() {
  if [ "$ok" = 1 ] && [ "${SERVESIM_KEEP_TEST_DIR:-0}" != 1 ]; then
    rm -rf "$tmp"
  else
    echo "report_browser_test: files kept in $tmp"
  fi
}
trap cleanup EXIT

sc=$here/../../scenarios
"$bin" run "$sc/default.yaml" --set workload.num_requests=400 --out "$tmp/run" --html -q
"$bin" run "$sc/offload_t4_flexgen_opt30b.yaml" --out "$tmp/offload" --html -q
# Four times the arrival rate one H100 sustains for this workload: the queue grows all run long.
"$bin" run "$sc/default.yaml" --set workload.rate_per_s=100 --set workload.num_requests=1500 \
  --out "$tmp/overload" --html -q
"$bin" sweep "$sc/default.yaml" --set workload.num_requests=60 --jobs 2 \
  --vary 'scheduler={impl: sarathi, chunk_size: 256},{impl: vllm_v1},{impl: orca}' \
  --vary workload.rate_per_s=4,16 --out "$tmp/sweep" >/dev/null
"$bin" analyze --model llama-3.1-8b --device h100-sxm --batch 16 --context 1000 \
  --html "$tmp/roofline.html" >/dev/null

chrome() {
  timeout 120 chromium --headless --disable-gpu --no-sandbox --user-data-dir="$tmp/profile" \
    --hide-scrollbars "$@"
}

# $1 page, $2 name, $3 expected number of charts, $4 window height
check_page() {
  local page=$1 name=$2 charts=$3 height=$4
  local png="$tmp/$name.png" log="$tmp/$name.log"
  chrome --enable-logging=stderr --v=0 --window-size=1280,"$height" --screenshot="$png" \
    "file://$page" >"$log" 2>&1 || {
    echo "FAIL: chromium exited non-zero on $name"
    tail -20 "$log"
    exit 1
  }
  if grep -E ':CONSOLE|Uncaught' "$log"; then
    echo "FAIL: console errors while rendering $name (above)"
    exit 1
  fi
  chrome --dump-dom "file://$page" >"$tmp/$name.dom" 2>/dev/null
  local found
  found=$(grep -o '<svg class="chart"' "$tmp/$name.dom" | wc -l)
  if [ "$found" -ne "$charts" ]; then
    echo "FAIL: the DOM of $name holds $found charts, expected $charts"
    exit 1
  fi
  if [ ! -s "$png" ]; then
    echo "FAIL: no screenshot of $name"
    exit 1
  fi
  local size
  size=$(wc -c <"$png")
  if [ "$size" -lt 30000 ]; then
    echo "FAIL: the screenshot of $name is $size bytes (a blank page is a few KB)"
    exit 1
  fi
  python3 - "$png" 1280 "$height" <<'EOF'
# Decodes the PNG (8-bit RGB/RGBA, all five row filters) and counts colors in its top rows.
import struct, sys, zlib

path, want_w, want_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, 'rb').read()
if data[:8] != b'\x89PNG\r\n\x1a\n':
    sys.exit('FAIL: %s is not a PNG' % path)
pos, idat, w, h, bpp = 8, b'', 0, 0, 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
        if depth != 8 or ctype not in (2, 6) or interlace:
            sys.exit('FAIL: unexpected PNG format (depth %d, color type %d)' % (depth, ctype))
        bpp = 3 if ctype == 2 else 4
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
if (w, h) != (want_w, want_h):
    sys.exit('FAIL: screenshot is %dx%d, expected %dx%d' % (w, h, want_w, want_h))
raw = zlib.decompress(idat)
stride = w * bpp
if len(raw) != h * (stride + 1):
    sys.exit('FAIL: truncated image data')
prev = bytearray(stride)
colors, nonwhite, seen = set(), 0, 0
for y in range(min(h, 1200)):  # the top of the page: summary, CDFs, first charts
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    if f == 1:
        for i in range(bpp, stride):
            line[i] = (line[i] + line[i - bpp]) & 255
    elif f == 2:
        line = bytearray((a + b) & 255 for a, b in zip(line, prev))
    elif f == 3:
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
    elif f == 4:
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    elif f != 0:
        sys.exit('FAIL: bad PNG filter %d' % f)
    for x in range(0, stride, bpp):
        px = bytes(line[x:x + 3])
        colors.add(px)
        nonwhite += px != b'\xff\xff\xff'
        seen += 1
    prev = line
share = nonwhite / seen
print('  %s: %d distinct colors, %.1f%% non-white pixels in the top rows' %
      (path.rsplit('/', 1)[-1], len(colors), 100 * share))
if len(colors) < 16 or share < 0.02:
    sys.exit('FAIL: the screenshot looks blank')
EOF
  echo "  $name: $size-byte screenshot, $found charts, no console errors"
}


# $1 page, $2 name, $3 window width, $4 window height, $5... strings the DOM must hold.
check_layout() {
  local page=$1 name=$2 width=$3 height=$4
  shift 4
  local copy="$tmp/$name.layout.html"
  sed 's|</body>|<script src="layout_check.js"></script></body>|' "$page" >"$copy"
  cp "$here/report_layout_check.js" "$tmp/layout_check.js"
  chrome --window-size="$width,$height" --dump-dom "file://$copy" >"$tmp/$name.layout.dom" \
    2>/dev/null
  if ! grep -q 'LAYOUT-OK' "$tmp/$name.layout.dom"; then
    echo "FAIL: layout of $name at ${width}px:"
    sed -n '/LAYOUT-/,/<\/pre>/p' "$tmp/$name.layout.dom" | head -30
    exit 1
  fi
  local want
  for want in "$@"; do
    if ! grep -qF -- "$want" "$tmp/$name.layout.dom"; then
      echo "FAIL: the DOM of $name lacks '$want'"
      exit 1
    fi
  done
  echo "  $name: layout ok at ${width}px"
}

report_labels=("TTFT CDF" "TPOT CDF" "ITL CDF" "E2E latency CDF" "Inter-token latency"
  "<h3>Latency</h3>" "<h3>Requests</h3>" "<h3>Throughput</h3>" "<h3>KV cache</h3>"
  "<h3>Batch</h3>" "<h3>Utilisation</h3>" "<h3>Simulation</h3>" "kv_usage_mean")
check_page "$tmp/run/report.html" report 9 2400
check_layout "$tmp/run/report.html" report 1280 2400 "${report_labels[@]}"
check_layout "$tmp/run/report.html" report-wide 1920 2400 "${report_labels[@]}"
check_page "$tmp/offload/report.html" offload 11 3400
check_layout "$tmp/offload/report.html" offload 1280 3400 "${report_labels[@]}" \
  'id="offload"' "Bytes streamed to the device" "I/O share of step time" "<h3>Offload</h3>"
check_page "$tmp/overload/report.html" overload 9 2400
overload_labels=("${report_labels[@]}")
if grep -q '"status": "overloaded"' "$tmp/overload/summary.json"; then
  overload_labels+=('id="load-banner"' "Overloaded")
else
  echo "  overload: summary.json reports no overload status; banner not checked"
fi
check_layout "$tmp/overload/report.html" overload 1280 2400 "${overload_labels[@]}"
# sweep.html: 3 schedulers x 2 rates; 11 headline metrics (default.yaml sets an SLO: goodput).
check_page "$tmp/sweep/sweep.html" sweep 11 2400
check_layout "$tmp/sweep/sweep.html" sweep 1280 2400 '<g class="category">' \
  '<title>impl: sarathi, chunk_size: 256</title>' '<title>impl: vllm_v1</title>' \
  'rate_per_s=16' 'aria-label="mean_itl_ms"' 'id="grid-table"'
check_layout "$tmp/sweep/sweep.html" sweep-narrow 800 2400 '<g class="category">'
check_page "$tmp/roofline.html" roofline 4 1000  # the roofline and three curve charts
check_layout "$tmp/roofline.html" roofline 1280 1000 "Operators"
ok=1
echo "report_browser_test: ok (screenshots in $tmp)"
