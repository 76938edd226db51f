"""pastream: real-time audio streams whose callback never waits for the GIL.

The API of the original pastream (0.2), on the Rust library of the same
name: ``InputStream``, ``OutputStream`` and ``DuplexStream`` play and record
NumPy arrays, bytes-like buffers, sound files (paths, or
``soundfile.SoundFile`` objects) and Python functions run on worker
threads; ``chunks`` yields live input; ``RingBuffer`` moves data between
Python code and the stream.

The audio callback is compiled code that takes no lock and never the GIL;
every call that waits (``wait``, blocking ``play``/``record``/``playrec``,
the waits inside ``chunks``) lets other Python threads run meanwhile.
"""

import numbers
import os
import sys
import threading
import time

try:
    from . import _pastream as _core
except ImportError as e:
    raise ImportError(
        "pastream needs the system's PortAudio and libsndfile: install them "
        "(Debian/Ubuntu: apt-get install libportaudio2 libsndfile1): %s" % e
    ) from e

import numpy as _np

from ._pastream import BufferEmpty, BufferFull, PortAudioError, RingBuffer

try:
    from importlib.metadata import version as _version

    __version__ = _version("pastream")
except Exception:  # not installed as a distribution
    __version__ = "unknown"

__all__ = [
    "BufferEmpty",
    "BufferFull",
    "DuplexStream",
    "InputStream",
    "OutputStream",
    "PortAudioError",
    "RingBuffer",
    "Stream",
    "chunks",
    "query_devices",
]

#: Frames of the ring between a worker thread and the stream, by default.
DEFAULT_BUFFERSIZE = 8192

_DTYPES = ("float32", "int32", "int24", "int16", "int8", "uint8")


def query_devices():
    """The devices, one line each (as ``pastream -l`` prints them)."""
    return _core.device_list()


def _split(value):
    """A value for (input, output): a pair as it is, else the value twice."""
    if isinstance(value, (str, bytes)) or value is None:
        return value, value
    try:
        a, b = value
    except TypeError:
        return value, value
    except ValueError:
        raise ValueError("Only single values and pairs are allowed") from None
    return a, b


def _dtype_name(dtype):
    if dtype is None:
        return None
    if dtype == "int24":
        return "int24"
    name = _np.dtype(dtype).name
    if name not in _DTYPES:
        raise ValueError("invalid dtype: %r" % (dtype,))
    return name


def _np_dtype(name):
    # int24 is carried as 3 packed bytes; it has no NumPy type.
    return None if name == "int24" else _np.dtype(name)


def _is_soundfile(obj):
    return hasattr(obj, "buffer_read") or hasattr(obj, "buffer_write")


def _next_pow2(n):
    p = 1
    while p < n:
        p *= 2
    return p


def _mapping_list(mapping):
    """The original's mapping forms as the library's map: a list gives, for
    each destination channel (1-based: the device's output channels for
    ``txmapping``, the recorded data's channels for ``rxmapping``), the
    source channel that feeds it (0: silence); a dict maps sources to
    destinations."""
    if mapping is None:
        return None
    if isinstance(mapping, dict):
        entries = [0] * max(mapping.values(), default=0)
        for source, dest in mapping.items():
            if source < 1 or dest < 1:
                raise ValueError("channel numbers start with 1")
            if entries[dest - 1]:
                raise ValueError("destination channel %d is mapped twice" % dest)
            entries[dest - 1] = source
        return entries
    entries = [int(c) for c in mapping]
    if any(c < 0 for c in entries):
        raise ValueError("channel numbers start with 1 (0 is silence)")
    return entries


def _mapping_property(tx, doc):
    """The playback (``tx``) or recording channel map as a property."""

    def get(self):
        return self._core.mapping(tx)

    def set(self, mapping):
        self._core.set_mapping(tx, _mapping_list(mapping))

    return property(get, set, doc=doc)


class Stream(object):
    """Base stream class of the three kinds (see ``InputStream``,
    ``OutputStream``, ``DuplexStream``).

    Keyword arguments: ``device`` (an index, a query string such as
    ``"loopback"`` or ``"loopback, Virtual"``, or an (input, output)
    pair), ``samplerate``, ``channels``, ``dtype`` ('float32', 'int32',
    'int24', 'int16', 'int8', 'uint8'), ``blocksize``, ``latency``
    (seconds, 'low' or 'high'), ``buffersize`` (frames of the ring
    between a worker thread and the stream, a power of 2) and ``clock``
    ('free' or 'realtime': the virtual device's clock).
    python-sounddevice's ``clip_off``, ``dither_off``, ``never_drop_input``,
    ``prime_output_buffers_using_stream_callback`` and ``extra_settings``
    are accepted and have no effect.
    """

    _kind = "duplex"

    def __init__(
        self,
        kind=None,
        device=None,
        samplerate=None,
        channels=None,
        dtype=None,
        blocksize=None,
        latency=None,
        buffersize=None,
        clock=None,
        **kwargs
    ):
        for ignored in (
            "clip_off",
            "dither_off",
            "never_drop_input",
            "prime_output_buffers_using_stream_callback",
            "extra_settings",
        ):
            kwargs.pop(ignored, None)
        if kwargs:
            raise TypeError("unexpected keyword arguments: %s" % ", ".join(sorted(kwargs)))
        kind = kind or self._kind
        if kind not in ("input", "output", "duplex"):
            raise ValueError("invalid kind: %r" % (kind,))
        if buffersize is not None and (buffersize < 1 or buffersize & (buffersize - 1)):
            raise ValueError("buffersize must be a power of 2")
        din, dout = _split(device)
        cin, cout = _split(channels)
        tin, tout = _split(dtype)
        self._core = _core.CoreStream(
            kind,
            din,
            dout,
            None if samplerate is None else float(samplerate),
            cin,
            cout,
            _dtype_name(tin),
            _dtype_name(tout),
            blocksize,
            _split(latency)[1] if kind != "input" else _split(latency)[0],
            clock,
        )
        self._kind = kind
        self._buffersize = buffersize
        self._threads = []
        self._sink_rings = []
        self._errors = []
        self._memory = None

    # -- properties ---------------------------------------------------

    def _pick(self, pair):
        if self._kind == "input":
            return pair[0]
        if self._kind == "output":
            return pair[1]
        return pair

    @property
    def samplerate(self):
        """The sample rate in Hz."""
        return self._core.samplerate

    @property
    def channels(self):
        """Channels (a pair for a duplex stream)."""
        return self._pick(self._core.channels)

    @property
    def dtype(self):
        """Sample type (a pair for a duplex stream)."""
        return self._pick(self._core.dtypes)

    @property
    def samplesize(self):
        """Bytes per sample (a pair for a duplex stream)."""
        return self._pick(self._core.sample_sizes)

    @property
    def latency(self):
        """The actual latency in seconds (a pair for a duplex stream)."""
        return self._pick(self._core.latency)

    @property
    def blocksize(self):
        return self._core.blocksize

    @property
    def device(self):
        """Device index (a pair for a duplex stream)."""
        return self._pick(self._core.devices)

    @property
    def frame_count(self):
        """Frames processed by the current (or last) run."""
        return self._core.frame_count

    @property
    def xruns(self):
        """Blocks with an xrun in the current (or last) run."""
        return self._core.xruns

    @property
    def status(self):
        """The PortAudio status flags seen in the current (or last) run."""
        return self._core.status

    @property
    def active(self):
        return self._core.active

    @property
    def stopped(self):
        return self._core.stopped

    @property
    def finished(self):
        """Whether the run is over, and every worker thread's ring with it."""
        return self._core.finished and all(r._stream_done for r in self._sink_rings)

    @property
    def aborted(self):
        return self._core.aborted

    @property
    def closed(self):
        return self._core.closed

    @property
    def isduplex(self):
        return self._kind == "duplex"

    @property
    def time(self):
        return self._core.time

    @property
    def cpu_load(self):
        return self._core.cpu_load

    @classmethod
    def from_file(cls, file, *args, **kwargs):
        """A stream with the sample rate and channels of a sound file (a
        path, or a SoundFile)."""
        rate, channels = _file_format(file)
        kwargs.setdefault("samplerate", rate)
        kwargs.setdefault("channels", channels)
        return cls(*args, **kwargs)

    def _place_recording(self):
        target, self._memory = self._memory, None
        if target is None:
            return
        if isinstance(target, _Owned):
            raw = self._core.take_recording_array()
            if raw is not None:
                # A run that failed recorded fewer frames than asked.
                shape = (-1,) + tuple(target.shape[1:])
                target.array = raw if target.dtype == "int24" else raw.view(target.dtype).reshape(shape)
            return
        data = self._core.take_recording()
        if data is not None:
            memoryview(target).cast("B")[: len(data)] = data

    def _frame_bytes(self, output):
        return self._core.frame_sizes[1 if output else 0]

    def _data_channels(self, output):
        return self._core.data_channels[1 if output else 0]

    # -- lifecycle ----------------------------------------------------

    def start(self, prebuffer=True):
        """Starts a run (and the worker threads of Python functions)."""
        self._errors = []
        for t in self._threads:
            t.start()
        self._core.start(bool(prebuffer))

    def _join(self):
        for t in self._threads:
            if t.ident is not None:
                t.join()
        self._threads = [t._again() for t in self._threads]

    def _finish(self, error):
        """After a run: Python threads joined, the memory recording placed,
        the first error raised (a Python function's own first)."""
        self._join()
        self._place_recording()
        if self._errors:
            err = self._errors[0]
            self._errors = []
            raise err
        if error is not None:
            raise error

    def _ending(self, call, *args):
        """Calls ``call`` (a wait, stop or abort of the core); once the run
        is over (unless a wait timed out), finishes it."""
        try:
            done = call(*args)
        except Exception as e:
            self._finish(e)
            raise
        if done is not False:
            self._finish(None)
        return done

    def wait(self, timeout=None):
        """Waits until the run ends (or ``timeout`` seconds pass); True
        unless the timeout passed. Raises the run's error, if it failed."""
        return self._ending(self._core.wait, timeout)

    def stop(self):
        """Stops after the current block, letting queued output play."""
        self._ending(self._core.stop)

    def abort(self):
        """Stops now; queued output may be dropped."""
        self._ending(self._core.abort)

    def close(self):
        if not self._core.closed:
            try:
                self._core.close()
            finally:
                self._join()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            if self.active:
                self.stop()
        finally:
            self.close()

    def __del__(self):
        core = getattr(self, "_core", None)
        if core is not None and not core.closed:
            try:
                core.close()
            except Exception:
                pass

    def __repr__(self):
        return "%s(device=%r, samplerate=%r, channels=%r, dtype=%r, blocksize=%r)" % (
            type(self).__name__,
            self.device,
            self.samplerate,
            self.channels,
            self.dtype,
            self.blocksize,
        )

    # -- sources and sinks -------------------------------------------

    def _thread(self, function, ring, args, kwargs, role):
        stream = self

        def run():
            failed = False
            try:
                function(stream, ring, *args, **kwargs)
            except BaseException as e:  # raised again by wait() or stop()
                failed = True
                stream._errors.append(e)
            finally:
                ring._python_done(failed)

        class Worker(threading.Thread):
            def _again(self):
                return Worker(target=run, name="pastream-%s" % role, daemon=True)

            def start(self):
                ring._reset()
                threading.Thread.start(self)

        return Worker(target=run, name="pastream-%s" % role, daemon=True)

    def _ring_for(self, output, buffersize):
        size = buffersize or self._buffersize or DEFAULT_BUFFERSIZE
        return RingBuffer(self._frame_bytes(output), size)


class OutputStream(Stream):
    """Playback only stream."""

    _kind = "output"

    def __init__(self, *args, **kwargs):
        Stream.__init__(self, "output", *args, **kwargs)

    txmapping = _mapping_property(
        True,
        """For each output channel, the playback data channel it plays
        (1-based; 0 silence); set as such a list or as a dict of data
        channel: output channel.""",
    )

    def set_source(self, source, loop=False, buffersize=None, args=(), kwargs={}):
        """Sets the playback: a buffer or NumPy array, a ``RingBuffer``
        (played as it is written), a sound file (path or SoundFile), or a
        function ``function(stream, ringbuffer, *args, **kwargs)`` run on a
        worker thread at each start, writing frames into ``ringbuffer``;
        the playback ends when it returns and its frames are played."""
        self._threads = [t for t in self._threads if t.name != "pastream-source"]
        self._core.set_looping(bool(loop))
        if source is None:
            self._core.clear_source()
            return None
        if isinstance(source, RingBuffer):
            self._core.source_ring(source)
            return source
        if isinstance(source, (str, os.PathLike)):
            self._core.source_file(os.fspath(source), buffersize)
            return None
        if _is_soundfile(source):
            return self.set_source(_soundfile_player, loop, buffersize, (source,), {})
        if callable(source):
            ring = self._ring_for(True, buffersize)
            self._core.source_python(ring, buffersize)
            kw = dict(kwargs)
            kw["loop"] = bool(loop)
            self._threads.append(self._thread(source, ring, args, kw, "source"))
            self._core.set_looping(False)
            return ring
        self._core.source_bytes(self._playback_bytes(source))
        return None

    def _playback_bytes(self, data):
        dtype = self._core.dtypes[1]
        channels = self._data_channels(True)
        if isinstance(data, _np.ndarray):
            if dtype == "int24":
                raise TypeError("int24 playback takes bytes, not arrays")
            arr = _np.ascontiguousarray(data, dtype=_np_dtype(dtype))
            if arr.ndim == 2 and arr.shape[1] != channels:
                raise ValueError(
                    "playback has %d channels, the stream plays %d" % (arr.shape[1], channels)
                )
            if arr.ndim == 1 and channels != 1:
                raise ValueError("one-dimensional playback for a stream of %d channels" % channels)
            return arr.tobytes()
        return bytes(memoryview(data).cast("B"))

    def play(self, playback, frames=-1, pad=0, loop=False, buffersize=None, blocking=False):
        """Plays ``playback`` (see ``set_source``): ``frames`` frames (all
        when negative), then ``pad`` frames of silence (when negative:
        silence up to ``frames``, or for ever)."""
        self.set_source(playback, loop, buffersize)
        if self._kind == "duplex":
            self._core.clear_sink()
        self._core.set_transfer(int(frames), int(pad), 0)
        self.start()
        if blocking:
            self.wait()


class InputStream(Stream):
    """Record only stream."""

    _kind = "input"

    def __init__(self, *args, **kwargs):
        Stream.__init__(self, "input", *args, **kwargs)

    rxmapping = _mapping_property(
        False,
        """For each recorded data channel, the input channel it records
        (1-based; 0 silence); set as such a list or as a dict of input
        channel: data channel.""",
    )

    def set_sink(self, sink, buffersize=None, args=(), kwargs={}):
        """Sets the recording: a ``RingBuffer`` (read it as it fills), a
        sound file (path or SoundFile), or a function
        ``function(stream, ringbuffer, *args, **kwargs)`` run on a worker
        thread at each start, reading frames from ``ringbuffer`` until the
        stream is finished and the ring empty."""
        self._threads = [t for t in self._threads if t.name != "pastream-sink"]
        self._sink_rings = []
        self._memory = None
        if sink is None:
            self._core.clear_sink()
            return None
        if isinstance(sink, RingBuffer):
            self._core.sink_ring(sink)
            return sink
        if isinstance(sink, _core.OutputFile):
            self._core.sink_output_file(sink, buffersize)
            return None
        if isinstance(sink, (str, os.PathLike)):
            self._core.sink_file(os.fspath(sink), buffersize)
            return None
        if _is_soundfile(sink):
            return self.set_sink(_soundfile_recorder, buffersize, (sink,), {})
        if callable(sink):
            ring = self._ring_for(False, buffersize)
            self._core.sink_python(ring, buffersize)
            self._sink_rings.append(ring)
            self._threads.append(self._thread(sink, ring, args, kwargs, "sink"))
            return ring
        raise TypeError("a sink is a RingBuffer, a sound file or a function")

    def _memory_sink(self, frames, out, atleast_2d, blocking=False):
        """Records ``frames`` frames into memory; returns the array (or
        ``out``) that holds them once the run ends. A blocking call with no
        ``out`` returns the library's own memory, not a copy."""
        dtype = self._core.dtypes[0]
        channels = self._data_channels(False)
        shape = (frames, channels) if (atleast_2d or channels > 1) else (frames,)
        if out is not None:
            nbytes = memoryview(out).nbytes
            frames = nbytes // self._frame_bytes(False)
            target = out
        elif blocking:
            target = _Owned(dtype, shape)
        elif dtype == "int24":
            target = bytearray(frames * self._frame_bytes(False))
        else:
            target = _np.empty(shape, dtype=_np_dtype(dtype))
        self.set_sink(None)
        self._core.sink_memory(frames)
        self._memory = target
        return target

    def record(self, frames=None, offset=0, atleast_2d=False, buffersize=None, blocking=False, out=None):
        """Records ``frames`` frames (after dropping ``offset``) into a new
        array, into ``out`` (a buffer, array, sound file or path), and
        returns it; without ``blocking`` it is filled when the run ends
        (``wait``, ``stop``)."""
        if frames is None and out is None:
            raise TypeError("record needs frames or out")
        if self._kind == "duplex":
            self._core.clear_source()
        target = self._record_into(frames, offset, atleast_2d, buffersize, out, blocking=blocking)
        self._core.set_transfer(-1 if frames is None else int(frames), 0, int(offset))
        return self._run(target, blocking)

    def _run(self, target, blocking):
        self.start()
        if blocking:
            self.wait()
        if isinstance(target, _Owned):
            return target.array
        return target

    def _record_into(self, frames, offset, atleast_2d, buffersize, out, extra=0, blocking=False):
        if out is None or isinstance(out, (_np.ndarray, bytearray, memoryview)):
            if out is None:
                n = int(frames) + extra - int(offset)
                if n < 0:
                    raise ValueError("offset is past the frames recorded")
            else:
                n = None
            return self._memory_sink(n, out, atleast_2d, blocking)
        self.set_sink(out, buffersize)
        return out

    def chunks(
        self,
        chunksize=None,
        overlap=0,
        frames=-1,
        pad=-1,
        offset=0,
        atleast_2d=False,
        playback=None,
        loop=False,
        buffersize=None,
        out=None,
    ):
        """Yields the input in chunks of ``chunksize`` frames, each sharing
        ``overlap`` frames with the one before. A chunk is a NumPy array
        viewing the stream's ring when it does not wrap around its end (no
        copy), else a copy; a view is valid until the next chunk is asked
        for (keep ``numpy.array(chunk)`` to keep its data). With ``out``
        every chunk is copied there and ``out`` is yielded. The last chunk
        may be shorter."""
        size = chunksize or self.blocksize
        if not size and overlap:
            raise ValueError("overlap needs a chunksize or a blocksize")
        if size and overlap >= size:
            raise ValueError("overlap must be less than chunksize")
        need = size or 1
        ring_frames = buffersize or max(DEFAULT_BUFFERSIZE, _next_pow2(4 * need))
        frame_bytes = self._frame_bytes(False)
        ring = RingBuffer(frame_bytes, ring_frames)
        self.set_sink(None)
        self._core.sink_ring(ring, True)
        if self._kind == "duplex":
            if playback is not None:
                self.set_source(playback, loop, buffersize)
            else:
                self._core.clear_source()
        elif playback is not None:
            raise ValueError("playback needs a duplex stream")
        self._core.set_transfer(int(frames), int(pad), int(offset))
        dtype = self._core.dtypes[0]
        channels = self._data_channels(False)
        npdtype = _np_dtype(dtype)

        def shaped(raw):
            if npdtype is None:
                return raw
            arr = raw.view(npdtype)
            if atleast_2d or channels > 1:
                arr = arr.reshape(-1, channels)
            return arr

        self.start()
        carried = 0
        try:
            while True:
                avail = ring._wait_readable(need, 0.05, self.samplerate)
                if avail < need:
                    if not self._core.finished:
                        continue
                    avail = ring.read_available
                    if avail <= carried:
                        break
                    take = avail
                else:
                    take = need if size else avail
                n, first, second = ring.get_read_buffers(take)
                if out is not None:
                    dst = memoryview(out).cast("B")
                    nbytes = min(n * frame_bytes, len(dst))
                    joined = _np.concatenate((first, second))[:nbytes]
                    dst[:nbytes] = joined.tobytes()
                    yield out
                elif len(second) == 0:
                    yield shaped(first)
                else:
                    yield shaped(_np.concatenate((first, second)))
                ended = take < need
                keep = 0 if ended else min(overlap, n)
                ring.advance_read_index(n - keep)
                carried = keep
                if ended:
                    break
        finally:
            if self._core.active:
                self.stop()
            else:
                self.wait()

    def to_file(self, file, mode="w", **kwargs):
        """A sound file opened for writing with the stream's rate, channels
        and sample format, to give to ``record`` or ``playrec`` as ``out``.
        For a path and no other arguments it is the library's own (written
        and finalized by the library, with no Python thread); otherwise a
        ``soundfile.SoundFile`` (needs the ``soundfile`` package)."""
        if mode == "w" and not kwargs and isinstance(file, (str, os.PathLike)):
            return self._core.open_output_file(os.fspath(file))
        import soundfile

        kwargs.setdefault("samplerate", int(self.samplerate))
        kwargs.setdefault("channels", self._data_channels(False))
        if "subtype" not in kwargs and "format" not in kwargs or kwargs.get("subtype") is None:
            subtype = {
                "float32": "FLOAT",
                "int32": "PCM_32",
                "int24": "PCM_24",
                "int16": "PCM_16",
                "int8": "PCM_S8",
                "uint8": "PCM_U8",
            }[self._core.dtypes[0]]
            kwargs["subtype"] = subtype
        return soundfile.SoundFile(file, mode, **kwargs)


class DuplexStream(InputStream, OutputStream):
    """Full duplex: play and record with one sample-aligned callback."""

    _kind = "duplex"

    def __init__(self, *args, **kwargs):
        Stream.__init__(self, "duplex", *args, **kwargs)

    def playrec(
        self,
        playback,
        frames=None,
        pad=0,
        offset=0,
        atleast_2d=False,
        loop=False,
        buffersize=None,
        blocking=False,
        out=None,
    ):
        """Plays ``playback`` and records at once; returns the recording
        (see ``play`` and ``record``). ``frames`` defaults to the
        playback's length; a file playback needs ``frames`` or ``out``."""
        if frames is None and out is None:
            if _is_soundfile(playback) or isinstance(playback, (str, os.PathLike)) or callable(playback) or isinstance(playback, RingBuffer):
                raise TypeError("playrec of a file or function needs frames or out")
            nbytes = memoryview(playback).nbytes
            frames = nbytes // self._frame_bytes(True)
        self.set_source(playback, loop, buffersize)
        if out is None:
            target = self._record_into(
                frames, offset, atleast_2d, buffersize, None, max(int(pad), 0), blocking=blocking
            )
        else:
            target = self._record_into(frames, offset, atleast_2d, buffersize, out)
        self._core.set_transfer(-1 if frames is None else int(frames), int(pad), int(offset))
        return self._run(target, blocking)


class _Owned(object):
    """A blocking recording's place: the library's memory, given as an
    array when the run ends."""

    def __init__(self, dtype, shape):
        self.dtype = dtype if dtype == "int24" else _np.dtype(dtype)
        self.shape = shape
        self.array = None


def _file_format(file):
    if _is_soundfile(file):
        return file.samplerate, file.channels
    if isinstance(file, (str, os.PathLike)):
        return _core.file_format(os.fspath(file))
    import soundfile

    info = soundfile.info(file)
    return info.samplerate, info.channels


def _soundfile_player(stream, ring, sf, loop=False):
    """Writes a SoundFile's frames into the ring until the file ends (with
    ``loop``: until the stream is finished, from the start again)."""
    dtype = _np_dtype(stream._core.dtypes[1]) or _np.dtype("int32")
    # A quarter of the ring at a time, or what room there is.
    step = max(1, len(ring) // 4)
    while not stream.finished:
        room = ring.write_available
        if room < min(step, len(ring)):
            time.sleep(step / stream.samplerate / 2)
            continue
        data = sf.buffer_read(room, dtype=dtype.name)
        n = len(data) // ring.elementsize
        if n:
            ring.write(data)
        if n < room:
            if not loop:
                return
            sf.seek(0)


def _soundfile_recorder(stream, ring, sf):
    """Writes the ring's frames to a SoundFile until the stream is done."""
    npdtype = _np_dtype(stream._core.dtypes[0]) or _np.dtype("int32")
    while True:
        n = ring._wait_readable(4096, 0.1, stream.samplerate)
        if n:
            sf.buffer_write(ring.read(n), dtype=npdtype.name)
        elif ring._stream_done:
            rest = ring.read()
            if len(rest):
                sf.buffer_write(rest, dtype=npdtype.name)
            return


def chunks(
    chunksize=None,
    overlap=0,
    frames=-1,
    pad=0,
    offset=0,
    atleast_2d=False,
    playback=None,
    loop=False,
    buffersize=None,
    out=None,
    **kwargs
):
    """Live input in chunks, from a stream of its own (an input stream, or
    a duplex stream when ``playback`` is given); see
    ``InputStream.chunks``. ``kwargs`` go to the stream."""
    cls = DuplexStream if playback is not None else InputStream
    with cls(**kwargs) as stream:
        for chunk in stream.chunks(
            chunksize, overlap, frames, pad, offset, atleast_2d, playback, loop, buffersize, out
        ):
            yield chunk


def _main():
    """The ``pastream`` command line."""
    sys.exit(_core.cli(["pastream"] + sys.argv[1:]))
