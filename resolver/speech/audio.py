"""Audio for the resolver: a WAV path, WAV bytes or a float array -> 16 kHz mono float32.

WAV files are decoded with the standard library's ``wave`` (8-, 16-, 24- and 32-bit PCM,
32-bit float, any number of channels, mixed down to mono), resampled to 16 kHz with a
windowed-sinc polyphase filter in numpy, and trimmed of leading and trailing silence by
frame energy. Anything unusable raises :class:`AudioError` with a message fit to show.
"""

from __future__ import annotations

import io
import math
import struct
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16_000
"""The rate every consumer of audio in the resolver works at."""
MAX_SECONDS = 30.0
"""Longest audio accepted, before trimming."""
MIN_RATE, MAX_RATE = 4_000, 384_000
"""Sample rates accepted on input."""

Samples = npt.NDArray[np.float32]
AudioInput = str | Path | bytes | bytearray | memoryview | npt.NDArray[np.generic]
"""What :func:`load_audio` takes: a WAV path, WAV bytes, or samples (16 kHz unless said)."""

_FORMAT_PCM, _FORMAT_FLOAT, _FORMAT_EXTENSIBLE = 1, 3, 0xFFFE
_FORMAT_NAMES = {2: "ADPCM", 6: "A-law", 7: "mu-law", 0x11: "IMA ADPCM", 0x55: "MP3"}


class AudioError(ValueError):
    """Audio that cannot be used: unreadable, empty, silent, too long or not audio."""


@dataclass(frozen=True, slots=True)
class TrimSettings:
    """How leading and trailing silence is found."""

    frame_ms: float = 25.0
    """Length of the frames whose energy is measured."""
    hop_ms: float = 10.0
    """Step between frames."""
    relative_db: float = -40.0
    """A frame this far below the loudest frame, or further, is silence."""
    silent_dbfs: float = -60.0
    """Audio whose loudest frame is below this level (dB full scale) is all silence."""
    margin_ms: float = 150.0
    """Kept on each side of the speech, so word edges are not clipped."""


DEFAULT_TRIM = TrimSettings()


def load_audio(
    source: AudioInput,
    sample_rate: int = SAMPLE_RATE,
    trim: TrimSettings | None = DEFAULT_TRIM,
) -> Samples:
    """16 kHz mono float32 samples in [-1, 1] from a WAV path, WAV bytes or an array.

    ``sample_rate`` is the rate of an array (a WAV file says its own); ``trim=None`` keeps
    leading and trailing silence. Raises :class:`AudioError` for unusable input.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        samples, rate = read_wav(bytes(source))
    elif isinstance(source, (str, Path)):
        samples, rate = read_wav(_read_file(Path(source)))
    elif isinstance(source, np.ndarray):
        samples, rate = _from_array(source), _checked_rate(sample_rate, "array")
    else:
        raise AudioError(f"unsupported audio input of type {type(source).__name__}: "
                         "give a WAV path, WAV bytes or a float array of samples")
    if samples.size == 0:
        raise AudioError("empty audio: there are no samples")
    seconds = samples.size / rate
    if seconds > MAX_SECONDS:
        raise AudioError(f"audio too long: {seconds:.1f} s (at most {MAX_SECONDS:g} s)")
    samples = resample(samples, rate, SAMPLE_RATE)
    if trim is not None:
        samples = trim_silence(samples, SAMPLE_RATE, trim)
    return np.clip(samples, -1.0, 1.0).astype(np.float32, copy=False)


def _read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        # A WAV of 30 s holds at most this much (8 channels of 32-bit at the top rate).
        if size > MAX_SECONDS * MAX_RATE * 8 * 4 + 1_000_000:
            raise AudioError(f"{path}: audio file too large ({size} bytes)")
        return path.read_bytes()
    except OSError as err:
        raise AudioError(f"cannot read audio file {path}: {err.strerror or err}") from None


def read_wav(data: bytes) -> tuple[Samples, int]:
    """Mono float32 samples and the sample rate of a WAV file's bytes."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        what = "empty input" if not data else f"starts with {data[:12]!r}"
        raise AudioError(f"not a WAV file ({what}); give RIFF/WAVE audio")
    data, is_float = _as_plain_pcm(data)
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            channels = reader.getnchannels()
            width = reader.getsampwidth()
            rate = reader.getframerate()
            declared = reader.getnframes()
            # Read no more than the limit allows: a header may claim any length.
            limit = int(MAX_SECONDS * min(max(rate, MIN_RATE), MAX_RATE)) + 1
            frames = reader.readframes(min(declared, limit))
    except (wave.Error, EOFError, struct.error, ValueError, OverflowError, RuntimeError) as err:
        # ``wave`` reports a damaged file through any of these (RuntimeError: a chunk size
        # pointing outside the file).
        raise AudioError(f"unreadable WAV file: {err or type(err).__name__}") from None
    rate = _checked_rate(rate, "WAV file")
    if width not in (1, 2, 3, 4):
        raise AudioError(f"unsupported WAV sample width: {8 * width} bits")
    if is_float and width != 4:
        raise AudioError(f"unsupported WAV float width: {8 * width} bits (32 only)")
    frame_size = channels * width
    usable = len(frames) - len(frames) % frame_size  # a truncated file ends mid-frame
    if usable // frame_size > MAX_SECONDS * rate:
        raise AudioError(f"audio too long: {declared / rate:.1f} s (at most {MAX_SECONDS:g} s)")
    samples = _decode(frames[:usable], width, is_float).reshape(-1, channels)
    mono = samples.mean(axis=1, dtype=np.float64) if channels > 1 else samples[:, 0]
    if not np.all(np.isfinite(mono)):
        raise AudioError("WAV file holds samples that are not numbers (NaN or infinity)")
    return mono.astype(np.float32), rate


def _as_plain_pcm(data: bytes) -> tuple[bytes, bool]:
    """Rewrite a float or extensible-PCM header as plain PCM for ``wave``; say if float.

    The ``wave`` module of older Pythons reads only format 1, though 24- and 32-bit files
    are usually written as WAVE_FORMAT_EXTENSIBLE; the samples are laid out the same.
    """
    pos = 12
    while pos + 8 <= len(data):
        chunk_id = data[pos : pos + 4]
        (size,) = struct.unpack_from("<I", data, pos + 4)
        if chunk_id == b"fmt ":
            if size < 16 or pos + 8 + size > len(data):
                raise AudioError("unreadable WAV file: its format chunk is truncated")
            (tag,) = struct.unpack_from("<H", data, pos + 8)
            if tag == _FORMAT_EXTENSIBLE:
                if size < 40:
                    raise AudioError("unreadable WAV file: its extensible format is truncated")
                (tag,) = struct.unpack_from("<H", data, pos + 8 + 24)  # the sub-format GUID
            if tag not in (_FORMAT_PCM, _FORMAT_FLOAT):
                name = _FORMAT_NAMES.get(tag, f"format {tag}")
                raise AudioError(f"unsupported WAV encoding: {name} (PCM or 32-bit float only)")
            patched = bytearray(data)
            struct.pack_into("<H", patched, pos + 8, _FORMAT_PCM)
            return bytes(patched), tag == _FORMAT_FLOAT
        pos += 8 + size + (size & 1)
    raise AudioError("unreadable WAV file: it has no format chunk")


def _decode(frames: bytes, width: int, is_float: bool) -> npt.NDArray[np.float64]:
    """Interleaved little-endian samples -> floats in [-1, 1]."""
    raw = np.frombuffer(frames, dtype=np.uint8)
    if is_float:
        return np.frombuffer(frames, dtype="<f4").astype(np.float64)
    if width == 1:
        return (raw.astype(np.float64) - 128.0) / 128.0  # 8-bit WAV is unsigned
    if width == 2:
        return np.frombuffer(frames, dtype="<i2") / 32768.0
    if width == 3:
        triples = raw.reshape(-1, 3).astype(np.int32)
        value = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        value = np.where(value >= 1 << 23, value - (1 << 24), value)
        return value / float(1 << 23)
    return np.frombuffer(frames, dtype="<i4") / float(1 << 31)


def _from_array(array: npt.NDArray[np.generic]) -> Samples:
    """Validate an array of samples and mix it down to mono float32."""
    if array.dtype.kind in "iu":
        info = np.iinfo(array.dtype)  # type: ignore[type-var]
        offset = (int(info.max) + 1) / 2 if array.dtype.kind == "u" else 0.0
        scaled = (array.astype(np.float64) - offset) / (int(info.max) + 1 - offset)
    elif array.dtype.kind == "f":
        scaled = array.astype(np.float64)
    else:
        raise AudioError(f"audio array of {array.dtype} values: give float samples in [-1, 1]")
    if scaled.ndim == 2 and min(scaled.shape) <= 8:
        # Channels are the short axis: (frames, channels) or (channels, frames).
        scaled = scaled.mean(axis=1 if scaled.shape[1] <= scaled.shape[0] else 0)
    if scaled.ndim != 1:
        raise AudioError(f"audio array of shape {array.shape}: give one channel of samples "
                         "(or frames x channels)")
    if not np.all(np.isfinite(scaled)):
        raise AudioError("audio array holds values that are not numbers (NaN or infinity)")
    peak = float(np.max(np.abs(scaled))) if scaled.size else 0.0
    if peak > 1.01:
        raise AudioError(f"audio samples out of range (peak {peak:g}): floats must lie in "
                         "[-1, 1]; divide 16-bit PCM by 32768")
    return scaled.astype(np.float32)


def _checked_rate(rate: object, what: str) -> int:
    if isinstance(rate, bool) or not isinstance(rate, (int, np.integer)):
        raise AudioError(f"sample rate of the {what} must be a whole number, not {rate!r}")
    if not MIN_RATE <= int(rate) <= MAX_RATE:
        raise AudioError(f"unsupported sample rate of the {what}: {rate} Hz "
                         f"({MIN_RATE}-{MAX_RATE} Hz)")
    return int(rate)


# -- resampling ------------------------------------------------------------------------

_ZERO_CROSSINGS = 16
"""Half-length of the interpolation filter, in zero crossings of its sinc."""
_KAISER_BETA = 8.6
_ROLLOFF = 0.94
"""Cut-off as a fraction of the lower Nyquist frequency, leaving room for the transition."""
_CHUNK = 8192


def resample(samples: Samples, rate_in: int, rate_out: int = SAMPLE_RATE) -> Samples:
    """``samples`` at ``rate_in`` resampled to ``rate_out`` (band-limited, polyphase)."""
    if rate_in == rate_out or samples.size == 0:
        return samples.astype(np.float32, copy=False)
    common = math.gcd(rate_in, rate_out)
    up, down = rate_out // common, rate_in // common
    bank, half = _filter_bank(up, down)
    n_out = -(-samples.size * up // down)  # ceil
    padded = np.concatenate([np.zeros(half, np.float32), samples.astype(np.float32),
                             np.zeros(half + 1, np.float32)])
    taps = np.arange(bank.shape[1])
    out = np.empty(n_out, dtype=np.float32)
    for start in range(0, n_out, _CHUNK):
        n = np.arange(start, min(start + _CHUNK, n_out), dtype=np.int64)
        position = n * down
        base, phase = position // up, position % up
        window = padded[base[:, None] + 1 + taps[None, :]]
        out[start : start + n.size] = np.einsum("ij,ij->i", window, bank[phase])
    return out


_BANKS: dict[tuple[int, int], tuple[npt.NDArray[np.float32], int]] = {}


def _filter_bank(up: int, down: int) -> tuple[npt.NDArray[np.float32], int]:
    """Kaiser-windowed sinc coefficients for each of ``up`` phases, and the half-length.

    Output sample ``n`` sits at input position ``n * down / up``; phase ``p`` holds the
    taps for positions whose fractional part is ``p / up``.
    """
    key = (up, down)
    if key in _BANKS:
        return _BANKS[key]
    cutoff = _ROLLOFF * min(1.0, up / down)  # in cycles per input sample, times 2
    half = math.ceil(_ZERO_CROSSINGS / cutoff)
    offsets = np.arange(-half + 1, half + 1, dtype=np.float64)  # taps around the position
    fraction = np.arange(up, dtype=np.float64)[:, None] / up
    distance = offsets[None, :] - fraction  # input index minus the exact position
    window = np.i0(_KAISER_BETA * np.sqrt(np.clip(1 - (distance / half) ** 2, 0, 1)))
    bank = cutoff * np.sinc(cutoff * distance) * window / np.i0(_KAISER_BETA)
    result = bank.astype(np.float32), half
    if len(_BANKS) > 16:
        _BANKS.clear()
    _BANKS[key] = result
    return result


# -- silence ---------------------------------------------------------------------------


def frame_levels(samples: Samples, rate: int, settings: TrimSettings = DEFAULT_TRIM
                 ) -> npt.NDArray[np.float64]:
    """RMS level in dB full scale of each frame (``settings`` gives frame and hop)."""
    frame = max(1, int(rate * settings.frame_ms / 1000))
    hop = max(1, int(rate * settings.hop_ms / 1000))
    if samples.size <= frame:
        rms = np.sqrt(np.mean(np.square(samples, dtype=np.float64), keepdims=True))
    else:
        # Sums of squares over each frame from one running sum, not a frames × samples copy.
        count = 1 + (samples.size - frame) // hop
        running = np.concatenate(([0.0], np.cumsum(np.square(samples, dtype=np.float64))))
        starts = hop * np.arange(count)
        rms = np.sqrt(np.maximum(running[starts + frame] - running[starts], 0.0) / frame)
    return np.asarray(20 * np.log10(np.maximum(rms, 1e-10)), dtype=np.float64)


def level_spread(samples: Samples, rate: int = SAMPLE_RATE,
                 settings: TrimSettings = DEFAULT_TRIM) -> float:
    """How far, in dB, the loud frames stand above the quiet ones (the 95th percentile of
    frame levels minus the 10th): a rough signal-to-noise ratio that needs no model. Clean
    speech with its pauses gives 40 dB or more; speech in steady noise, about its SNR plus
    a few dB."""
    levels = frame_levels(samples, rate, settings)
    return float(np.percentile(levels, 95) - np.percentile(levels, 10))


def trim_silence(samples: Samples, rate: int, settings: TrimSettings = DEFAULT_TRIM) -> Samples:
    """``samples`` without leading and trailing silence; all-silent audio is refused."""
    levels = frame_levels(samples, rate, settings)
    loudest = float(levels.max())
    if loudest < settings.silent_dbfs:
        raise AudioError(f"no speech: the audio is silent (loudest {loudest:.0f} dBFS, "
                         f"under {settings.silent_dbfs:g})")
    voiced = np.flatnonzero(levels >= loudest + settings.relative_db)
    hop = max(1, int(rate * settings.hop_ms / 1000))
    frame = max(1, int(rate * settings.frame_ms / 1000))
    margin = int(rate * settings.margin_ms / 1000)
    start = max(0, int(voiced[0]) * hop - margin)
    end = min(samples.size, int(voiced[-1]) * hop + frame + margin)
    return samples[start:end]


# -- output ----------------------------------------------------------------------------


def to_pcm16(samples: Samples | Sequence[float]) -> bytes:
    """Little-endian 16-bit PCM bytes of float samples in [-1, 1]."""
    clipped = np.clip(np.asarray(samples, dtype=np.float64), -1.0, 1.0)
    return np.round(clipped * 32767).astype("<i2").tobytes()


def wav_bytes(samples: Samples | Sequence[float], rate: int = SAMPLE_RATE) -> bytes:
    """A mono 16-bit WAV file holding ``samples``."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(to_pcm16(samples))
    return buffer.getvalue()


__all__ = ["DEFAULT_TRIM", "MAX_SECONDS", "SAMPLE_RATE", "AudioError", "AudioInput",
           "Samples", "TrimSettings", "frame_levels", "load_audio", "read_wav", "resample",
           "to_pcm16", "trim_silence", "wav_bytes"]
