"""PercepNet network in PyTorch (training side), scaled for the browser budget.

Shape (PERCEPNET.md, "Network"), fully causal::

    features (70) -> normalise, clip to ±input_clip -> dense D (tanh)
      -> causal conv1d k=5 -> C (tanh) -> causal conv1d k=3 -> C (tanh)
      -> n_gru x GRU H
      -> gains head:     GRU Hg -> dense 34 (sigmoid)
      -> strengths head: GRU Hr -> dense 34 (sigmoid)
      -> VAD head:       dense 1 (sigmoid), on the last trunk GRU

The 2-frame look-ahead is in the data (target row t is for frame t-2, docs/INTERFACES.md),
so the convolutions only look back and streaming step t needs features up to frame t.
``percepnet_wasm.model.Model`` is the NumPy twin of this module; ``export.py`` maps the
parameter names below onto the weights file.
"""
from __future__ import annotations

import dataclasses

import torch
import torch.nn.functional as F
from torch import nn

from percepnet_wasm.constants import NB_BANDS, NB_FEATURES

WEIGHT_CLIP = 0.5           # |w| <= 1/2 so int8 with a per-row scale loses little

# Named widths. "small" ~0.47 M weights, "base" ~1.5 M weights (count_weights() is exact).
SIZES = {
    "tiny": dict(dense=16, conv=16, hidden=16, n_gru=1, gains_hidden=16, str_hidden=8),
    "small": dict(dense=128, conv=128, hidden=128, n_gru=2, gains_hidden=128, str_hidden=48),
    "medium": dict(dense=128, conv=128, hidden=160, n_gru=2, gains_hidden=160, str_hidden=48),
    "base": dict(dense=128, conv=216, hidden=216, n_gru=3, gains_hidden=216, str_hidden=96),
}


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Layer widths of the network (all counts of units)."""

    dense: int = 128
    conv: int = 128
    hidden: int = 128
    n_gru: int = 2
    gains_hidden: int = 128
    str_hidden: int = 48
    conv1_kernel: int = 5
    conv2_kernel: int = 3
    n_features: int = NB_FEATURES
    n_bands: int = NB_BANDS
    # normalised features are clipped to ±input_clip, so one rogue feature (a DSP edge case
    # on silence) cannot saturate the network
    input_clip: float = 10.0

    @classmethod
    def named(cls, size: str) -> "ModelConfig":
        if size not in SIZES:
            raise ValueError(f"unknown model size {size!r}; choose one of {sorted(SIZES)}")
        return cls(**SIZES[size])

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


class PercepNet(nn.Module):
    """Causal PercepNet. ``forward(x)`` maps raw features (B, T, 70) to
    ``(gains (B,T,34), strengths (B,T,34), vad_logit (B,T))``; gains and strengths are in
    (0, 1), the VAD probability is ``sigmoid(vad_logit)``.

    ``norm_mean``/``norm_std`` are fixed buffers (statistics of the training cache), applied
    inside the model so the exported file carries them.
    """

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.register_buffer("norm_mean", torch.zeros(cfg.n_features))
        self.register_buffer("norm_std", torch.ones(cfg.n_features))
        self.dense = nn.Linear(cfg.n_features, cfg.dense)
        self.conv1 = nn.Conv1d(cfg.dense, cfg.conv, cfg.conv1_kernel)
        self.conv2 = nn.Conv1d(cfg.conv, cfg.conv, cfg.conv2_kernel)
        self.grus = nn.ModuleList(
            nn.GRU(cfg.conv if i == 0 else cfg.hidden, cfg.hidden, batch_first=True)
            for i in range(cfg.n_gru))
        self.gains_gru = nn.GRU(cfg.hidden, cfg.gains_hidden, batch_first=True)
        self.gains_out = nn.Linear(cfg.gains_hidden, cfg.n_bands)
        self.str_gru = nn.GRU(cfg.hidden, cfg.str_hidden, batch_first=True)
        self.str_out = nn.Linear(cfg.str_hidden, cfg.n_bands)
        self.vad_out = nn.Linear(cfg.hidden, 1)
        self.clip_weights()

    def set_normalisation(self, mean, std) -> None:
        self.norm_mean.copy_(torch.as_tensor(mean, dtype=torch.float32))
        self.norm_std.copy_(torch.as_tensor(std, dtype=torch.float32))

    def forward(self, x: torch.Tensor):
        if x.dim() != 3 or x.shape[-1] != self.cfg.n_features:
            raise ValueError(f"features must be (B, T, {self.cfg.n_features}), got {tuple(x.shape)}")
        x = ((x - self.norm_mean) / self.norm_std).clamp(-self.cfg.input_clip, self.cfg.input_clip)
        x = torch.tanh(self.dense(x)).transpose(1, 2)                   # (B, D, T)
        x = torch.tanh(self.conv1(F.pad(x, (self.cfg.conv1_kernel - 1, 0))))
        x = torch.tanh(self.conv2(F.pad(x, (self.cfg.conv2_kernel - 1, 0))))
        x = x.transpose(1, 2)                                            # (B, T, C)
        for gru in self.grus:
            x, _ = gru(x)
        g, _ = self.gains_gru(x)
        r, _ = self.str_gru(x)
        gains = torch.sigmoid(self.gains_out(g))
        strengths = torch.sigmoid(self.str_out(r))
        vad_logit = self.vad_out(x).squeeze(-1)
        return gains, strengths, vad_logit

    def weight_matrices(self):
        """(name, parameter) of every weight matrix: dense, conv and the GRUs' ``weight_ih`` /
        ``weight_hh``; not the biases."""
        return [(name, p) for name, p in self.named_parameters() if "weight" in name]

    @torch.no_grad()
    def clip_weights(self) -> None:
        """Clamp every weight matrix (not biases) to [-1/2, 1/2]."""
        for _, p in self.weight_matrices():
            p.clamp_(-WEIGHT_CLIP, WEIGHT_CLIP)


@torch.no_grad()
def widen(narrow: PercepNet, cfg: ModelConfig, seed: int = 0) -> PercepNet:
    """A network of the wider ``cfg`` that computes exactly what ``narrow`` computes (a warm
    start for a larger size, ``train --init``): every old unit keeps its weights and reads
    nothing from the new units (zero columns); the new units get PyTorch's random init and
    nothing reads them yet (zero columns in every layer that takes them in), so they start
    learning from the first step. Same depth and kernels only."""
    old = narrow.cfg
    same = ("n_gru", "conv1_kernel", "conv2_kernel", "n_features", "n_bands", "input_clip")
    if any(getattr(old, k) != getattr(cfg, k) for k in same) or any(
            getattr(cfg, k) < getattr(old, k) for k in ("dense", "conv", "hidden", "gains_hidden", "str_hidden")):
        raise ValueError(f"cannot widen {old} into {cfg}: only wider layers of the same depth")
    torch.manual_seed(seed)
    wide = PercepNet(cfg)
    wide.set_normalisation(narrow.norm_mean, narrow.norm_std)
    narrow_params = dict(narrow.named_parameters())
    for name, p in wide.named_parameters():
        q = narrow_params[name]
        gates = 3 if name.endswith("_l0") else 1          # a GRU's rows: r, z, n blocks of H
        n_old, n_new = q.shape[0] // gates, p.shape[0] // gates
        for g in range(gates):
            new_rows = p[g * n_new:g * n_new + n_old]       # the old units' rows (a view)
            old_rows = q[g * n_old:(g + 1) * n_old]
            if p.dim() == 1:
                new_rows.copy_(old_rows)
            else:                                           # columns: inputs, old units first
                new_rows.zero_()
                new_rows[:, :q.shape[1]].copy_(old_rows)
    wide.clip_weights()
    return wide


def int8_rows(w: torch.Tensor) -> torch.Tensor:
    """``w`` on the export's int8 grid (one scale per output row: the row's peak / 127, rounded
    half to even like ``export.quantise_rows``), with a straight-through gradient."""
    rows = w.reshape(w.shape[0], -1)
    scale = rows.detach().abs().amax(dim=1, keepdim=True).clamp_min(1e-30) / 127.0
    q = (torch.round(rows / scale) * scale).reshape(w.shape)
    return w + (q - w).detach()


def forward_int8(model: PercepNet, x: torch.Tensor):
    """``model(x)`` with every weight matrix as the int8 export will hold it (biases and the
    normalisation stay float): the shipped network's output, and, since gradients pass straight
    through to the float weights, quantisation-aware training (``train --int8-aware``)."""
    params = {name: int8_rows(p) if "weight" in name else p for name, p in model.named_parameters()}
    return torch.func.functional_call(model, params, (x,))


def count_weights(model: nn.Module) -> int:
    """Number of trainable parameters (weights and biases)."""
    return sum(p.numel() for p in model.parameters())


def gain_error(gains, g, *, gamma=0.5, eps=1e-7):
    """``g^γ − ĝ^γ`` per band (the loss's domain): target ``g`` clamped to [0, 1], prediction
    ``gains``; undefined target bands (< 0) are left to the caller to mask."""
    return (g.clamp(0, 1) + eps).pow(gamma) - (gains + eps).pow(gamma)


def band_sdr_loss(gains, g, energy, mask, *, floor_db=30.0):
    """Minus the signal-to-distortion ratio (dB) of each crop that band gains ``gains`` would
    give, averaged over the crops (``train --sdr-weight``): per band and frame the output
    misses the clean speech by about ``(ĝ − g)² E`` and the speech is ``g² E``, where ``E`` is
    the noisy band energy (linear) of the target's frame. Unlike the g^½-domain loss, this
    counts a gain of 0.85 on loud clean speech (which caps the SI-SDR near 17 dB at any input
    SNR) and a gain of 0.15 on loud noise alike, each crop in dB whatever its level or SNR.
    ``floor_db``: the distortion and the speech are both floored at that far below the crop's
    noisy energy, so a crop of noise alone asks for that much suppression and no more.
    gains, g, energy (B, T, 34); mask (B, T), 1 for real frames; undefined targets (< 0) and
    padding count nowhere. Returns a 0-d tensor (dB).
    """
    valid = (g >= 0).to(gains.dtype) * mask.unsqueeze(-1)
    e = energy * valid
    tg = g.clamp(0, 1)
    distortion = ((gains - tg).square() * e).sum((1, 2))
    speech = (tg.square() * e).sum((1, 2))
    floor = e.sum((1, 2)).detach() * 10.0 ** (-floor_db / 10.0) + 1e-12
    return (10.0 * torch.log10((distortion + floor) / (speech + floor))).mean()


def percepnet_loss(gains, strengths, vad_logit, g, r, vad, mask=None, *, vad_weight=0.1,
                   gamma=0.5, eps=1e-7, band_weight=None):
    """PercepNet loss (PERCEPNET.md, "Loss"), averaged over valid frames.

    ``Σ_b (g^γ − ĝ^γ)² + 10 Σ_b (g^γ − ĝ^γ)⁴ + Σ_b ((1−r)^γ − (1−r̂)^γ)²`` per frame, plus
    ``vad_weight`` × BCE(vad). ``gains``/``strengths`` are predictions (B,T,34) in (0,1),
    ``vad_logit`` (B,T); ``g``/``r``/``vad`` targets; ``mask`` (B,T) 1 for real frames.
    Target bands below 0 (undefined) are ignored. ``band_weight`` (B,T,34), optional, scales
    each band's gain and strength terms (``train.band_weights``). Returns (total, dict of the parts).
    """
    if mask is None:
        mask = torch.ones_like(vad)
    gmask = (g >= 0).to(gains.dtype)
    rmask = (r >= 0).to(gains.dtype)
    if band_weight is not None:
        gmask, rmask = gmask * band_weight, rmask * band_weight
    dg = gain_error(gains, g, gamma=gamma, eps=eps)
    dr = (1 - r.clamp(0, 1) + eps).pow(gamma) - (1 - strengths + eps).pow(gamma)
    lg2 = (dg.square() * gmask).sum(-1)
    lg4 = (dg.square().square() * gmask).sum(-1)
    lr = (dr.square() * rmask).sum(-1)
    lv = F.binary_cross_entropy_with_logits(vad_logit, vad.clamp(0, 1), reduction="none")
    n = mask.sum().clamp_min(1.0)
    parts = {
        "gain2": (lg2 * mask).sum() / n,
        "gain4": (lg4 * mask).sum() / n,
        "strength": (lr * mask).sum() / n,
        "vad": (lv * mask).sum() / n,
    }
    total = parts["gain2"] + 10 * parts["gain4"] + parts["strength"] + vad_weight * parts["vad"]
    return total, parts
