#!/usr/bin/env bash
# report.html (the default example) and the `analyze --html` roofline page render in headless
# Chromium: no console error ("Uncaught ...", CONSOLE lines), the DOM the browser built holds the
# inline SVG charts, and the screenshot is a PNG of the full size that is not a blank page (more
# than 30 KB, many distinct colors and a share of non-white pixels, decoded with python3's zlib).
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

"$bin" run "$here/../../scenarios/default.yaml" --out "$tmp/run" --html -q
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

check_page "$tmp/run/report.html" report 7 2400
check_page "$tmp/roofline.html" roofline 4 1000  # the roofline and three curve charts
ok=1
echo "report_browser_test: ok (screenshots in $tmp)"
