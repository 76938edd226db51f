# Sourced by the benchmark scripts: start_jack_server NAME LOGFILE starts a
# JACK server of the benchmark's own (dummy driver, 48 kHz, period 256, 32
# loopback ports), exports what its clients need, sets jackd_pid and
# waits until its ports appear. A name must not be 24 characters long:
# such names crash JACK clients.
start_jack_server() {
    export JACK_NO_AUDIO_RESERVATION=1 JACK_NO_START_SERVER=1
    export JACK_DEFAULT_SERVER=$1
    jackd -n "$1" -S -L 32 -d dummy -r 48000 -p 256 >"$2" 2>&1 &
    jackd_pid=$!
    for _ in $(seq 100); do
        jack_lsp -s "$1" 2>/dev/null | grep -qx "loopback:capture_1" && return 0
        sleep 0.1
    done
    echo "jackd did not show its ports in 10 s; see $2" >&2
    return 1
}
