#!/usr/bin/env bash
# Set-up and run commands for a fresh Debian machine; each installs what is
# missing first.
#
#   bash run.sh demo    play and record a test signal through the virtual
#                       loopback device (no sound card, no audio server)
#   bash run.sh test    the whole test suite, real-JACK tests and the
#                       Python module's included
#   bash run.sh deps    only install what is missing
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the build and the tests need.
DEBS=(pkg-config gcc libc6-dev portaudio19-dev libsndfile1-dev jackd2 sox procps util-linux)

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

install_missing() {
    local missing=()
    for p in "${DEBS[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing: ${missing[*]}" >&2
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    fi
    if ! command -v cargo >/dev/null; then
        echo "error: cargo not found; install a Rust toolchain (https://rustup.rs)" >&2
        exit 3
    fi
}

# Every example of the library, a second or so each on the virtual
# loopback device; one line for all of them.
run_examples() {
    cargo build --quiet -p pastream --examples || return 1
    local ex=target/debug/examples dir pass=0 fail=0
    dir=$(mktemp -d)
    "$ex/demo" make "$dir/sweep.wav" >/dev/null || return 1
    local runs=(
        "play_sine --device loopback --seconds 1"
        "wire --device loopback --seconds 1"
        "wire --device loopback --seconds 1 blocking"
        "play_file --device loopback --seconds 1 $dir/sweep.wav"
        "play_long_file --device loopback --seconds 1 $dir/sweep.wav"
        "rec_unlimited --device loopback --seconds 1 $dir/rec.wav 4"
        "input_levels --device loopback --seconds 1"
        "spectrogram --device loopback --seconds 1 32 tone=1000"
        "sampler --device loopback --seconds 1"
        "bleeperoo --device loopback --seconds 1 50"
        "delay --device loopback --seconds 1 0.25"
        "fetch_stats --device loopback --seconds 1.5"
        "block_times --device loopback --seconds 1.5"
    )
    for r in "${runs[@]}"; do
        # shellcheck disable=SC2086
        if timeout 60 $ex/$r >"$dir/out" 2>&1; then
            pass=$((pass + 1))
            echo "example $r: ok"
        else
            fail=$((fail + 1))
            echo "example $r: FAILED"
            cat "$dir/out"
        fi
    done
    rm -rf "$dir"
    echo "examples: $pass passed, $fail failed"
    [ "$fail" = 0 ]
}

# The Python module, built by pip (maturin) into a virtual environment of
# its own, and its pytest suite on the virtual device and on a JACK server
# of the suite's own; one line for all of it.
run_python() {
    local venv=target/py-venv
    if ! python3 -m venv --help >/dev/null 2>&1; then
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >&2
    fi
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv" || return 1
    "$venv/bin/pip" install -q "maturin>=1.16,<2" numpy pytest soundfile || return 1
    "$venv/bin/pip" install -q --force-reinstall --no-deps ./crates/pastream-py || return 1
    local out py=$PWD/$venv/bin/python passed failed
    out=$(mktemp)
    (cd crates/pastream-py && "$py" -m pytest -q -p no:cacheprovider tests) | tee "$out"
    local status=${PIPESTATUS[0]}
    # pytest's last line: "57 passed in 9.8s", "1 failed, 56 passed in ...".
    read -r passed failed < <(tail -1 "$out" | awk '{for (i = 1; i < NF; i++) {
        if ($(i + 1) ~ /^passed/) p = $i; if ($(i + 1) ~ /^(failed|errors?)/) f += $i }
        print p + 0, f + 0}')
    [ "$status" = 0 ] || [ "$failed" != 0 ] || failed=1
    rm -f "$out"
    echo "python: ${passed:-0} passed, ${failed:-0} failed"
    [ "$status" = 0 ]
}

case "${1:-}" in
    deps)
        install_missing
        ;;
    demo)
        install_missing
        cargo build --quiet --release -p pastream-cli
        cargo build --quiet --release -p pastream --example demo
        mkdir -p demo-out
        echo "== a 3 s sweep, played through the virtual loopback device in real time, recorded:"
        target/release/examples/demo make demo-out/sweep.wav
        target/release/pastream demo-out/sweep.wav demo-out/recording.wav -D "loopback, Virtual" -c 2 -p 0.1
        echo "== what came back:"
        target/release/examples/demo check demo-out/sweep.wav demo-out/recording.wav
        ;;
    test)
        install_missing
        log=$(mktemp)
        set +e
        cargo test --workspace 2>&1 | tee "$log"
        status=${PIPESTATUS[0]}
        run_examples 2>&1 | tee -a "$log"
        [ "${PIPESTATUS[0]}" = 0 ] || status=1
        run_python 2>&1 | tee -a "$log"
        [ "${PIPESTATUS[0]}" = 0 ] || status=1
        set -e
        # One line for every suite together: libtest's "test result" lines
        # and the JACK harnesses' "suite: N passed, M failed".
        awk '/^test result:/ {p += $4; f += $6} /^[a-z_]+: [0-9]+ passed, [0-9]+ failed$/ {p += $2; f += $4}
             END {printf "total: %d passed, %d failed\n", p, f}' "$log"
        rm -f "$log"
        exit "$status"
        ;;
    *)
        sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
esac
