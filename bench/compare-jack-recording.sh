#!/usr/bin/env bash
# What a recording through JACK costs: CPU seconds and peak private memory
# of the pastream CLI against the floor (bench/floor-recorder.c, a minimal
# JACK + libsndfile recorder) and, when it is installed, the original
# Python pastream (pip install pastream; PASTREAM_ORIGINAL names its
# command, default: pastream-original, then ./venv/bin/pastream).
#
#   bash bench/compare-jack-recording.sh [SECONDS [RUNS]]   default 20, 3
#
# Each tool records the loopback capture ports of a JACK server of its own
# (dummy driver, 48 kHz, period 256) into a float WAV file, in three
# settings: 32 channels with blocksize 256, 2 channels with blocksize 256,
# 32 channels with blocksize 64, RUNS times each; the medians are shown.
# CPU is the process's task clock (perf stat: user + system time, to the
# microsecond); private memory is the peak of Private_Clean + Private_Dirty
# in /proc/PID/smaps_rollup, sampled every 100 ms: the JACK shared memory
# every JACK client maps (about 105 MB) is not private, and not counted.
# Ratios are against the floor measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RECORD=${1:-20}
RUNS=${2:-3}
DEBS=(gcc libjack-jackd2-dev libsndfile1-dev jackd2 linux-perf bc procps sox)
missing=()
for p in "${DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

work=$(mktemp -d)
trap 'kill -TERM "${jackd_pid:-0}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
gcc -O2 -o "$work/floor-recorder" bench/floor-recorder.c -ljack -lsndfile
cargo build --quiet --release -p pastream-cli
ours=$PWD/target/release/pastream

original=""
for c in "${PASTREAM_ORIGINAL:-pastream-original}" ./venv/bin/pastream; do
    if command -v "$c" >/dev/null 2>&1; then
        original=$(command -v "$c")
        break
    fi
done

# shellcheck source=bench/jack-server.sh
source bench/jack-server.sh
start_jack_server "pastream-bench-$$" "$work/jackd.log"

# once NAME COMMAND...: prints "cpu_seconds private_peak_kib frames".
once() {
    local out="$work/$1.wav"
    shift
    perf stat -x, -e task-clock -o "$work/perf" -- "$@" >/dev/null 2>"$work/stderr" &
    local ppid=$! peak=0 pid=""
    while kill -0 "$ppid" 2>/dev/null; do
        [ -n "$pid" ] || pid=$(pgrep -P "$ppid" | head -1 || true)
        if [ -n "$pid" ] && [ -r "/proc/$pid/smaps_rollup" ]; then
            local kib
            kib=$(awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s + 0}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
            [ "$kib" -gt "$peak" ] && peak=$kib
        fi
        sleep 0.1
    done
    wait "$ppid" || { echo "failed: $*" >&2; cat "$work/stderr" >&2; return 1; }
    local frames
    # sox reads every WAV form (plain, extensible, RF64).
    frames=$(soxi -s "$out")
    echo "$(awk -F, '/task-clock/ {printf "%.3f", $1 / 1000}' "$work/perf") $peak $frames"
}

# run NAME COMMAND...: the median of RUNS runs, by CPU.
run() {
    for _ in $(seq "$RUNS"); do once "$@"; done | sort -n | awk '{a[NR] = $0} END {print a[int((NR + 1) / 2)]}'
}

printf "%-34s %10s %8s %14s %10s\n" "recording ${SECONDS_TO_RECORD} s" "CPU s" "x floor" "private MiB" "frames"
for setting in "32 256" "2 256" "32 64"; do
    read -r ch bs <<<"$setting"
    echo "-- $ch channels, blocksize $bs"
    read -r fcpu fmem fframes < <(run floor "$work/floor-recorder" "$ch" "$SECONDS_TO_RECORD" "$work/floor.wav")
    printf "%-34s %10s %8s %14.1f %10s\n" "floor (C, JACK + libsndfile)" "$fcpu" "1.00" "$(echo "$fmem/1024" | bc -l)" "$fframes"
    read -r cpu mem frames < <(run ours "$ours" null "$work/ours.wav" -c "$ch" -d "$SECONDS_TO_RECORD" -D "loopback jack" -b "$bs" -q)
    printf "%-34s %10s %8.2f %14.1f %10s\n" "pastream (this project)" "$cpu" "$(echo "$cpu/$fcpu" | bc -l)" "$(echo "$mem/1024" | bc -l)" "$frames"
    if [ -n "$original" ]; then
        read -r ocpu omem oframes < <(run original "$original" null "$work/original.wav" -c "$ch" -d "$SECONDS_TO_RECORD" -D "loopback JACK" -b "$bs" -q)
        printf "%-34s %10s %8.2f %14.1f %10s\n" "original pastream (Python)" "$ocpu" "$(echo "$ocpu/$fcpu" | bc -l)" "$(echo "$omem/1024" | bc -l)" "$oframes"
        printf "%-34s %10s %8.2f %14.2f\n" "  pastream / original" "" "$(echo "$cpu/$ocpu" | bc -l)" "$(echo "$mem/$omem" | bc -l)"
    else
        echo "  (original pastream not installed: pip install pastream, then PASTREAM_ORIGINAL=its command)"
    fi
done
