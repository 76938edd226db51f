//! The compiled core of the Python module `pastream`: streams on the Rust
//! library, ring buffers shared with Python code, and the command line.
//! The package's Python layer (`python/pastream/__init__.py`) gives them
//! the original pastream's API.
//!
//! The audio callback is the library's: it never takes the GIL. Every call
//! here that may wait (waiting for a run, for ring space or data) releases
//! the GIL while it waits.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use numpy::PyArray1;
use numpy::ndarray::ArrayView1;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView, PySlice, PyTuple};

use pastream::io::file::{file_sink, file_source};
use pastream::io::soundfile::{FileOptions, SoundFile};
use pastream::rt::ring::{Consumer, Producer, RingBuffer as Ring};
use pastream::{
    ChannelMap, Clock, DuplexStream, InputStream, Latency, OutputStream, SampleFormat, Sink,
    Source, Stream, StreamConfig, StreamError, WorkerError,
};

pyo3::create_exception!(
    _pastream,
    BufferEmpty,
    pyo3::exceptions::PyException,
    "The playback ran out before the frames asked for."
);
pyo3::create_exception!(
    _pastream,
    BufferFull,
    pyo3::exceptions::PyException,
    "The recording ring was full: it was not read fast enough."
);
pyo3::create_exception!(
    _pastream,
    PortAudioError,
    pyo3::exceptions::PyException,
    "A device, host or stream error."
);

/// A stream error as the Python exception the original raises.
fn py_err(e: StreamError) -> PyErr {
    match e {
        StreamError::BufferEmpty { .. } => BufferEmpty::new_err(e.to_string()),
        StreamError::BufferFull { .. } => BufferFull::new_err(e.to_string()),
        StreamError::InvalidArgument { .. } | StreamError::Map(_) | StreamError::Sample(_) => {
            PyValueError::new_err(e.to_string())
        }
        _ => PortAudioError::new_err(e.to_string()),
    }
}

/// The bytes of any object with the buffer protocol (a copy).
fn bytes_of(data: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = data.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    let flat = PyMemoryView::from(data)?.call_method1("cast", ("B",))?;
    let b = flat.call_method0("tobytes")?;
    Ok(b.cast::<PyBytes>()?.as_bytes().to_vec())
}

/// The length in bytes of a buffer, and whether it is writable.
fn buffer_info(data: &Bound<'_, PyAny>) -> PyResult<(usize, bool)> {
    let mv = PyMemoryView::from(data)?;
    let n: usize = mv.getattr("nbytes")?.extract()?;
    let readonly: bool = mv.getattr("readonly")?.extract()?;
    Ok((n, !readonly))
}

/// Copies `bytes` to the start of a writable buffer.
fn copy_into(data: &Bound<'_, PyAny>, bytes: &[u8]) -> PyResult<()> {
    let py = data.py();
    let flat = PyMemoryView::from(data)?.call_method1("cast", ("B",))?;
    let slice = PySlice::new(py, 0, bytes.len() as isize, 1);
    flat.set_item(slice, PyBytes::new(py, bytes))
}

fn format_of(dtype: &str) -> PyResult<SampleFormat> {
    dtype
        .parse()
        .map_err(|_| PyValueError::new_err(format!("invalid dtype: {dtype:?}")))
}

/// The end of a ring buffer action a Python thread works: set when the
/// Python side is done writing (a source function returned) or when the
/// stream side is done (a sink's run ended).
#[derive(Debug, Default)]
struct RingState {
    /// The side of Python code is done (its function returned).
    python_done: AtomicBool,
    /// The Python code failed: the worker ends with an error.
    python_failed: AtomicBool,
    /// The stream's side is done (no more data will come).
    stream_done: AtomicBool,
}

/// PortAudio's single-reader single-writer lock-free ring buffer, as the
/// original's: elements of `elementsize` bytes, `size` of them (a power of
/// two). A stream may take one of its ends (`set_source` the reading end,
/// `set_sink` the writing end); the Python code keeps the other.
#[pyclass(module = "pastream._pastream")]
struct RingBuffer {
    elementsize: usize,
    size: usize,
    producer: Mutex<Option<Producer>>,
    consumer: Mutex<Option<Consumer>>,
    read_index: Mutex<u64>,
    write_index: Mutex<u64>,
    state: Arc<RingState>,
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A NumPy `uint8` array over `len` bytes at `ptr`, kept valid by `owner`
/// (the ring buffer whose memory it is).
fn byte_view<'py>(
    owner: &Bound<'py, PyAny>,
    ptr: *const u8,
    len: usize,
) -> PyResult<Bound<'py, PyArray1<u8>>> {
    let ptr = if len == 0 {
        std::ptr::NonNull::<u8>::dangling().as_ptr()
    } else {
        ptr.cast_mut()
    };
    // SAFETY: `ptr` points at `len` initialized bytes of a ring buffer's
    // memory, which lives as long as either end of the ring; `owner` holds
    // the ring buffer object, which holds at least one end, and the array
    // keeps `owner` alive. Which of those bytes may be touched is the
    // ring buffer protocol's contract, as in the original.
    let view = unsafe { ArrayView1::from_shape_ptr(len, ptr) };
    // SAFETY: as above: the array borrows memory that `owner` keeps alive.
    Ok(unsafe { PyArray1::borrow_from_array(&view, owner.clone()) })
}

impl RingBuffer {
    fn producer(&self) -> PyResult<MutexGuard<'_, Option<Producer>>> {
        let p = locked(&self.producer);
        if p.is_none() {
            return Err(PyRuntimeError::new_err(
                "the ring buffer's writing end belongs to a stream",
            ));
        }
        Ok(p)
    }

    fn consumer(&self) -> PyResult<MutexGuard<'_, Option<Consumer>>> {
        let c = locked(&self.consumer);
        if c.is_none() {
            return Err(PyRuntimeError::new_err(
                "the ring buffer's reading end belongs to a stream",
            ));
        }
        Ok(c)
    }

    fn elements(&self, size: i64, available: usize) -> usize {
        if size < 0 {
            available
        } else {
            (size as usize).min(available)
        }
    }
}

#[pymethods]
impl RingBuffer {
    #[new]
    #[pyo3(signature = (elementsize, size=None, buffer=None))]
    fn new(
        elementsize: usize,
        size: Option<usize>,
        buffer: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<RingBuffer> {
        if elementsize == 0 {
            return Err(PyValueError::new_err("elementsize must be positive"));
        }
        let size = match (size, buffer) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(PyTypeError::new_err(
                    "exactly one of size and buffer must be given",
                ));
            }
            (Some(s), None) => s,
            (None, Some(b)) => {
                let (len, _) = buffer_info(b)?;
                if len % elementsize != 0 {
                    return Err(PyValueError::new_err(
                        "the buffer's length is not a multiple of elementsize",
                    ));
                }
                len / elementsize
            }
        };
        if !size.is_power_of_two() {
            return Err(PyValueError::new_err("size must be a power of 2"));
        }
        let (p, c) = Ring::new_raw(elementsize, size).map_err(|e| py_err(e.into()))?;
        Ok(RingBuffer {
            elementsize,
            size,
            producer: Mutex::new(Some(p)),
            consumer: Mutex::new(Some(c)),
            read_index: Mutex::new(0),
            write_index: Mutex::new(0),
            state: Arc::default(),
        })
    }

    /// Element size in bytes.
    #[getter]
    fn elementsize(&self) -> usize {
        self.elementsize
    }

    fn __len__(&self) -> usize {
        self.size
    }

    /// Elements that can be read.
    #[getter]
    fn read_available(&self) -> usize {
        match &*locked(&self.consumer) {
            Some(c) => c.read_available(),
            None => locked(&self.producer)
                .as_ref()
                .map_or(0, |p| self.size - p.write_available()),
        }
    }

    /// Elements that can be written.
    #[getter]
    fn write_available(&self) -> usize {
        match &*locked(&self.producer) {
            Some(p) => p.write_available(),
            None => locked(&self.consumer)
                .as_ref()
                .map_or(0, |c| self.size - c.read_available()),
        }
    }

    /// Writes up to `size` elements of `data` (all by default); returns
    /// how many were written.
    #[pyo3(signature = (data, size=-1))]
    fn write(&self, data: &Bound<'_, PyAny>, size: i64) -> PyResult<usize> {
        let bytes = bytes_of(data)?;
        let whole = bytes.len() / self.elementsize;
        let n = self.elements(size, whole);
        let mut p = self.producer()?;
        let written = p
            .as_mut()
            .map_or(0, |p| p.write_raw(&bytes[..n * self.elementsize]));
        *locked(&self.write_index) += written as u64;
        Ok(written)
    }

    /// Reads up to `size` elements (all available by default) into a new
    /// bytearray.
    #[pyo3(signature = (size=-1))]
    fn read<'py>(&self, py: Python<'py>, size: i64) -> PyResult<Bound<'py, PyByteArray>> {
        let mut c = self.consumer()?;
        let Some(c) = c.as_mut() else {
            return Ok(PyByteArray::new(py, &[]));
        };
        let n = self.elements(size, c.read_available());
        let data = c.read_raw(n);
        *locked(&self.read_index) += n as u64;
        Ok(PyByteArray::new(py, &data))
    }

    /// Reads into a writable buffer; returns the elements read.
    fn readinto(&self, data: &Bound<'_, PyAny>) -> PyResult<usize> {
        let (len, writable) = buffer_info(data)?;
        if !writable {
            return Err(PyTypeError::new_err("readinto needs a writable buffer"));
        }
        let data_read = {
            let mut c = self.consumer()?;
            let Some(c) = c.as_mut() else {
                return Ok(0);
            };
            let n = (len / self.elementsize).min(c.read_available());
            c.read_raw(n)
        };
        copy_into(data, &data_read)?;
        let n = data_read.len() / self.elementsize;
        *locked(&self.read_index) += n as u64;
        Ok(n)
    }

    /// `(n, first, second)`: up to `size` readable elements as two views
    /// of the ring's memory (the second empty unless they wrap).
    fn get_read_buffers<'py>(slf: &Bound<'py, Self>, size: usize) -> PyResult<Bound<'py, PyTuple>> {
        let me = slf.borrow();
        let mut c = me.consumer()?;
        let Some(c) = c.as_mut() else {
            return Err(PyRuntimeError::new_err("no reading end"));
        };
        let (a, b) = c.peek_raw(size);
        let n = (a.len() + b.len()) / me.elementsize;
        let owner = slf.as_any();
        let va = byte_view(owner, a.as_ptr(), a.len())?;
        let vb = byte_view(owner, b.as_ptr(), b.len())?;
        PyTuple::new(
            slf.py(),
            [
                n.into_pyobject(slf.py())?.into_any(),
                va.into_any(),
                vb.into_any(),
            ],
        )
    }

    /// `(n, first, second)`: room for up to `size` elements as two views
    /// of the ring's memory; [`advance_write_index`] makes them readable.
    fn get_write_buffers<'py>(
        slf: &Bound<'py, Self>,
        size: usize,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let me = slf.borrow();
        let mut p = me.producer()?;
        let Some(p) = p.as_mut() else {
            return Err(PyRuntimeError::new_err("no writing end"));
        };
        // Pointers into the free region; nothing is committed until
        // advance_write_index.
        let (n, pa, la, pb, lb) = {
            let mut w = p.write_buffers(size);
            let n = w.frames();
            let (a, b) = w.as_raw_mut_slices();
            (n, a.as_ptr(), a.len(), b.as_ptr(), b.len())
        };
        let owner = slf.as_any();
        let va = byte_view(owner, pa, la)?;
        let vb = byte_view(owner, pb, lb)?;
        PyTuple::new(
            slf.py(),
            [
                n.into_pyobject(slf.py())?.into_any(),
                va.into_any(),
                vb.into_any(),
            ],
        )
    }

    /// Frees `size` read elements for the writer; returns the new read
    /// position.
    fn advance_read_index(&self, size: usize) -> PyResult<u64> {
        let mut c = self.consumer()?;
        let n = c.as_mut().map_or(0, |c| c.advance(size));
        let mut i = locked(&self.read_index);
        *i += n as u64;
        Ok(*i % self.size as u64)
    }

    /// Makes `size` written elements readable; returns the new write
    /// position.
    fn advance_write_index(&self, size: usize) -> PyResult<u64> {
        let mut p = self.producer()?;
        if let Some(p) = p.as_mut() {
            let w = p.write_buffers(size);
            if w.frames() < size {
                return Err(PyValueError::new_err("advanced past the free space"));
            }
            w.advance(size);
        }
        let mut i = locked(&self.write_index);
        *i += size as u64;
        Ok(*i % self.size as u64)
    }

    /// Empties the ring (only while nobody else reads or writes).
    fn flush(&self) -> PyResult<()> {
        let mut c = self.consumer()?;
        if let Some(c) = c.as_mut() {
            let n = c.flush();
            *locked(&self.read_index) += n as u64;
        }
        Ok(())
    }

    /// Waits, without the GIL, until `size` elements can be read or the
    /// other end is done, or `timeout` seconds pass; returns the elements
    /// readable.
    ///
    /// With `rate` (elements a second), it sleeps for the time the missing
    /// elements take to come (1 ms to 20 ms at a time); else 1 ms.
    #[pyo3(signature = (size, timeout=None, rate=None))]
    fn _wait_readable(
        &self,
        py: Python<'_>,
        size: usize,
        timeout: Option<f64>,
        rate: Option<f64>,
    ) -> usize {
        let deadline = timeout.map(|t| Instant::now() + Duration::from_secs_f64(t.max(0.0)));
        py.detach(|| {
            loop {
                let n = self.read_available();
                if n >= size || self.state.stream_done.load(Ordering::Acquire) {
                    return n;
                }
                let now = Instant::now();
                if deadline.is_some_and(|d| now >= d) {
                    return n;
                }
                let mut nap = match rate {
                    Some(r) if r > 0.0 => Duration::from_secs_f64((size - n) as f64 / r)
                        .clamp(Duration::from_millis(1), Duration::from_millis(20)),
                    _ => Duration::from_millis(1),
                };
                if let Some(d) = deadline {
                    nap = nap.min(d - now);
                }
                std::thread::sleep(nap);
            }
        })
    }

    /// Whether the stream's side is done writing (a sink's run ended).
    #[getter]
    fn _stream_done(&self) -> bool {
        self.state.stream_done.load(Ordering::Acquire)
    }

    /// Marks the Python side done: its function returned (`failed`: with
    /// an exception).
    #[pyo3(signature = (failed=false))]
    fn _python_done(&self, failed: bool) {
        if failed {
            self.state.python_failed.store(true, Ordering::Release);
        }
        self.state.python_done.store(true, Ordering::Release);
    }

    fn _reset(&self) {
        self.state.python_done.store(false, Ordering::Release);
        self.state.python_failed.store(false, Ordering::Release);
        self.state.stream_done.store(false, Ordering::Release);
    }
}

/// What a Python function's worker reports when that function failed.
#[derive(Debug)]
struct PythonFailed(&'static str);

impl std::fmt::Display for PythonFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the {} function raised an exception", self.0)
    }
}

impl std::error::Error for PythonFailed {}

/// A sound file created for a stream's recording (`to_file`), written by
/// the library when given to `record` or `playrec` as `out`.
#[pyclass(module = "pastream._pastream")]
struct OutputFile {
    name: String,
    samplerate: f64,
    channels: usize,
    dtype: &'static str,
    file: Mutex<Option<SoundFile>>,
}

#[pymethods]
impl OutputFile {
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    #[getter]
    fn samplerate(&self) -> f64 {
        self.samplerate
    }

    #[getter]
    fn channels(&self) -> usize {
        self.channels
    }

    /// The sample type of the recording it takes.
    #[getter]
    fn dtype(&self) -> &'static str {
        self.dtype
    }

    #[getter]
    fn mode(&self) -> &'static str {
        "w"
    }

    /// Whether it can no longer be written here (closed, or its recording
    /// is done: the stream finalized it).
    #[getter]
    fn closed(&self) -> bool {
        locked(&self.file).is_none()
    }

    /// Finalizes the file if no recording took it.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let f = locked(&self.file).take();
        if let Some(f) = f {
            py.detach(|| f.finalize()).map_err(|e| py_err(e.into()))?;
        }
        Ok(())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) -> PyResult<()> {
        self.close(py)
    }

    fn __repr__(&self) -> String {
        format!(
            "OutputFile({:?}, samplerate={}, channels={}, dtype={:?})",
            self.name, self.samplerate, self.channels, self.dtype
        )
    }
}

/// A Python function's ring and the stream's must hold the same frames.
fn same_elements(python: usize, stream: usize) -> Result<(), WorkerError> {
    if python == stream {
        Ok(())
    } else {
        Err(WorkerError::from(format!(
            "the ring's elements are {python} bytes, the stream's frames {stream}"
        )))
    }
}

/// Moves up to 4096 elements from `from` to `to` (rings of the same
/// element size), straight from one ring's memory to the other's; returns
/// how many.
fn move_elements(from: &mut Consumer, to: &mut Producer) -> usize {
    let n = from.read_available().min(to.write_available()).min(4096);
    if n == 0 {
        return 0;
    }
    let (a, b) = from.peek_raw(n);
    let moved = to.write_raw(a) + to.write_raw(b);
    from.advance(moved)
}

/// The three kinds, by direction.
enum Kind {
    Input(InputStream),
    Output(OutputStream),
    Duplex(DuplexStream),
}

impl Kind {
    fn stream(&self) -> &Stream {
        match self {
            Kind::Input(s) => s,
            Kind::Output(s) => s,
            Kind::Duplex(s) => s,
        }
    }

    fn stream_mut(&mut self) -> &mut Stream {
        match self {
            Kind::Input(s) => s,
            Kind::Output(s) => s,
            Kind::Duplex(s) => s,
        }
    }

    fn set_source(&mut self, source: Option<Source>) -> Result<(), StreamError> {
        match self {
            Kind::Output(s) => s.set_source(source),
            Kind::Duplex(s) => s.set_source(source),
            Kind::Input(_) => Err(StreamError::InvalidArgument {
                argument: "source",
                problem: "an input stream has no playback".into(),
            }),
        }
    }

    fn set_sink(&mut self, sink: Option<Sink>) -> Result<(), StreamError> {
        match self {
            Kind::Input(s) => s.set_sink(sink),
            Kind::Duplex(s) => s.set_sink(sink),
            Kind::Output(_) => Err(StreamError::InvalidArgument {
                argument: "sink",
                problem: "an output stream has no recording".into(),
            }),
        }
    }

    fn set_looping(&mut self, looping: bool) {
        match self {
            Kind::Output(s) => s.set_looping(looping),
            Kind::Duplex(s) => s.set_looping(looping),
            Kind::Input(_) => {}
        }
    }

    fn set_map(&mut self, tx: bool, map: Option<ChannelMap>) -> Result<(), StreamError> {
        match (self, tx) {
            (Kind::Output(s), true) => s.set_tx_map(map),
            (Kind::Duplex(s), true) => s.set_tx_map(map),
            (Kind::Input(s), false) => s.set_rx_map(map),
            (Kind::Duplex(s), false) => s.set_rx_map(map),
            _ => Err(StreamError::InvalidArgument {
                argument: "mapping",
                problem: "the stream lacks that direction".into(),
            }),
        }
    }

    fn map(&self, tx: bool) -> Option<Vec<usize>> {
        let m = match (self, tx) {
            (Kind::Output(s), true) => s.tx_map(),
            (Kind::Duplex(s), true) => s.tx_map(),
            (Kind::Input(s), false) => s.rx_map(),
            (Kind::Duplex(s), false) => s.rx_map(),
            _ => None,
        };
        m.map(|m| m.entries().to_vec())
    }
}

/// A stream of the Rust library, as the Python layer drives it.
#[pyclass(module = "pastream._pastream")]
struct CoreStream {
    inner: Mutex<Kind>,
}

impl CoreStream {
    fn kind(&self) -> MutexGuard<'_, Kind> {
        locked(&self.inner)
    }
}

fn latency_of(v: &Bound<'_, PyAny>) -> PyResult<Latency> {
    if let Ok(s) = v.extract::<String>() {
        return match s.as_str() {
            "low" => Ok(Latency::Low),
            "high" => Ok(Latency::High),
            _ => Err(PyValueError::new_err(format!("invalid latency: {s:?}"))),
        };
    }
    Ok(Latency::Seconds(v.extract::<f64>()?))
}

#[pymethods]
impl CoreStream {
    /// Opens a stream: `kind` is "input", "output" or "duplex"; devices,
    /// channels and dtypes are (input, output) pairs of which a direction
    /// the stream lacks is ignored.
    #[new]
    #[pyo3(signature = (kind, device_in, device_out, samplerate, channels_in, channels_out, dtype_in, dtype_out, blocksize, latency, clock))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        kind: &str,
        device_in: Option<&Bound<'_, PyAny>>,
        device_out: Option<&Bound<'_, PyAny>>,
        samplerate: Option<f64>,
        channels_in: Option<usize>,
        channels_out: Option<usize>,
        dtype_in: Option<&str>,
        dtype_out: Option<&str>,
        blocksize: Option<usize>,
        latency: Option<&Bound<'_, PyAny>>,
        clock: Option<&str>,
    ) -> PyResult<CoreStream> {
        let selector = |d: Option<&Bound<'_, PyAny>>| -> PyResult<Option<String>> {
            match d {
                None => Ok(None),
                Some(d) if d.is_none() => Ok(None),
                Some(d) => match d.extract::<usize>() {
                    Ok(i) => Ok(Some(i.to_string())),
                    Err(_) => Ok(Some(d.extract::<String>()?)),
                },
            }
        };
        let mut config = StreamConfig::new();
        let (din, dout) = (selector(device_in)?, selector(device_out)?);
        match kind {
            "input" => {
                if let Some(d) = din.or(dout) {
                    config = config.device(d);
                }
            }
            "output" => {
                if let Some(d) = dout.or(din) {
                    config = config.device(d);
                }
            }
            _ => {
                if let Some(d) = dout {
                    config = config.device(d);
                }
                if let Some(d) = din {
                    config = config.input_device(d);
                }
            }
        }
        if let Some(r) = samplerate {
            config = config.samplerate(r);
        }
        let (cin, cout, fin, fout) = match kind {
            "input" => (
                channels_in.or(channels_out),
                None,
                dtype_in.or(dtype_out),
                None,
            ),
            "output" => (
                None,
                channels_out.or(channels_in),
                None,
                dtype_out.or(dtype_in),
            ),
            _ => (channels_in, channels_out, dtype_in, dtype_out),
        };
        if let Some(c) = cin {
            config = config.input_channels(c);
        }
        if let Some(c) = cout {
            config = config.output_channels(c);
        }
        match kind {
            "input" => {
                if let Some(f) = fin {
                    config = config.format(format_of(f)?);
                }
            }
            _ => {
                if let Some(f) = fout {
                    config = config.format(format_of(f)?);
                }
                if let Some(f) = fin {
                    config = config.input_format(format_of(f)?);
                }
            }
        }
        if let Some(b) = blocksize {
            config = config.blocksize(b);
        }
        if let Some(l) = latency {
            config = config.latency(latency_of(l)?);
        }
        match clock {
            None => {}
            Some("free") => config = config.clock(Clock::FreeRunning),
            Some("realtime") => config = config.clock(Clock::RealTime),
            Some(c) => return Err(PyValueError::new_err(format!("invalid clock: {c:?}"))),
        }
        let kind_name = kind.to_owned();
        let k = py
            .detach(move || -> Result<Kind, StreamError> {
                Ok(match kind_name.as_str() {
                    "input" => Kind::Input(InputStream::open(&config)?),
                    "output" => Kind::Output(OutputStream::open(&config)?),
                    _ => Kind::Duplex(DuplexStream::open(&config)?),
                })
            })
            .map_err(py_err)?;
        Ok(CoreStream {
            inner: Mutex::new(k),
        })
    }

    #[getter]
    fn samplerate(&self) -> f64 {
        self.kind().stream().samplerate()
    }

    /// (input, output) channels.
    #[getter]
    fn channels(&self) -> (usize, usize) {
        self.kind().stream().channels()
    }

    /// (input, output) dtype names.
    #[getter]
    fn dtypes(&self) -> (&'static str, &'static str) {
        let k = self.kind();
        let (i, o) = k.stream().formats();
        (SampleFormat::name(i), SampleFormat::name(o))
    }

    /// (input, output) bytes per sample.
    #[getter]
    fn sample_sizes(&self) -> (usize, usize) {
        let (i, o) = self.kind().stream().formats();
        (i.sample_size(), o.sample_size())
    }

    /// (input, output) bytes per frame.
    #[getter]
    fn frame_sizes(&self) -> (usize, usize) {
        self.kind().stream().frame_size()
    }

    #[getter]
    fn blocksize(&self) -> usize {
        self.kind().stream().blocksize()
    }

    /// (input, output) latency in seconds.
    #[getter]
    fn latency(&self) -> (f64, f64) {
        self.kind().stream().latency()
    }

    /// (input, output) device indexes.
    #[getter]
    fn devices(&self) -> (usize, usize) {
        let k = self.kind();
        let s = k.stream();
        (s.input_device().index, s.device().index)
    }

    #[getter]
    fn frame_count(&self) -> u64 {
        self.kind().stream().frame_count()
    }

    #[getter]
    fn xruns(&self) -> u64 {
        self.kind().stream().xruns().total
    }

    #[getter]
    fn status(&self) -> u32 {
        self.kind().stream().status().0
    }

    #[getter]
    fn active(&self) -> bool {
        self.kind().stream().active()
    }

    #[getter]
    fn stopped(&self) -> bool {
        self.kind().stream().stopped()
    }

    #[getter]
    fn finished(&self) -> bool {
        self.kind().stream().finished()
    }

    #[getter]
    fn aborted(&self) -> bool {
        self.kind().stream().aborted()
    }

    #[getter]
    fn closed(&self) -> bool {
        self.kind().stream().closed()
    }

    #[getter]
    fn time(&self) -> f64 {
        self.kind().stream().time()
    }

    #[getter]
    fn cpu_load(&self) -> f64 {
        self.kind().stream().cpu_load()
    }

    /// Frames, pad and offset of the next run (the original's rules).
    fn set_transfer(&self, frames: i64, pad: i64, offset: u64) {
        let mut k = self.kind();
        let s = k.stream_mut();
        s.set_frames(frames);
        s.set_pad(pad);
        s.set_offset(offset);
    }

    fn set_looping(&self, looping: bool) {
        self.kind().set_looping(looping);
    }

    /// Sets (`tx`: playback; else recording) channel mapping: for each
    /// device channel, the 1-based data channel (0 for silence), or None.
    fn set_mapping(&self, tx: bool, map: Option<Vec<usize>>) -> PyResult<()> {
        self.kind()
            .set_map(tx, map.map(ChannelMap::new))
            .map_err(py_err)
    }

    fn mapping(&self, tx: bool) -> Option<Vec<usize>> {
        self.kind().map(tx)
    }

    /// Data channels (input, output) the mappings give.
    #[getter]
    fn data_channels(&self) -> (usize, usize) {
        self.kind().stream().data_channels()
    }

    /// No playback.
    fn clear_source(&self) -> PyResult<()> {
        self.kind().set_source(None).map_err(py_err)
    }

    /// No recording.
    fn clear_sink(&self) -> PyResult<()> {
        self.kind().set_sink(None).map_err(py_err)
    }

    /// Plays these bytes (frames of the stream's output format and data
    /// channels), from memory.
    fn source_bytes(&self, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let bytes = bytes_of(data)?;
        self.kind()
            .set_source(Some(Source::raw(bytes)))
            .map_err(py_err)
    }

    /// Plays what `ring` holds: the stream takes its reading end.
    fn source_ring(&self, ring: &RingBuffer) -> PyResult<()> {
        let c = locked(&ring.consumer)
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("the ring's reading end is taken"))?;
        self.kind()
            .set_source(Some(Source::Ring(c)))
            .map_err(py_err)
    }

    /// Plays what a Python function writes into `ring`, through a worker
    /// that moves it to the stream's own ring of `buffersize` frames; the
    /// playback ends when the function is done and `ring` is empty.
    #[pyo3(signature = (ring, buffersize=None))]
    fn source_python(&self, ring: &RingBuffer, buffersize: Option<usize>) -> PyResult<()> {
        let mut from = locked(&ring.consumer)
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("the ring's reading end is taken"))?;
        let state = ring.state.clone();
        let element = ring.elementsize;
        let feed = move |to: &mut Producer, ctx: &pastream::WorkerContext| {
            same_elements(element, to.element_size())?;
            loop {
                if ctx.done() || ctx.hurry() {
                    return Ok(());
                }
                if move_elements(&mut from, to) > 0 {
                    continue;
                }
                if state.python_failed.load(Ordering::Acquire) {
                    return Err(WorkerError::from(PythonFailed("source")));
                }
                if state.python_done.load(Ordering::Acquire) && from.read_available() == 0 {
                    return Ok(());
                }
                ctx.pause();
            }
        };
        let source = Source::Feeder {
            feed: Box::new(feed),
            buffer_frames: buffersize,
        };
        self.kind().set_source(Some(source)).map_err(py_err)
    }

    /// Plays a sound file.
    #[pyo3(signature = (path, buffersize=None))]
    fn source_file(&self, py: Python<'_>, path: &str, buffersize: Option<usize>) -> PyResult<()> {
        let file = py
            .detach(|| SoundFile::open(path))
            .map_err(|e| py_err(e.into()))?;
        let mut k = self.kind();
        let format = k.stream().formats().1;
        k.set_source(Some(file_source(file, format, buffersize, None)))
            .map_err(py_err)
    }

    /// Records `frames` frames into memory ([`take_recording`] gives them).
    fn sink_memory(&self, frames: usize) -> PyResult<()> {
        self.kind()
            .set_sink(Some(Sink::Memory(frames)))
            .map_err(py_err)
    }

    /// Records into `ring`: the stream takes its writing end (`paced`:
    /// the virtual device's free-running clock waits for its reader).
    #[pyo3(signature = (ring, paced=false))]
    fn sink_ring(&self, ring: &RingBuffer, paced: bool) -> PyResult<()> {
        let p = locked(&ring.producer)
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("the ring's writing end is taken"))?;
        let sink = if paced {
            Sink::PacedRing(p)
        } else {
            Sink::Ring(p)
        };
        self.kind().set_sink(Some(sink)).map_err(py_err)
    }

    /// Records for a Python function reading `ring`, through a worker that
    /// moves frames from the stream's own ring of `buffersize` frames.
    #[pyo3(signature = (ring, buffersize=None))]
    fn sink_python(&self, ring: &RingBuffer, buffersize: Option<usize>) -> PyResult<()> {
        let mut to = locked(&ring.producer)
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("the ring's writing end is taken"))?;
        let state = ring.state.clone();
        let element = ring.elementsize;
        let drain = move |from: &mut Consumer, ctx: &pastream::WorkerContext| {
            same_elements(element, from.element_size())?;
            let result = loop {
                if state.python_failed.load(Ordering::Acquire) {
                    break Err(WorkerError::from(PythonFailed("sink")));
                }
                if move_elements(from, &mut to) > 0 {
                    continue;
                }
                if ctx.hurry() || (ctx.done() && from.read_available() == 0) {
                    break Ok(());
                }
                if state.python_done.load(Ordering::Acquire) {
                    // Nobody reads any more: what comes is dropped.
                    from.flush();
                    if ctx.done() {
                        break Ok(());
                    }
                }
                ctx.pause();
            };
            state.stream_done.store(true, Ordering::Release);
            result
        };
        let sink = Sink::Drainer {
            drain: Box::new(drain),
            buffer_frames: buffersize,
        };
        self.kind().set_sink(Some(sink)).map_err(py_err)
    }

    /// Records into a new sound file at `path`: its type from the name,
    /// its encoding the one closest to the stream's input format.
    #[pyo3(signature = (path, buffersize=None))]
    fn sink_file(&self, py: Python<'_>, path: &str, buffersize: Option<usize>) -> PyResult<()> {
        let mut k = self.kind();
        let options = FileOptions::for_stream(k.stream());
        let format = k.stream().formats().0;
        let file = py
            .detach(|| SoundFile::create(path, &options))
            .map_err(|e| py_err(e.into()))?;
        k.set_sink(Some(file_sink(file, format, buffersize, None)))
            .map_err(py_err)
    }

    /// The memory recording of the last run, as bytes.
    fn take_recording<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        let r = self.kind().stream_mut().take_recording()?;
        Some(PyBytes::new(py, r.as_raw()))
    }

    /// The memory recording of the last run as a NumPy `uint8` array that
    /// owns the library's memory (no copy).
    fn take_recording_array<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray1<u8>>> {
        let r = self.kind().stream_mut().take_recording()?;
        Some(PyArray1::from_vec(py, r.into_raw()))
    }

    /// Records into a file opened by [`open_output_file`]: the library's
    /// file sink writes it on its worker thread and finalizes it when the
    /// run ends.
    #[pyo3(signature = (file, buffersize=None))]
    fn sink_output_file(&self, file: &OutputFile, buffersize: Option<usize>) -> PyResult<()> {
        let f = locked(&file.file)
            .take()
            .ok_or_else(|| PyValueError::new_err("the file was closed or already recorded into"))?;
        let mut k = self.kind();
        let format = k.stream().formats().0;
        k.set_sink(Some(file_sink(f, format, buffersize, None)))
            .map_err(py_err)
    }

    /// A new sound file for a recording of this stream: the stream's rate,
    /// recorded channels and sample format; its type from the name.
    fn open_output_file(&self, py: Python<'_>, path: &str) -> PyResult<OutputFile> {
        let (options, channels, rate, dtype) = {
            let k = self.kind();
            let s = k.stream();
            (
                FileOptions::for_stream(s),
                s.data_channels().0,
                s.samplerate(),
                SampleFormat::name(s.formats().0),
            )
        };
        let file = py
            .detach(|| SoundFile::create(path, &options))
            .map_err(|e| py_err(e.into()))?;
        Ok(OutputFile {
            name: path.to_owned(),
            samplerate: rate,
            channels,
            dtype,
            file: Mutex::new(Some(file)),
        })
    }

    /// Starts a run (`prebuffer`: wait for the playback ring to fill
    /// first), without the GIL.
    #[pyo3(signature = (prebuffer=true))]
    fn start(&self, py: Python<'_>, prebuffer: bool) -> PyResult<()> {
        py.detach(|| {
            let mut k = self.kind();
            let s = k.stream_mut();
            if prebuffer {
                s.start()
            } else {
                s.start_with(pastream::Prebuffer::None)
            }
        })
        .map_err(py_err)
    }

    /// Waits for the run to end, without the GIL, at most `timeout`
    /// seconds; true when it ended. Other threads may use the stream
    /// meanwhile.
    #[pyo3(signature = (timeout=None))]
    fn wait(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
        let deadline = timeout.map(|t| Instant::now() + Duration::from_secs_f64(t.max(0.0)));
        loop {
            // In slices, so that threads that query the stream meanwhile
            // (a source or sink function) wait at most one slice.
            let step = Duration::from_millis(20);
            let done = py
                .detach(|| self.kind().stream_mut().wait(Some(step)))
                .map_err(py_err)?;
            if done {
                return Ok(true);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(false);
            }
            py.check_signals()?;
        }
    }

    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.kind().stream_mut().stop())
            .map_err(py_err)
    }

    fn abort(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.kind().stream_mut().abort())
            .map_err(py_err)
    }

    fn close(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.kind().stream_mut().close())
            .map_err(py_err)
    }
}

/// The devices, one line each, as `pastream -l` lists them.
#[pyfunction]
fn device_list(py: Python<'_>) -> String {
    py.detach(|| pastream::host::query_devices().to_string())
}

/// A sound file's sample rate and channels.
#[pyfunction]
fn file_format(py: Python<'_>, path: &str) -> PyResult<(u32, usize)> {
    let file = py
        .detach(|| SoundFile::open(path))
        .map_err(|e| py_err(e.into()))?;
    Ok((file.info().samplerate, file.info().channels))
}

/// Runs the `pastream` command line with these arguments (the first is
/// the program's name); returns its exit status.
#[pyfunction]
fn cli(py: Python<'_>, argv: Vec<String>) -> u8 {
    py.detach(|| pastream_cli::status(argv))
}

#[pymodule]
fn _pastream(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<RingBuffer>()?;
    m.add_class::<CoreStream>()?;
    m.add_class::<OutputFile>()?;
    m.add_function(wrap_pyfunction!(device_list, m)?)?;
    m.add_function(wrap_pyfunction!(cli, m)?)?;
    m.add_function(wrap_pyfunction!(file_format, m)?)?;
    m.add("BufferEmpty", m.py().get_type::<BufferEmpty>())?;
    m.add("BufferFull", m.py().get_type::<BufferFull>())?;
    m.add("PortAudioError", m.py().get_type::<PortAudioError>())?;
    Ok(())
}
