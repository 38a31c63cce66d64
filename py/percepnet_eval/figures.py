"""Spectrogram panels for the ladder and quality reports (matplotlib, Agg backend)."""
from __future__ import annotations

import numpy as np

__all__ = ["spectrogram_panels"]


def _spec_db(x, rate, n_fft=1024, hop=480):
    x = np.asarray(x, dtype=np.float64)
    win = np.hanning(n_fft)
    nfr = max(1, 1 + (len(x) - n_fft) // hop)
    idx = np.arange(n_fft)[None, :] + hop * np.arange(nfr)[:, None]
    xp = np.pad(x, (0, max(0, idx.max() + 1 - len(x))))
    s = np.abs(np.fft.rfft(xp[idx] * win, axis=1)) ** 2
    return 10 * np.log10(s.T + 1e-12)


def spectrogram_panels(signals, rate, path, *, title="", captions=None, fmax=None):
    """Write a column of log-power spectrograms sharing one colour scale.

    Parameters
    ----------
    signals : dict label -> np.ndarray [shape=(n,)], in display order
    rate : int, Hz
    path : str or Path, output PNG
    title : str, figure title
    captions : dict label -> str, text appended to each panel title (e.g. metrics)
    fmax : float or None, Hz, top of the frequency axis (default rate / 2)
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    captions = captions or {}
    specs = {k: _spec_db(v, rate) for k, v in signals.items()}
    vmax = max(float(np.max(s)) for s in specs.values())
    vmin = vmax - 90.0
    fmax = fmax or rate / 2
    n = len(specs)
    fig, axes = plt.subplots(n, 1, figsize=(10, 1.9 * n + 0.6), sharex=True, squeeze=False,
                             layout="constrained")
    im = None
    for ax, (label, s) in zip(axes[:, 0], specs.items()):
        dur = len(signals[label]) / rate
        im = ax.imshow(s, origin="lower", aspect="auto", cmap="magma", vmin=vmin, vmax=vmax,
                       extent=(0, dur, 0, rate / 2 / 1000))
        ax.set_ylim(0, fmax / 1000)
        ax.set_ylabel("kHz")
        cap = captions.get(label, "")
        ax.set_title(f"{label}  {cap}".strip(), fontsize=9, loc="left")
    axes[-1, 0].set_xlabel("time (s)")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.colorbar(im, ax=axes[:, 0].tolist(), label="dB", shrink=0.6, pad=0.01)
    # Quantised palette keeps the PNG small enough to commit (~0.4 MB).
    fig.savefig(path, dpi=90)
    plt.close(fig)
    from PIL import Image
    with Image.open(path) as im:
        q = im.convert("RGB").quantize(colors=128)
    q.save(path, optimize=True)
