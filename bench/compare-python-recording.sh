#!/usr/bin/env bash
# What a 32-channel recording script costs through the Python API: this
# project's module against the original pastream (pip install pastream),
# the same script (bench/record32.py) on a JACK server of its own (dummy
# driver, 48 kHz, period 256, blocksize 256), into memory and into a float
# WAV file, RUNS times each, alternating; the medians of CPU seconds per
# audio second (the whole process: start-up, device scan, recording) and
# their ratio.
#
#   bash bench/compare-python-recording.sh [SECONDS [RUNS]]   default 20, 3
#
# Virtual environments: target/bench-venv-ours (this project's module,
# built with pip) and target/bench-venv-original (pip install pastream
# soundfile).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RECORD=${1:-20}
RUNS=${2:-3}
bash run.sh deps >/dev/null

ours=target/bench-venv-ours
orig=target/bench-venv-original
if [ ! -x "$ours/bin/python" ]; then
    python3 -m venv "$ours"
    "$ours/bin/pip" install -q soundfile ./crates/pastream-py
fi
if [ ! -x "$orig/bin/python" ]; then
    python3 -m venv "$orig"
    "$orig/bin/pip" install -q pastream soundfile numpy
fi

work=$(mktemp -d)
trap 'kill -TERM "${jackd_pid:-0}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
# shellcheck source=bench/jack-server.sh
source bench/jack-server.sh
start_jack_server "pastream-pybench-$$" "$work/jackd.log"

# once VENV TARGET: prints "cpu_seconds xruns".
once() {
    "$1/bin/python" bench/record32.py "$SECONDS_TO_RECORD" "$2" 2>"$work/stderr" || {
        echo "failed: $1 $2" >&2
        cat "$work/stderr" >&2
        return 1
    }
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

printf "%-28s %12s %12s %8s\n" "recording ${SECONDS_TO_RECORD} s, 32 ch" "this project" "original" "ratio"
for target in memory "$work/rec.wav"; do
    : >"$work/ours" && : >"$work/orig"
    for _ in $(seq "$RUNS"); do
        once "$ours" "$target" >>"$work/ours"
        once "$orig" "$target" >>"$work/orig"
    done
    a=$(median <"$work/ours")
    b=$(median <"$work/orig")
    xa=$(awk '{s += $2} END {print s}' "$work/ours")
    xb=$(awk '{s += $2} END {print s}' "$work/orig")
    name=$([ "$target" = memory ] && echo "into memory" || echo "into a WAV file")
    printf "%-28s %12.4f %12.4f %8.2f\n" "$name (CPU s / audio s)" \
        "$(echo "$a/$SECONDS_TO_RECORD" | bc -l)" "$(echo "$b/$SECONDS_TO_RECORD" | bc -l)" "$(echo "$a/$b" | bc -l)"
    echo "  xruns in all runs: this project $xa, original $xb"
done
