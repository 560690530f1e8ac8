#!/usr/bin/env bash
# Real-window journeys: the real app under Xvfb from a fresh home, driven
# with xdotool, one screenshot per step into $OUT.
#
# Usage: [OUT=dir] [BIN=dir] scripts/journeys.sh [short|long]
#   short (make test): at 1024x640 and 1920x1080, visit every sidebar view
#         with Ctrl+1 … Ctrl+7 and check, after each step, that the window
#         is no larger than the screen, the capture is not blank, and the app
#         is alive; at the end SIGTERM must end it with status 0 and its log
#         must hold no panic.
#   long  (make journeys): the short one, then at each size the newcomers'
#         journeys, a screenshot per step:
#         trainer: run the flow the app opens with (the offline demo) from
#           the toolbar's Run and the Run dialog; the canvas must light a
#           path, `flowbench runs show last --json` must hold the run,
#           finished, with its steps, and node by node each card must be lit
#           exactly when the recorded run finished that node (the app writes
#           where it drew each card to FLOWBENCH_SCENE); then presenter mode
#           (F11) and each of the four branches in one click on its run
#           button, each checked the same way and by its outcome; the action
#           count goes to $OUT/actions.txt; then step-through (the Run
#           dialog's Pause before each step): the waiting card pulses, Space
#           takes a step, F5 continues to the end; branch coverage (Ctrl+B)
#           after the first run; View > Compare runs… on the newest two
#           runs that ended otherwise, closed with Escape; then the Runs view;
#         support: the Send view (Ctrl+7), a curl command pasted through
#           Request > Import cURL…, Send, the answer shown, the body's row
#           of the JSON tree selected and its value copied; the Connections
#           view, a form;
#         analyst: a new flow (Ctrl+N) shows no run state at all; add a start
#           and a call from the canvas's menu; the wheel over the call's form
#           scrolls the properties panel; Test the call (Ctrl+Enter); then a
#           five-node flow with quick-add (Tab, a word, Enter), a tidy
#           (Ctrl+Shift+L) and a save, with its action count; relaunched, the
#           window opens that flow.
# BIN is the folder holding flowbench and flowbench-gui (make build: bin).
# Needs: Xvfb, xdotool, ImageMagick (make deps-test).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-short}
OUT=${OUT:-journeys}
BIN=${BIN:-bin}
case $mode in short|long) ;; *) echo "usage: scripts/journeys.sh [short|long]" >&2; exit 2;; esac
for tool in Xvfb xdotool import convert compare; do
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

# click X Y [BUTTON]: click at X,Y in the window (its top-left is 0,0).
click() { DISPLAY=$disp xdotool mousemove --window "$win" "$1" "$2" click "${3:-1}"; sleep 1.2; }

# lit NAME: how many pixels of the canvas in NAME's capture have the colour
# of a run's lit path.
lit() {
  convert "$OUT/$size-$1.png" -crop "$(canvas_crop)" +repage -fuzz 10% \
    -fill black +opaque "#3ED333" -fill white -opaque "#3ED333" -format '%[fx:round(mean*w*h)]' info:
}

# canvas_crop: the geometry of the canvas within a capture, roughly.
canvas_crop() {
  eval "$(DISPLAY=$disp xdotool getwindowgeometry --shell "$win")"
  echo "$((WIDTH * 48 / 100))x$((HEIGHT * 55 / 100))+$((X + WIDTH * 20 / 100))+$((Y + 110))"
}

# changed A B: how many canvas pixels differ between the captures A and B.
changed() { differ "$1" "$2" "$(canvas_crop)"; }

# differ A B GEOMETRY: how many pixels of that part of the captures A and B
# differ. (Files, not pipes: Debian's ImageMagick policy refuses /dev/fd.)
differ() {
  local a b
  a=$(mktemp --suffix=.png); b=$(mktemp --suffix=.png)
  convert "$OUT/$size-$1.png" -crop "$3" +repage "$a"
  convert "$OUT/$size-$2.png" -crop "$3" +repage "$b"
  compare -metric AE -fuzz 5% "$a" "$b" null: 2>&1 | sed 's/[^0-9].*//' || true
  rm -f "$a" "$b"
}

# cards_match_run NAME: node by node, each card in NAME's capture is lit
# (the run's success colour inside it) exactly when the run `flowbench runs
# show last` recorded finished that node successfully. The app writes where
# it drew each card, and the state it shows, to $home/scene.txt
# (FLOWBENCH_SCENE) when a run ends.
cards_match_run() {
  local name=$1 scene="$home/scene.txt" id x y cw ch st n want recorded
  rm -f "$OUT/$size-$name-cards.txt"
  [ -s "$scene" ] || { echo "journeys $size $name: the app wrote no scene file after the run"; fail=1; return; }
  cp "$scene" "$OUT/$size-$name-scene.txt"
  recorded=$(grep -o '"node":"[^"]*","kind":"[^"]*","status":"[^"]*"' "$OUT/$size-$name-run.json" \
    | sed 's/"node":"\([^"]*\)".*"status":"\([^"]*\)"/\1 \2/')
  eval "$(DISPLAY=$disp xdotool getwindowgeometry --shell "$win")"
  local cx cy cwid chei
  read -r _ _ cx cy cwid chei < <(grep '^# canvas ' "$scene")
  while read -r id x y cw ch st; do
    [ "${id:0:1}" = "#" ] && continue
    if [ "$x" -lt "$cx" ] || [ "$y" -lt "$cy" ] || [ $((x + cw)) -gt $((cx + cwid)) ] || [ $((y + ch)) -gt $((cy + chei)) ]; then
      echo "journeys $size $name: card $id ($x,$y ${cw}x$ch) is not wholly on the canvas ($cx,$cy ${cwid}x$chei)"; fail=1
    fi
    want=$(awk -v id="$id" '$1 == id {print $2}' <<<"$recorded" | tail -1)
    [ -n "$want" ] || want=skipped
    [ "$st" = "$want" ] || { echo "journeys $size $name: card $id shows $st, the recorded run says $want"; fail=1; }
    # a card that ran successfully has a border in the success colour; a
    # connector ending at the card adds a few pixels at most
    n=$(convert "$OUT/$size-$name.png" -crop "$((cw + 4))x$((ch + 4))+$((X + x - 2))+$((Y + y - 2))" +repage -fuzz 10% \
      -fill black +opaque "#3ED333" -fill white -opaque "#3ED333" -format '%[fx:round(mean*w*h)]' info:)
    if [ "$want" = succeeded ]; then
      [ "$n" -ge $((cw + ch)) ] || { echo "journeys $size $name: card $id ran but its border is not lit ($n pixels)"; fail=1; }
    else
      [ "$n" -lt $(((cw + ch) / 4)) ] || { echo "journeys $size $name: card $id is lit ($n pixels) but the run recorded it $want"; fail=1; }
    fi
    echo "$id $want $n" >>"$OUT/$size-$name-cards.txt"
  done <"$scene"
}

# recorded NAME: `flowbench runs show last --json` into NAME's file, which
# must hold a finished run with its steps; then the cards of NAME's capture
# must match it node by node.
recorded() {
  local name=$1
  if ! "$BIN/flowbench" runs show last --json --db "$home/flowbench.db" >"$OUT/$size-$name-run.json" 2>"$OUT/$size-$name-run.err"; then
    echo "journeys $size $name: flowbench runs show last: $(cat "$OUT/$size-$name-run.err")"; fail=1; return
  fi
  if ! grep -q '"status":"\(succeeded\|failed\)"' "$OUT/$size-$name-run.json" || ! grep -q '"node":.*"node":' "$OUT/$size-$name-run.json"; then
    echo "journeys $size $name: the recorded run is not finished with its steps: $(cat "$OUT/$size-$name-run.json")"; fail=1; return
  fi
  cards_match_run "$name"
}

# outcome NAME WANT: the run recorded for NAME ended with outcome WANT.
outcome() {
  grep -q "\"outcome\":\"$2\"" "$OUT/$size-$1-run.json" || { echo "journeys $size $1: the run's outcome is not $2: $(cat "$OUT/$size-$1-run.json")"; fail=1; }
}

# start_app: the app on $disp with $home's database, its window in $win
# (its log appended to app-SIZE.log).
start_app() {
  HOME=$home DISPLAY=$disp LANG=C.UTF-8 FLOWBENCH_SCENE=$home/scene.txt FLOWBENCH_MASTER_KEY=$(head -c32 /dev/zero | base64) \
    "$BIN/flowbench" gui --db "$home/flowbench.db" >>"$OUT/app-$size.log" 2>&1 & app=$!
  win=""
  for _ in $(seq 1 60); do
    win=$(DISPLAY=$disp xdotool search --name Flowbench 2>/dev/null | head -1 || true)
    [ -n "$win" ] && break; sleep 0.5
  done
  [ -n "$win" ] || return 1
  sleep 2
}

long_journeys() {
  eval "$(DISPLAY=$disp xdotool getwindowgeometry --shell "$win")"
  local ww=$WIDTH wh=$HEIGHT n x actions
  # trainer: run the flow the app opened with (the offline demo) from the
  # toolbar's Run and the Run dialog's Run
  key ctrl+1
  click 448 49; shot trainer-run-dialog || return
  click $((ww / 2 + 44)) $((wh / 2 + 217)); sleep 2; shot trainer-ran || return
  n=$(lit trainer-ran)
  [ "$n" -gt 200 ] || { echo "journeys $size trainer: the canvas lights no path after the run ($n lit pixels)"; fail=1; }
  recorded trainer-ran
  # trainer: branch coverage (Ctrl+B) after that one run: the ports never
  # taken turn dashed and labelled, their list where the properties were
  key ctrl+b; shot trainer-coverage || return
  n=$(changed trainer-ran trainer-coverage)
  [ "${n:-0}" -gt 300 ] || { echo "journeys $size trainer: branch coverage changed ${n:-0} canvas pixels"; fail=1; }
  key ctrl+b
  # trainer: every branch in presenter mode, one click each on the run
  # buttons (chatbot-failing, -rule, -standard, -unknown, -vip, left to right)
  key F11; shot presenter || return
  actions=1
  # full screen: the window now has the screen's size and place
  eval "$(DISPLAY=$disp xdotool getwindowgeometry --shell "$win")"
  for pair in 683:vip 370:standard 538:default 80:apology; do
    x=${pair%%:*}
    click "$x" $((HEIGHT - 26)); sleep 1.5; actions=$((actions + 1))
    shot "presenter-${pair#*:}" || return
    recorded "presenter-${pair#*:}"
    outcome "presenter-${pair#*:}" "${pair#*:}"
  done
  echo "journeys $size trainer: four branches in presenter mode in $actions actions" >>"$OUT/actions.txt"
  key F11; shot presenter-left || return
  eval "$(DISPLAY=$disp xdotool getwindowgeometry --shell "$win")"
  # trainer: step through (Run dialog, Pause before each step): the run
  # waits before the start, its card pulses (two captures a moment apart
  # differ on the canvas), Space takes one step, F5 (Continue) runs to the end
  click 448 49; click $((ww / 2 - 254)) $((wh / 2 + 178)); shot trainer-step-dialog || return
  click $((ww / 2 + 44)) $((wh / 2 + 217)); sleep 1; shot trainer-paused || return
  sleep 0.3; shot trainer-paused-b || return
  n=$(changed trainer-paused trainer-paused-b)
  [ "${n:-0}" -gt 20 ] || { echo "journeys $size trainer: the paused card does not pulse (${n:-0} canvas pixels changed)"; fail=1; }
  key space; shot trainer-paused-next || return
  key F5; sleep 1; shot trainer-continued || return
  recorded trainer-continued
  # trainer: View > Compare runs…, the newest run against the newest that
  # ended otherwise: both paths on the canvas, both steps below; Escape
  click 118 13; click 150 240; shot trainer-compare-dialog || return
  click $((ww / 2 + 53)) $((wh / 2 + 45)); sleep 1; shot trainer-compare || return
  n=$(changed trainer-continued trainer-compare)
  [ "${n:-0}" -gt 1000 ] || { echo "journeys $size trainer: the comparison changed ${n:-0} canvas pixels"; fail=1; }
  key Escape; shot trainer-compare-closed || return
  key ctrl+3; shot trainer-runs-view || return
  # support: paste a curl command (Request > Import cURL…), Send, read a
  # JSON field of the answer and copy it; the mocks' address is in the log
  local port
  port=$(grep -o 'url=http://127.0.0.1:[0-9]*' "$OUT/app-$size.log" | grep -o '[0-9]*$' | tail -1)
  key ctrl+7; shot support-send-view || return
  click 200 13; click 200 123; click $((ww / 2)) $((wh / 2 - 22))
  DISPLAY=$disp xdotool type --delay 5 "curl -X POST http://127.0.0.1:$port/chatbot-vip/chatbot/step -H 'Content-Type: application/json' -d '{\"chatId\": \"c-1\"}'"
  sleep 1; shot support-curl-typed || return
  click $((ww / 2 + 47)) $((wh / 2 + 110)); shot support-imported || return
  click $((ww - 118)) 134; sleep 2; shot support-sent || return
  n=$(differ support-imported support-sent "$((ww / 2))x120+$((X + ww / 3))+$((Y + 280))")
  [ "${n:-0}" -gt 1000 ] || { echo "journeys $size support: no response shown after Send ($n pixels changed)"; fail=1; }
  # the body's row of the JSON tree (on its text: the arrow folds it), then
  # Copy value, which a selected row enables
  local rowy=527 cx=346 cy=489
  [ "$wh" -lt 700 ] && rowy=442 cx=270 cy=404
  click 400 $rowy; click $cx $cy; shot support-copied || return
  n=$(differ support-sent support-copied "140x28+$((X + cx - 60))+$((Y + cy - 14))")
  [ "${n:-0}" -gt 200 ] || { echo "journeys $size support: Copy value was not enabled by the row's selection (${n:-0} pixels changed)"; fail=1; }
  # support: a connection's form
  key ctrl+2; shot support-connections || return
  click 90 339; shot support-connection-form || return
  # analyst: a flow from scratch
  key ctrl+1; key ctrl+n; shot analyst-new-flow || return
  # the canvas's menu opens below the pointer: items every 39 px from +17
  local x1=$((ww / 4 + 20)) x2=$((ww / 4 + 290))
  click $x1 160 3; click $((x1 + 40)) 177; shot analyst-added-start || return
  n=$(lit analyst-added-start)
  [ "$n" -lt 20 ] || { echo "journeys $size analyst: a new flow shows run state ($n lit pixels; issue 13 item 1)"; fail=1; }
  click $x2 160 3; click $((x2 + 40)) 216; shot analyst-added-call || return
  for pair in "analyst-new-flow analyst-added-start" "analyst-added-start analyst-added-call"; do
    n=$(changed $pair)
    [ "$n" -gt 2000 ] || { echo "journeys $size analyst: ${pair#* } looks like ${pair% *} ($n canvas pixels differ): the canvas's menu added no card"; fail=1; }
  done
  # the wheel over the call form's fields scrolls the properties panel
  # (Fyne gave the wheel to the field under the pointer, which kept it)
  DISPLAY=$disp xdotool mousemove --window "$win" $((ww - 140)) 206 click 5 click 5 click 5; sleep 1.2
  shot analyst-wheel || return
  if [ "$size" = 1024x640 ]; then
    eval "$(DISPLAY=$disp xdotool getwindowgeometry --shell "$win")"
    n=$(differ analyst-added-call analyst-wheel "$((ww * 27 / 100))x$((wh / 2))+$((X + ww * 73 / 100))+$((Y + 130))")
    [ "${n:-0}" -gt 1000 ] || { echo "journeys $size analyst: the wheel over the call form did not scroll the properties panel ($n pixels changed)"; fail=1; }
  fi
  key ctrl+Return; sleep 1; shot analyst-tested-call || return
  key Escape
  # analyst: the five-node flow with the keyboard's quick-add (Tab on the
  # canvas, type, Enter: each node comes connected after the last), tidy
  # (Ctrl+N asks first to discard the flow before: Discard)
  key ctrl+n; click $((ww / 2 + 48)) $((wh / 2 + 60)); shot analyst-quick-empty || return
  actions=1
  for word in "" "" d s en; do
    key Tab; [ -n "$word" ] && { DISPLAY=$disp xdotool type --delay 20 "$word"; actions=$((actions + 1)); }
    key Return; actions=$((actions + 2))
  done
  key ctrl+shift+l; sleep 1; actions=$((actions + 1)); shot analyst-quick-tidied || return
  key ctrl+s; actions=$((actions + 1))
  echo "journeys $size analyst: five connected nodes, a tidy and a save in $actions actions" >>"$OUT/actions.txt"
  n=$(changed analyst-quick-empty analyst-quick-tidied)
  [ "$n" -gt 2000 ] || { echo "journeys $size analyst: quick-add drew no flow on the new one ($n canvas pixels differ)"; fail=1; }
  # relaunch: the window opens the newest flow, the one just built
  kill -TERM "$app"; wait "$app" || true
  start_app || { echo "journeys $size analyst: no window after the relaunch"; fail=1; return; }
  shot analyst-relaunched || return
  LC_ALL=C DISPLAY=$disp xwininfo -root -tree | grep -q "Untitled flow" || { echo "journeys $size analyst: the relaunched window does not open the saved flow"; fail=1; }
}

views=(flows connections runs events mocks requests send)
for size in 1024x640 1920x1080; do
  w=${size%x*}; h=${size#*x}
  home=$(mktemp -d)
  disp=""
  for n in $(seq 90 140); do [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || { disp=":$n"; break; }; done
  Xvfb "$disp" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 & xvfb=$!
  sleep 1
  if ! start_app; then echo "journeys $size: no window"; fail=1; cleanup; app="" xvfb="" home=""; continue; fi
  shot open || true
  for i in "${!views[@]}"; do
    key "ctrl+$((i + 1))"
    shot "${views[$i]}" || break
  done
  if [ "$mode" = long ] && kill -0 "$app" 2>/dev/null; then
    long_journeys
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
