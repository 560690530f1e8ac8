#!/usr/bin/env bash
# Smoke test of the real window: builds the GL binary, starts it under Xvfb
# on a fresh database (the first launch stores the bundled example flows and
# opens the offline demo, "Demo: chatbot branching"), captures the screen and
# checks the capture is not blank and the window shows that flow.
#
# It starts the app as users do, `flowbench gui`, which runs flowbench-gui
# from beside it, under LANG=C.UTF-8 (the app must fall back to English
# without "Error parsing user locale" lines), and at the end sends SIGTERM:
# the app must exit 0 at once.
#
# Usage: [FLOWBENCH_BIN=path] scripts/xvfb-smoke.sh [--screenshot PATH]
#   FLOWBENCH_BIN      test this flowbench instead of building one (its
#                      flowbench-gui must sit beside it)
#   --screenshot PATH  also keep the capture at PATH (the README's
#                      docs/screenshot-editor.png is made this way)
# Needs: go, gcc and the GL/X headers (libgl1-mesa-dev xorg-dev), Xvfb,
# ImageMagick (import, convert). Exit status 0 when the window drew.
set -euo pipefail

cd "$(dirname "$0")/.."
keep=""
if [[ "${1:-}" == "--screenshot" ]]; then
	keep="${2:?--screenshot needs a path}"
fi

for tool in Xvfb import convert; do
	command -v "$tool" >/dev/null || { echo "smoke: $tool is missing; install xvfb and imagemagick" >&2; exit 2; }
done

work="$(mktemp -d)"
xvfb_pid=""
app_pid=""
cleanup() {
	[[ -n "$app_pid" ]] && kill "$app_pid" 2>/dev/null || true
	[[ -n "$xvfb_pid" ]] && kill "$xvfb_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

bin="${FLOWBENCH_BIN:-}"
if [[ -z "$bin" ]]; then
	echo "smoke: building the app"
	go build -tags migrated_fynedo -o "$work/" ./cmd/flowbench ./cmd/flowbench-gui
	bin="$work/flowbench"
fi

# a display number nobody uses
display=""
for n in $(seq 91 130); do
	if [[ ! -e "/tmp/.X$n-lock" && ! -e "/tmp/.X11-unix/X$n" ]]; then
		display=":$n"
		break
	fi
done
[[ -n "$display" ]] || { echo "smoke: no free X display between :91 and :130" >&2; exit 1; }

Xvfb "$display" -screen 0 1440x900x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 1 50); do
	DISPLAY="$display" xdpyinfo >/dev/null 2>&1 && break
	[[ -e "/tmp/.X11-unix/X${display#:}" ]] && break
	sleep 0.1
done

# A private home, config dir and master key: the test never touches the
# user's keychain, preferences or database.
mkdir -p "$work/home"
key="$(head -c 32 /dev/urandom | base64)"
echo "smoke: starting the app on $display"
DISPLAY="$display" HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" \
	FLOWBENCH_MASTER_KEY="$key" LANG=C.UTF-8 \
	"$bin" gui --db "$work/flowbench.db" >"$work/app.log" 2>&1 &
app_pid=$!

# Wait (at most 30 s) for a capture with enough colours to be a drawn window.
shot="$work/shot.png"
colours=0
for _ in $(seq 1 60); do
	sleep 0.5
	if ! kill -0 "$app_pid" 2>/dev/null; then
		echo "smoke: the app exited early; its output:" >&2
		cat "$work/app.log" >&2
		exit 1
	fi
	import -display "$display" -window root "$shot" 2>/dev/null || continue
	colours="$(convert "$shot" -format %k info:)"
	if (( colours > 200 )); then
		sleep 1.5 # let the flow be fitted to the window
		import -display "$display" -window root "$shot"
		colours="$(convert "$shot" -format %k info:)"
		break
	fi
done
echo "smoke: the capture has $colours distinct colours"
if (( colours <= 200 )); then
	echo "smoke: FAIL: the capture is blank or nearly so; app output:" >&2
	cat "$work/app.log" >&2
	exit 1
fi

# The title names the open flow: the bundled example must be the one shown.
if command -v xwininfo >/dev/null; then
	if ! LC_ALL=C DISPLAY="$display" xwininfo -root -tree | grep -q "Demo: chatbot branching"; then
		echo "smoke: FAIL: no window titled with the example flow; windows:" >&2
		LC_ALL=C DISPLAY="$display" xwininfo -root -tree >&2
		exit 1
	fi
	echo "smoke: the window shows the example flow \"Demo: chatbot branching\""
fi

if [[ -n "$keep" ]]; then
	mkdir -p "$(dirname "$keep")"
	if command -v xwininfo >/dev/null && command -v xdotool >/dev/null; then
		# the README shows the request builder: select the example's call
		# node ("Look up tier") as a person would, by clicking its card
		win="$(LC_ALL=C DISPLAY="$display" xwininfo -root -tree | awk '/Demo: chatbot branching/ {print $1; exit}')"
		DISPLAY="$display" xdotool mousemove --window "$win" 500 385 click 1 mousemove 700 800
		sleep 1
		import -display "$display" -window "$win" "$keep"
	else
		cp "$shot" "$keep"
	fi
	echo "smoke: screenshot saved to $keep"
fi
# SIGTERM (logout, systemd, kill) ends the app cleanly and at once.
kill -TERM "$app_pid"
status=""
for _ in $(seq 1 100); do
	if ! kill -0 "$app_pid" 2>/dev/null; then
		wait "$app_pid" && status=0 || status=$?
		break
	fi
	sleep 0.1
done
app_pid_left="$app_pid"
app_pid=""
if [[ "$status" != 0 ]]; then
	[[ -z "$status" ]] && kill -KILL "$app_pid_left" 2>/dev/null
	echo "smoke: FAIL: the app did not exit 0 within 10 s of SIGTERM (status ${status:-still running}); output:" >&2
	cat "$work/app.log" >&2
	exit 1
fi
echo "smoke: the app exited 0 on SIGTERM"
if grep -Ei "fyne error|locale" "$work/app.log" >&2; then
	echo "smoke: FAIL: the app printed toolkit noise (above) under LANG=C.UTF-8" >&2
	exit 1
fi
echo "smoke: ok"
