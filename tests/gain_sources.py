"""Deterministic stand-ins for the network, for tests of the DSP path (they mock only the model)."""
import numpy as np

from percepnet_wasm.constants import NB_BANDS


class FeatureGain:
    """Stateless, deterministic gains driven by every kind of feature (band energies, pitch
    coherence, period, correlation), so a NaN or stale feature shows in the output."""

    def __init__(self):
        self.gains = np.zeros(NB_BANDS, np.float32)
        self.strengths = np.zeros(NB_BANDS, np.float32)

    def reset(self):
        pass

    def step(self, features):
        g = self.gains
        np.multiply(features[:NB_BANDS], 0.08, out=g)         # log10 energies: a soft gate
        g += 0.7 + 0.2 * features[2 * NB_BANDS]                 # and the pitch period
        np.clip(g, 0.05, 1.0, out=g)
        np.clip(features[NB_BANDS:2 * NB_BANDS], 0.0, 1.0, out=self.strengths)
        return g, self.strengths, float(np.clip(features[2 * NB_BANDS + 1], 0.0, 1.0))
