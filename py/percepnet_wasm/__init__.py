"""percepnet-wasm: PercepNet speech noise suppression in pure NumPy (48 kHz, 10 ms frames).

>>> from percepnet_wasm import Denoiser, enhance
>>> y = enhance(x)                      # whole signal, aligned with x
>>> d = Denoiser(); d.process_frame(frame_in, frame_out)   # streaming, 480 samples
"""
from .constants import ALGORITHMIC_DELAY, FRAME_SIZE, SAMPLE_RATE
from .denoiser import Denoiser, enhance

__all__ = ["ALGORITHMIC_DELAY", "FRAME_SIZE", "SAMPLE_RATE", "Denoiser", "enhance"]
__version__ = "0.1.0"
