"""The three numbers tests/test_shipped_model.py's comment records, for each weights file given:
SI-SDR improvement (dB) on the example speech + example noise at 0 dB, the same with pink noise,
and the SI-SDR (dB) of the example speech alone through the pipeline.

    PYTHONPATH=py python bench/shipped_model_numbers.py docs/runs/A/weights.npz docs/runs/B/weights.npz
"""
import sys
from pathlib import Path

import soundfile

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "py"), str(ROOT / "tests")]

from percepnet_wasm import Denoiser, enhance  # noqa: E402
from percepnet_wasm.model import Model  # noqa: E402
from test_shipped_model import EXAMPLES, mix, pink_noise, si_sdr  # noqa: E402


def main(paths):
    speech, _ = soundfile.read(EXAMPLES / "speech.wav", dtype="float32")
    noise, _ = soundfile.read(EXAMPLES / "noise.wav", dtype="float32")
    pink = pink_noise(len(speech))
    for path in paths:
        model = Model.load(path)
        gains = []
        for n in (noise, pink):
            noisy = mix(speech, n, 0.0)
            gains.append(si_sdr(speech, enhance(noisy, Denoiser(model=model))) - si_sdr(speech, noisy))
        alone = si_sdr(speech, enhance(speech, Denoiser(model=model)))
        print(f"{path or 'the package weights'}: example noise {gains[0]:+.1f} dB, pink noise {gains[1]:+.1f} dB, "
              f"speech alone {alone:.1f} dB")


if __name__ == "__main__":
    main(sys.argv[1:] or [None])
