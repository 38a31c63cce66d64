"""The oracle ladder: how good each stage of the design can get with perfect knowledge.

1. ``magnitude``: ideal per-bin gains min(1, |X|/|Y|) on the noisy STFT (noisy phase);
2. ``bands``: 34 ideal band gains, no comb filter;
3. ``comb``: band gains plus the comb filter with oracle strengths;
4. ``postfilter``: 3 plus the envelope postfilter.
Modes 2-4 run the streaming ``Denoiser`` with ``OracleTargets`` in place of the network.
"""
import numpy as np

from .constants import FRAME_SIZE, WINDOW_SIZE
from .denoiser import Denoiser, enhance
from .stft import Synthesis, analysis
from .targets import OracleTargets

ORACLE_MODES = ("magnitude", "bands", "comb", "postfilter")


def _magnitude_oracle(clean, noisy):
    """Ideal bin gains on the noisy STFT; output aligned with the input."""
    n = len(noisy)
    frames = -(-n // FRAME_SIZE) + 1
    pad = lambda s: np.concatenate([np.zeros(FRAME_SIZE, np.float32), s,
                                    np.zeros(frames * FRAME_SIZE - n, np.float32)])
    x, y = pad(clean), pad(noisy)
    scratch = np.zeros(WINDOW_SIZE, np.float32)
    synthesis = Synthesis()
    out = np.zeros(frames * FRAME_SIZE, np.float32)
    for i in range(frames):
        span = slice(i * FRAME_SIZE, i * FRAME_SIZE + WINDOW_SIZE)
        x_spec = analysis(x[span], scratch)
        y_spec = analysis(y[span], scratch)
        gain = np.minimum(1.0, np.abs(x_spec) / (np.abs(y_spec) + 1e-10))
        synthesis.push(y_spec * gain, out[i * FRAME_SIZE:(i + 1) * FRAME_SIZE])
    return out[FRAME_SIZE:FRAME_SIZE + n]


def enhance_oracle(clean, noisy, mode):
    """Enhance ``noisy`` with oracle knowledge of ``clean`` (both float [shape=(n,)], 48 kHz).

    Returns float32 [shape=(n,)], aligned with the input.
    """
    if mode not in ORACLE_MODES:
        raise ValueError(f"mode must be one of {ORACLE_MODES} (was {mode!r})")
    clean = np.asarray(clean, np.float32)
    noisy = np.asarray(noisy, np.float32)
    if clean.shape != noisy.shape or clean.ndim != 1:
        raise ValueError(f"clean and noisy must be mono and equally long (were {clean.shape}, {noisy.shape})")
    if mode == "magnitude":
        return _magnitude_oracle(clean, noisy)
    use_comb = mode != "bands"
    denoiser = Denoiser(model=None, oracle=OracleTargets(clean, comb=use_comb),
                        postfilter=mode == "postfilter", comb=use_comb)
    return enhance(noisy, denoiser)
