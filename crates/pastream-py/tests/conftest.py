"""The Python suite's devices: the virtual loopback (free-running) and a
real JACK server of the suite's own (the dummy driver with loopback
ports), started before pastream first looks for devices."""

import os
import shutil
import signal
import subprocess
import time

import pytest

PERIOD = 256
PORTS = 8
_server = None


def _start_jackd():
    """Starts a JACK server named for this process; its name goes to
    JACK_DEFAULT_SERVER before PortAudio first looks for devices."""
    global _server
    for tool in ("jackd", "jack_lsp"):
        if shutil.which(tool) is None:
            raise pytest.UsageError(
                "%s not found; the JACK tests need it: apt-get install jackd2 "
                "(or run the whole suite with: bash run.sh test)" % tool
            )
    name = "pastream-py-%d" % os.getpid()
    env = dict(os.environ, JACK_NO_AUDIO_RESERVATION="1")
    log = open(os.path.join("/tmp", name + ".log"), "w")
    _server = subprocess.Popen(
        ["jackd", "-n", name, "-S", "-L", str(PORTS), "-d", "dummy", "-r", "48000", "-p", str(PERIOD)],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        env=env,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if _server.poll() is not None:
            raise pytest.UsageError("jackd exited; see /tmp/%s.log" % name)
        out = subprocess.run(
            ["jack_lsp", "-s", name],
            capture_output=True,
            text=True,
            env=dict(env, JACK_NO_START_SERVER="1"),
        ).stdout
        if "loopback:capture_1" in out.split():
            break
        time.sleep(0.1)
    else:
        raise pytest.UsageError("jackd did not show its loopback ports in 15 s")
    os.environ["JACK_DEFAULT_SERVER"] = name
    os.environ["JACK_NO_START_SERVER"] = "1"
    os.environ["JACK_NO_AUDIO_RESERVATION"] = "1"


def pytest_configure(config):
    _start_jackd()


def pytest_unconfigure(config):
    # SIGTERM, never SIGKILL: a killed server stays in JACK's small
    # registry of servers.
    if _server is not None and _server.poll() is None:
        _server.send_signal(signal.SIGTERM)
        try:
            _server.wait(10)
        except subprocess.TimeoutExpired:
            _server.kill()


class Rig(object):
    """A loopback device: what is played comes back `delay(blocksize)`
    frames later."""

    def __init__(self, name, device, delay, channels, clock=None):
        self.name = name
        self.device = device
        self.delay = delay
        self.channels = channels
        self.clock = clock

    def kwargs(self, **kw):
        kw.setdefault("device", self.device)
        kw.setdefault("samplerate", 48000)
        if self.clock:
            kw.setdefault("clock", self.clock)
        return kw

    def __repr__(self):
        return self.name


VIRTUAL = Rig("virtual", "loopback, Virtual", lambda bs: bs or 512, 16, clock="free")
JACK = Rig("jack", "loopback, JACK", lambda bs: PERIOD + bs, PORTS)


@pytest.fixture(params=[VIRTUAL, JACK], ids=["virtual", "jack"])
def rig(request):
    return request.param
