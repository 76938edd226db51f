"""The module's surface with no stream: the ring buffer, errors, the
command line."""

import importlib.metadata
import os
import subprocess
import sys

import numpy as np
import pytest

import pastream as ps


def test_ring_buffer_reads_what_was_written():
    r = ps.RingBuffer(8, 16)
    assert (r.elementsize, len(r), r.read_available, r.write_available) == (8, 16, 0, 16)
    assert r.write(bytes(range(8 * 5))) == 5
    assert r.read_available == 5
    assert bytes(r.read(2)) == bytes(range(16))
    out = bytearray(8 * 10)
    assert r.readinto(out) == 3
    assert bytes(out[:24]) == bytes(range(16, 40))
    assert r.write(b"x" * 8 * 20) == 16


def test_ring_buffer_lends_its_memory():
    r = ps.RingBuffer(4, 8)
    r.write(np.arange(6, dtype=np.float32))
    r.read(6)
    n, a, b = r.get_write_buffers(5)
    assert (n, len(a), len(b)) == (5, 8, 12), "two parts: the region wraps"
    a[:] = np.arange(2, dtype=np.float32).view(np.uint8)
    b[:] = np.arange(2, 5, dtype=np.float32).view(np.uint8)
    assert r.read_available == 0, "nothing readable before the advance"
    assert r.advance_write_index(5) == (6 + 5) % 8
    n, a, b = r.get_read_buffers(8)
    assert n == 5
    assert np.array_equal(np.concatenate((a, b)).view(np.float32), np.arange(5, dtype=np.float32))
    assert r.advance_read_index(5) == (6 + 5) % 8
    assert r.read_available == 0
    # A view keeps its ring alive.
    r.write(b"abcd")
    n, a, _ = r.get_read_buffers(1)
    del r
    assert bytes(a) == b"abcd"


def test_ring_buffer_arguments_are_checked():
    with pytest.raises(ValueError, match="power of 2"):
        ps.RingBuffer(4, 12)
    with pytest.raises(TypeError):
        ps.RingBuffer(4)
    with pytest.raises(TypeError):
        ps.RingBuffer(4, 8, bytearray(32))
    assert len(ps.RingBuffer(4, buffer=bytearray(64))) == 16
    r = ps.RingBuffer(4, 8)
    r.write(b"1234")
    r.flush()
    assert r.read_available == 0


def test_bad_settings_are_errors_not_crashes():
    with pytest.raises(ps.PortAudioError, match="no output device matching"):
        ps.OutputStream(device="no such device anywhere")
    with pytest.raises(ValueError, match="dtype"):
        ps.OutputStream(device="loopback, Virtual", dtype="float64")
    with pytest.raises(ValueError, match="power of 2"):
        ps.InputStream(device="loopback, Virtual", buffersize=1000)
    with pytest.raises(TypeError):
        ps.InputStream(device="loopback, Virtual", bogus=1)


def test_the_pastream_command_runs_the_command_line(tmp_path):
    # The console script the package installs beside the interpreter.
    command = os.path.join(os.path.dirname(sys.executable), "pastream")
    assert os.access(command, os.X_OK), "pastream is installed as a command"
    out = subprocess.run([command, "-l"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "loopback, Virtual" in out.stdout
    bad = subprocess.run(
        [sys.executable, "-c", "import pastream; pastream._main()", "--no-such-option"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1


def test_the_package_carries_no_libraries_of_its_own():
    """The system's PortAudio and libsndfile (and through them ALSA and
    JACK) are used: a bundled libjack would not talk to the user's JACK
    server."""
    files = [str(f) for f in importlib.metadata.files("pastream")]
    shared = [f for f in files if ".so" in os.path.basename(f)]
    assert shared == ["pastream/_pastream.abi3.so"], shared
    assert not [f for f in files if ".libs" in f], files
