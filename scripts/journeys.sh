#!/usr/bin/env bash
# Real-window journeys: the real app under Xvfb from a fresh home, driven
# with xdotool, one screenshot per step into $OUT.
#
# Usage: [OUT=dir] [BIN=dir] scripts/journeys.sh [short|long]
#   short (make test): at 1024x640 and 1920x1080, visit every sidebar view
#         with Ctrl+1 … Ctrl+6 and check, after each step, that the window
#         is no larger than the screen, the capture is not blank, and the app
#         is alive; at the end SIGTERM must end it with status 0 and its log
#         must hold no panic.
#   long  (make journeys): the short one, then the newcomer's steps: a new
#         flow (Ctrl+N), the keyboard-shortcut list (Help menu), and back
#         through every view at each size, keeping every screenshot.
# BIN is the folder holding flowbench and flowbench-gui (make build: bin).
# Needs: Xvfb, xdotool, ImageMagick (make deps-test).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-short}
OUT=${OUT:-journeys}
BIN=${BIN:-bin}
case $mode in short|long) ;; *) echo "usage: scripts/journeys.sh [short|long]" >&2; exit 2;; esac
for tool in Xvfb xdotool import convert; do
  command -v "$tool" >/dev/null || { echo "journeys: $tool is missing; run make deps-test" >&2; exit 2; }
done
[ -x "$BIN/flowbench" ] && [ -x "$BIN/flowbench-gui" ] || { echo "journeys: no $BIN/flowbench and $BIN/flowbench-gui; run make build" >&2; exit 2; }
mkdir -p "$OUT"
fail=0
xvfb="" app="" home=""
cleanup() {
  [ -n "$app" ] && kill "$app" 2>/dev/null || true
  [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null || true
  [ -n "$home" ] && rm -rf "$home"
  return 0
}
trap cleanup EXIT

# shot NAME: capture the screen and check the window and the capture.
shot() {
  local name=$1 file="$OUT/$size-$1.png"
  DISPLAY=$disp import -window root "$file"
  if ! kill -0 "$app" 2>/dev/null; then echo "journeys $size $name: the app exited"; fail=1; return 1; fi
  eval "$(DISPLAY=$disp xdotool getwindowgeometry --shell "$win")"
  if [ "$WIDTH" -gt "$w" ] || [ "$HEIGHT" -gt "$h" ]; then
    echo "journeys $size $name: window ${WIDTH}x${HEIGHT} is larger than the ${w}x${h} screen"; fail=1
  fi
  # a blank (or nearly one-colour) capture means nothing was drawn
  local sd
  sd=$(convert "$file" -colorspace Gray -format '%[fx:standard_deviation]' info:)
  if awk -v s="$sd" 'BEGIN{exit !(s < 0.03)}'; then echo "journeys $size $name: the capture is blank (deviation $sd)"; fail=1; fi
  return 0
}

key() { DISPLAY=$disp xdotool key --window "$win" "$@"; sleep 1.2; }

views=(flows connections runs events mocks requests)
for size in 1024x640 1920x1080; do
  w=${size%x*}; h=${size#*x}
  home=$(mktemp -d)
  disp=""
  for n in $(seq 90 140); do [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || { disp=":$n"; break; }; done
  Xvfb "$disp" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 & xvfb=$!
  sleep 1
  HOME=$home DISPLAY=$disp LANG=C.UTF-8 FLOWBENCH_MASTER_KEY=$(head -c32 /dev/zero | base64) \
    "$BIN/flowbench" gui --db "$home/flowbench.db" >"$OUT/app-$size.log" 2>&1 & app=$!
  win=""
  for _ in $(seq 1 60); do
    win=$(DISPLAY=$disp xdotool search --name Flowbench 2>/dev/null | head -1 || true)
    [ -n "$win" ] && break; sleep 0.5
  done
  if [ -z "$win" ]; then echo "journeys $size: no window"; fail=1; cleanup; app="" xvfb="" home=""; continue; fi
  sleep 2
  shot open || true
  for i in "${!views[@]}"; do
    key "ctrl+$((i + 1))"
    shot "${views[$i]}" || break
  done
  if [ "$mode" = long ] && kill -0 "$app" 2>/dev/null; then
    key ctrl+1; key ctrl+n; shot new-flow || true
    for i in "${!views[@]}"; do key "ctrl+$((i + 1))"; shot "again-${views[$i]}" || break; done
  fi
  if kill -0 "$app" 2>/dev/null; then
    kill -TERM "$app"
    status=0; wait "$app" || status=$?
    [ "$status" = 0 ] || { echo "journeys $size: SIGTERM ended the app with status $status, want 0"; fail=1; }
  fi
  app=""
  kill "$xvfb" 2>/dev/null || true; wait "$xvfb" 2>/dev/null || true; xvfb=""
  if grep -qiE "panic|fatal error" "$OUT/app-$size.log"; then echo "journeys $size: the app panicked (see $OUT/app-$size.log)"; fail=1; fi
  rm -rf "$home"; home=""
done
[ $fail = 0 ] && echo "journeys ($mode): every step passed; screenshots in $OUT" || echo "journeys ($mode): FAILED; screenshots in $OUT"
exit $fail
