"""The browser worker's Python: which model, the frame step, warm-up and the attenuation limit.

``worklet/worker.js`` imports this module in Pyodide and drives one ``WorkerSession``: it
pops 480 samples straight into ``session.inp``'s memory, calls ``session.step()`` and pushes
``session.out``'s memory to the output ring, so nothing is converted or allocated per frame.
Natively it is the same code (tests/test_worker.py).

Model names are the ``Denoiser``'s: ``"default"`` (the shipped weights) and ``None`` (unity
gains: the DSP alone), plus ``"auto"``: ``"default"`` when the package ships ``weights.npz``,
else ``None``. (The JS API takes ``null`` for ``None``, and ``"none"`` as an older alias.)
"""
import importlib.resources

import numpy as np

from .constants import FRAME_SIZE
from .denoiser import Denoiser

MODELS = ("auto", "default", None)
# Frames run before going live: wasm functions are compiled lazily and tiered up after use,
# so the first frames are several times slower than the rest (measured: with 20 warm-up
# frames, ~10 underruns in the first second at 44.1 kHz; with 100, none or 1-2).
WARM_UP_FRAMES = 100
WARM_UP_LEVEL = 1e-3       # faint noise: zeros would skip code paths (pitch, comb)


def has_shipped_weights():
    """True when the installed package carries ``weights.npz`` (the wheel may be built without)."""
    return importlib.resources.files("percepnet_wasm").joinpath("weights.npz").is_file()


def resolve_model(model, has_weights):
    """``"auto"`` -> ``"default"`` if ``has_weights`` else None; ``"default"`` and None unchanged.

    Raises ``ValueError`` naming any other value.
    """
    if model not in MODELS:
        raise ValueError(f"model must be 'auto', 'default' or None (was {model!r})")
    if model == "auto":
        return "default" if has_weights else None
    return model


class WorkerSession:
    """One stream's denoiser with the fixed frame buffers the worker shares with JS.

    Parameters
    ----------
    model : "auto", "default" or None (see the module docstring).

    Attributes
    ----------
    model : "default" or None, the model in use.
    has_weights : bool, whether the package ships trained weights.
    inp, out : float32 [shape=(480,)], the frame in and out (written in place).
    vad : float32 [shape=(1,)], the last frame's voice-activity probability (NaN without a model).
    """

    def __init__(self, model="auto"):
        self.has_weights = has_shipped_weights()
        self.model = resolve_model(model, self.has_weights)
        self.denoiser = Denoiser(model=self.model)
        self.inp = np.zeros(FRAME_SIZE, np.float32)
        self.out = np.zeros(FRAME_SIZE, np.float32)
        self.vad = np.zeros(1, np.float32)

    def step(self):
        """Denoise ``inp`` into ``out`` and update ``vad``; allocates nothing of its own."""
        self.denoiser.process_frame(self.inp, self.out)
        self.vad[0] = self.denoiser.vad

    def warm_up(self, frames=WARM_UP_FRAMES):
        """Run ``frames`` frames of faint noise through a throwaway Denoiser sharing the model,
        then reset the model's state, so the live stream starts fresh (and fast)."""
        throwaway = Denoiser(model=self.denoiser.model)
        noise = np.random.default_rng(0).standard_normal((frames, FRAME_SIZE)).astype(np.float32)
        noise *= WARM_UP_LEVEL
        scratch = np.zeros(FRAME_SIZE, np.float32)
        for frame in noise:
            throwaway.process_frame(frame, scratch)
        self.denoiser.reset()

    def set_limit(self, db):
        """Attenuation limit in dB; +inf (what the JS side sends for "no limit") means None."""
        self.denoiser.set_attenuation_limit(None if db == float("inf") else float(db))
