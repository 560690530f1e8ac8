#!/usr/bin/env bash
# Real-window journeys: the real app under Xvfb, driven with xdotool, one
# screenshot per step into $OUT (default ./journeys). For now: visit every
# sidebar view at 1024x640 and 1920x1080 from a fresh home, and check that
# the app is alive, logs no panic and is not larger than the screen.
# Needs: Xvfb, xdotool, ImageMagick (make deps-test) and bin/ from make build.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-journeys}
BIN=${BIN:-bin}
mkdir -p "$OUT"
fail=0
for size in 1024x640 1920x1080; do
  w=${size%x*}; h=${size#*x}
  home=$(mktemp -d); disp=:$((90 + RANDOM % 100))
  Xvfb "$disp" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 & xvfb=$!
  sleep 1
  HOME=$home DISPLAY=$disp LANG=C.UTF-8 FLOWBENCH_MASTER_KEY=$(head -c32 /dev/zero | base64) \
    "$BIN/flowbench" gui --db "$home/flowbench.db" >"$OUT/app-$size.log" 2>&1 & app=$!
  win=""
  for _ in $(seq 1 60); do
    win=$(DISPLAY=$disp xdotool search --name Flowbench 2>/dev/null | head -1 || true)
    [ -n "$win" ] && break; sleep 0.5
  done
  [ -n "$win" ] || { echo "journeys $size: no window"; fail=1; }
  sleep 2
  y=94
  for view in flows connections runs events mocks requests; do
    DISPLAY=$disp xdotool mousemove 53 "$y" click 1; sleep 1.5
    DISPLAY=$disp import -window root "$OUT/$size-$view.png"
    if [ -n "$win" ]; then
      eval "$(DISPLAY=$disp xdotool getwindowgeometry --shell "$win")"
      if [ "$WIDTH" -gt "$w" ] || [ "$HEIGHT" -gt "$h" ]; then
        echo "journeys $size $view: window ${WIDTH}x${HEIGHT} is larger than the screen"; fail=1
      fi
    fi
    kill -0 "$app" 2>/dev/null || { echo "journeys $size $view: the app exited"; fail=1; break; }
    y=$((y + 40))
  done
  kill -TERM "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true
  kill "$xvfb" 2>/dev/null || true
  if grep -qi "panic" "$OUT/app-$size.log"; then echo "journeys $size: the app panicked"; fail=1; fi
  rm -rf "$home"
done
echo "journeys: screenshots in $OUT"
exit $fail
