"""A 32-channel recording through the pastream Python API, the same for
the original module and for this project's: records SECONDS from DEVICE
into memory or into a WAV file, then prints the process's CPU seconds
(user + system, every thread) and the stream's xruns.

    python record32.py SECONDS memory|FILE.wav [DEVICE]
"""

import resource
import sys

import pastream as ps

seconds = float(sys.argv[1])
target = sys.argv[2]
device = sys.argv[3] if len(sys.argv) > 3 else "loopback, JACK"
frames = int(seconds * 48000)

with ps.InputStream(device=device, channels=32, samplerate=48000, dtype="float32", blocksize=256) as stream:
    if target == "memory":
        rec = stream.record(frames, blocking=True)
        assert len(rec) == frames, len(rec)
    else:
        with stream.to_file(target, mode="w") as f:
            stream.record(frames, out=f, blocking=True)
    xruns = stream.xruns

usage = resource.getrusage(resource.RUSAGE_SELF)
print("%.3f %d" % (usage.ru_utime + usage.ru_stime, xruns))
