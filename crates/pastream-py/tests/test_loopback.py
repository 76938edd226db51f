"""The loopback suite through the Python API, on the virtual device and on
JACK: what is played comes back, and every parameter changes the result
exactly as the original pastream documents it. Comparisons are bit for
bit."""

import os
import threading
import time

import numpy as np
import pytest

import pastream as ps

BLOCK = 128
CH = 2
PREAMBLE = 64


def signal(seed, frames, channels=CH, dtype="float32"):
    """A seeded random signal, `PREAMBLE` frames of a constant level first
    (so that a recording can be aligned by search)."""
    rng = np.random.default_rng(seed)
    if dtype == "float32":
        x = (rng.random((frames, channels), dtype=np.float32) - np.float32(0.5)).astype(np.float32)
        x[:PREAMBLE] = np.float32(0.75)
    else:
        info = np.iinfo(dtype)
        x = rng.integers(info.min, info.max, size=(frames, channels), dtype=dtype, endpoint=True)
        x[:PREAMBLE] = info.max // 2 + 1
    return x


def seed():
    s = int(os.environ.get("PASTREAM_TEST_SEED", time.time_ns() % 2**32))
    print("PASTREAM_TEST_SEED=%d" % s)
    return s


def find_preamble(rec, level):
    hits = np.nonzero(np.all(rec == level, axis=-1) if rec.ndim == 2 else rec == level)[0]
    assert len(hits), "the preamble never came back"
    return int(hits[0])


def assert_equal(got, want):
    got, want = np.ascontiguousarray(got), np.ascontiguousarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    bad = np.nonzero(got.view(np.uint8).reshape(len(got), -1) != want.view(np.uint8).reshape(len(want), -1))[0]
    assert len(bad) == 0, "first difference at frame %d: %r != %r" % (bad[0], got[bad[0]], want[bad[0]])


def duplex(rig, blocksize=BLOCK, channels=CH, dtype="float32"):
    return ps.DuplexStream(**rig.kwargs(blocksize=blocksize, channels=channels, dtype=dtype))


# -- playrec: frames, pad, offset ----------------------------------------


def test_round_trip_bit_exact(rig):
    x = signal(seed(), 5000)
    with duplex(rig) as s:
        d = rig.delay(BLOCK)
        rec = s.playrec(x, pad=d, blocking=True)
    assert rec.shape == (5000 + d, CH)
    assert_equal(rec[d:], x)
    assert not np.any(rec[:d])


@pytest.mark.parametrize("dtype", ["int16", "int32", "uint8"])
def test_integer_formats_bit_exact(rig, dtype):
    x = signal(seed(), 3000, dtype=dtype)
    if rig.name == "jack" and dtype == "int32":
        x &= ~np.int32(0xFF)  # JACK carries float32: 24 bits survive
    with duplex(rig, dtype=dtype) as s:
        d = rig.delay(BLOCK)
        rec = s.playrec(x, pad=d, blocking=True)
    assert_equal(rec[d:], x)


def test_a_format_for_each_direction(rig, tmp_path):
    """float32 played, int16 recorded: values on the int16 grid come back
    exactly, into memory and into a file of the recording's format."""
    rng = np.random.default_rng(seed())
    ints = rng.integers(-32768, 32767, size=(3000, CH), dtype=np.int16, endpoint=True)
    x = (ints.astype(np.float32) / np.float32(32768)).astype(np.float32)
    d = rig.delay(BLOCK)
    with ps.DuplexStream(**rig.kwargs(blocksize=BLOCK, channels=CH, dtype=("int16", "float32"))) as s:
        assert s.dtype == ("int16", "float32")
        assert s.samplesize == (2, 4)
        rec = s.playrec(x, pad=d, blocking=True)
        assert rec.dtype == np.int16
        assert_equal(rec[d:], ints)
        soundfile = pytest.importorskip("soundfile")
        path = str(tmp_path / "rec.wav")
        s.playrec(x, pad=d, out=path, blocking=True)
    assert soundfile.info(path).subtype == "PCM_16"
    back, _ = soundfile.read(path, dtype="int16")
    assert_equal(back[d:], ints)


def test_frames_sets_the_length(rig):
    x = signal(seed(), 1024)
    with duplex(rig) as s:
        for frames in (1000, 1024, 100):
            rec = s.playrec(x, frames=frames, blocking=True)
            assert len(rec) == frames
            assert s.frame_count == frames


def test_pad_adds_silent_frames(rig):
    x = signal(seed(), 1024)
    with duplex(rig) as s:
        for pad in (0, 1, 511, 2048):
            rec = s.playrec(x, pad=pad, blocking=True)
            assert len(rec) == 1024 + pad
            d = rig.delay(BLOCK)
            tail = rec[1024 + d:]
            assert not np.any(tail), "padding is silence"


def test_offset_drops_first_frames(rig):
    x = signal(seed(), 1024)
    d = rig.delay(BLOCK)
    with duplex(rig) as s:
        full = s.playrec(x, pad=d, blocking=True)
        for offset in (1, 100, 1000):
            rec = s.playrec(x, pad=d, offset=offset, blocking=True)
            assert len(rec) == 1024 + d - offset
            assert_equal(rec, full[offset:])


@pytest.mark.parametrize(
    "frames,pad,offset", [(1024, 0, 0), (1024, 256, 0), (2000, 0, 100), (1024, 300, 700), (512, 512, 511)]
)
def test_frames_pad_offset_combinations(rig, frames, pad, offset):
    x = signal(seed(), 1024)
    with duplex(rig) as s:
        if frames > 1024 and pad >= 0:
            with pytest.raises(ps.BufferEmpty):
                s.playrec(x, frames=frames, pad=pad, offset=offset, blocking=True)
            return
        rec = s.playrec(x, frames=frames, pad=pad, offset=offset, blocking=True)
        assert len(rec) == frames + pad - offset


def test_negative_pad_pads_up_to_frames(rig):
    x = signal(seed(), 1000)
    d = rig.delay(BLOCK)
    with duplex(rig) as s:
        rec = s.playrec(x, frames=3000, pad=-1, blocking=True)
    assert len(rec) == 3000
    assert_equal(rec[d : d + 1000], x)
    assert not np.any(rec[d + 1000 :])


def test_buffer_empty_when_frames_exceed_the_playback(rig):
    x = signal(seed(), 1000)
    with duplex(rig) as s:
        with pytest.raises(ps.BufferEmpty):
            s.playrec(x, frames=5000, blocking=True)


def test_stream_replay(rig):
    x = signal(seed(), 4000)
    d = rig.delay(BLOCK)
    with duplex(rig) as s:
        first = s.playrec(x, pad=d, blocking=True)
        second = s.playrec(x, pad=d, blocking=True)
    assert_equal(first, second)
    assert_equal(second[d:], x)


def test_looping_five_times_bit_exact(rig):
    x = signal(seed(), 700)
    d = rig.delay(BLOCK)
    with duplex(rig) as s:
        rec = s.playrec(x, frames=5 * 700, pad=d, loop=True, blocking=True)
    assert_equal(rec[d:], np.concatenate([x] * 5))


def test_random_channel_maps(rig):
    rng = np.random.default_rng(seed())
    n = min(rig.channels, 8)
    x = signal(seed(), 2000, channels=n)
    d = rig.delay(BLOCK)
    for _ in range(3):
        tx = list(rng.permutation(n) + 1)
        rx = list(rng.permutation(n) + 1)
        with duplex(rig, channels=n) as s:
            s.txmapping = tx
            s.rxmapping = rx
            assert s.txmapping == tx and s.rxmapping == rx
            rec = s.playrec(x, pad=d, blocking=True)
        # Output channel k plays data channel tx[k]; recorded channel j is
        # input channel rx[j]; what is played on output k comes back on
        # input k.
        device = x[:, np.array(tx) - 1]
        assert_equal(rec[d:], device[:, np.array(rx) - 1])
    # The dict form: data channel: device channel (a swap of the first two).
    with duplex(rig, channels=2) as s:
        s.txmapping = {1: 2, 2: 1}
        assert s.txmapping == [2, 1]
        rec = s.playrec(x[:, :2].copy(), pad=d, blocking=True)
    assert_equal(rec[d:], x[:, [1, 0]])


# -- record and play alone -----------------------------------------------


def test_play_then_record_only(rig):
    with ps.InputStream(**rig.kwargs(blocksize=BLOCK, channels=CH)) as s:
        rec = s.record(2000, blocking=True)
        assert rec.shape == (2000, CH)
        rec = s.record(2000, offset=500, blocking=True)
        assert rec.shape == (1500, CH)
    x = signal(seed(), 2000)
    with ps.OutputStream(**rig.kwargs(blocksize=BLOCK, channels=CH)) as s:
        s.play(x, blocking=True)
        assert s.frame_count >= 2000


def test_bytes_playback_and_bytearray_recording(rig):
    x = signal(seed(), 3000)
    d = rig.delay(BLOCK)
    out = bytearray((3000 + d) * CH * 4)
    with duplex(rig) as s:
        rec = s.playrec(bytes(x.tobytes()), pad=d, out=out, blocking=True)
    assert rec is out
    assert_equal(np.frombuffer(bytes(out), np.float32).reshape(-1, CH)[d:], x)


def test_ring_buffers_as_source_and_sink(rig):
    x = signal(seed(), 4000)
    d = rig.delay(BLOCK)
    frame = CH * 4
    play = ps.RingBuffer(frame, 8192)
    assert play.write(x) == 4000
    rec = ps.RingBuffer(frame, 8192)
    with duplex(rig) as s:
        s.set_source(play)
        s.set_sink(rec)
        s._core.set_transfer(4000, d, 0)
        s.start()
        s.wait()
        with pytest.raises(RuntimeError, match="belongs to a stream"):
            play.read()
    got = np.frombuffer(bytes(rec.read()), np.float32).reshape(-1, CH)
    assert len(got) == 4000 + d
    assert_equal(got[d:], x)


# -- chunks --------------------------------------------------------------


def test_chunks_bit_exact_after_preamble(rig):
    x = signal(seed(), 20000)
    got = []
    for chunk in ps.chunks(
        256, playback=x, frames=20000 + 1024, pad=-1, **rig.kwargs(blocksize=BLOCK, channels=CH)
    ):
        got.append(np.array(chunk))
    rec = np.concatenate(got)
    start = find_preamble(rec, np.float32(0.75))
    assert start == rig.delay(BLOCK)
    assert_equal(rec[start : start + 20000], x)


def test_chunks_into_a_bytearray(rig):
    x = signal(seed(), 10000)
    out = bytearray(256 * CH * 4)
    got = bytearray()
    for chunk in ps.chunks(
        256, playback=x, frames=10000 + 1024, pad=-1, out=out, **rig.kwargs(blocksize=BLOCK, channels=CH)
    ):
        assert chunk is out
        got += chunk
    rec = np.frombuffer(bytes(got), dtype=np.float32).reshape(-1, CH)
    start = find_preamble(rec, np.float32(0.75))
    assert_equal(rec[start : start + 10000], x)


def test_chunks_are_views_of_the_ring_and_overlap(rig):
    x = signal(seed(), 8192)
    prev = None
    views = 0
    with duplex(rig) as s:
        for chunk in s.chunks(512, overlap=128, playback=x, frames=8192, pad=-1):
            if chunk.base is not None:
                views += 1
            if prev is not None and len(chunk) == 512:
                assert_equal(chunk[:128], prev[-128:])
            prev = np.array(chunk)
    assert views > 0, "chunks that do not wrap are views, not copies"


# -- Python functions as sources and sinks ---------------------------------


class Boom(Exception):
    pass


def test_a_source_function_plays_what_it_writes(rig):
    x = signal(seed(), 6000)
    d = rig.delay(BLOCK)
    data = x.tobytes()

    def source(stream, ring, loop=False):
        pos = 0
        while pos < len(data):
            n = ring.write(data[pos : pos + 4096 * ring.elementsize])
            pos += n * ring.elementsize
            if n == 0:
                time.sleep(0.001)

    with duplex(rig) as s:
        rec = s.playrec(source, frames=6000, pad=d, blocking=True)
    assert_equal(rec[d:], x)


def test_a_sink_function_reads_every_frame(rig):
    x = signal(seed(), 6000)
    d = rig.delay(BLOCK)
    got = []

    def sink(stream, ring):
        while not (stream.finished and ring.read_available == 0):
            n = ring._wait_readable(256, 0.01)
            if n:
                got.append(bytes(ring.read(n)))

    with duplex(rig) as s:
        s.set_sink(sink)
        s.set_source(x)
        s._core.set_transfer(6000, d, 0)
        s.start()
        s.wait()
    rec = np.frombuffer(b"".join(got), dtype=np.float32).reshape(-1, CH)
    assert len(rec) == 6000 + d
    assert_equal(rec[d:], x)


def test_exceptions_of_source_and_sink_functions_are_raised_by_wait(rig):
    def bad_source(stream, ring, loop=False):
        ring.write(np.zeros((100, CH), np.float32))
        raise Boom("from the source")

    def bad_sink(stream, ring):
        raise Boom("from the sink")

    with duplex(rig) as s:
        with pytest.raises(Boom, match="from the source"):
            s.playrec(bad_source, frames=48000, blocking=True)
    with duplex(rig) as s:
        s.set_sink(bad_sink)
        s.set_source(signal(seed(), 48000))
        s.start()
        with pytest.raises(Boom, match="from the sink"):
            s.wait()


# -- files -----------------------------------------------------------------


def test_files_through_to_file_and_from_file(rig, tmp_path):
    soundfile = pytest.importorskip("soundfile")
    x = signal(seed(), 6000)
    src = str(tmp_path / "in.wav")
    soundfile.write(src, x, 48000, subtype="FLOAT")
    d = rig.delay(BLOCK)
    with soundfile.SoundFile(src) as f, ps.DuplexStream.from_file(f, **rig.kwargs(blocksize=BLOCK)) as s:
        assert (s.samplerate, s.channels) == (48000, (CH, CH))
        dst = str(tmp_path / "out.wav")
        with s.to_file(dst) as out:
            s.playrec(f, frames=6000, pad=d, out=out, blocking=True)
    back, rate = soundfile.read(dst, dtype="float32")
    assert rate == 48000 and len(back) == 6000 + d
    assert_equal(back[d:], x)
    # A soundfile.SoundFile to record into: written by a worker thread.
    dst3 = str(tmp_path / "out3.wav")
    with soundfile.SoundFile(dst3, "w", 48000, CH, "FLOAT") as out3, ps.DuplexStream(
        **rig.kwargs(blocksize=BLOCK, channels=CH)
    ) as s:
        s.playrec(x, pad=d, out=out3, blocking=True)
    back3, _ = soundfile.read(dst3, dtype="float32")
    assert_equal(back3[d:], x)
    # Paths: the library's own libsndfile on both ends.
    dst2 = str(tmp_path / "out2.wav")
    with ps.DuplexStream.from_file(src, **rig.kwargs(blocksize=BLOCK)) as s:
        assert s.channels == (CH, CH)
        s.playrec(src, frames=6000, pad=d, out=dst2, blocking=True)
    back2, _ = soundfile.read(dst2, dtype="float32")
    assert_equal(back2[d:], x)


# -- the GIL ---------------------------------------------------------------


def test_a_recording_needs_no_gil(rig):
    """While a Python thread holds the GIL in a busy loop for 2 s, a
    real-time recording has no xruns and comes back bit for bit."""
    # Blocks of 512 frames (10.7 ms): the claim is about the GIL, not about
    # how short a deadline a loaded machine keeps.
    block = 512
    if rig.name == "virtual":
        kwargs = dict(rig.kwargs(blocksize=block, channels=CH), clock="realtime")
    else:
        kwargs = rig.kwargs(blocksize=block, channels=CH)
    x = signal(seed(), 2 * 48000)
    d = rig.delay(block)
    stop = threading.Event()

    def busy():
        # Pure bytecode: the GIL is held but for the interpreter's switch
        # interval, which is raised so that it is held for seconds.
        t0 = time.monotonic()
        n = 0
        while time.monotonic() - t0 < 2.0:
            n += 1
        stop.set()

    switch = __import__("sys").getswitchinterval()
    __import__("sys").setswitchinterval(5.0)
    try:
        with ps.DuplexStream(**kwargs) as s:
            rec = s.playrec(x, pad=d)
            t = threading.Thread(target=busy)
            t.start()
            t.join()
            s.wait()
            assert stop.is_set()
            assert s.xruns == 0
    finally:
        __import__("sys").setswitchinterval(switch)
    assert_equal(rec[d:], x)
