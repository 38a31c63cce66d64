"""CLI: the oracle path on real files at other rates and channel counts, and every error path."""
import subprocess
import sys

import numpy as np
import pytest

soundfile = pytest.importorskip("soundfile")

from percepnet_wasm.cli import main  # noqa: E402


@pytest.fixture
def pair(tmp_path):
    """A stereo 44.1 kHz clean/noisy pair of 1 s."""
    rng = np.random.default_rng(7)
    t = np.arange(44_100) / 44_100
    clean = 0.2 * np.sin(2 * np.pi * 200 * t) * (np.sin(2 * np.pi * 2 * t) > 0)
    noisy = clean + 0.05 * rng.standard_normal(len(t))
    paths = tmp_path / "clean.wav", tmp_path / "noisy.wav"
    for path, x in zip(paths, (clean, noisy)):
        soundfile.write(path, np.stack([x, x], axis=1).astype(np.float32), 44_100)
    return paths


def test_oracle_writes_input_rate_mono_and_improves_snr(pair, tmp_path):
    clean_path, noisy_path = pair
    out = tmp_path / "out.wav"
    assert main(["oracle", "--clean", str(clean_path), "--noisy", str(noisy_path),
                 "--mode", "comb", "-o", str(out)]) == 0
    y, rate = soundfile.read(out)
    clean, _ = soundfile.read(clean_path)
    noisy, _ = soundfile.read(noisy_path)
    assert rate == 44_100 and y.ndim == 1 and abs(len(y) - len(clean)) <= 1
    n = min(len(y), len(clean))
    snr = lambda est: 10 * np.log10(np.sum(clean[:n, 0] ** 2) / np.sum((clean[:n, 0] - est[:n]) ** 2))
    assert snr(y) > snr(noisy[:, 0]) + 3


def test_missing_empty_and_non_audio_files_fail_with_one_line(tmp_path, pair, capsys):
    clean_path, _ = pair
    empty = tmp_path / "empty.wav"
    soundfile.write(empty, np.zeros((0, 1), np.float32), 48_000)
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"this is not audio at all")
    for bad, reason in [(tmp_path / "missing.wav", "no such file"), (empty, "no samples"),
                        (junk, "not a readable audio file")]:
        out = tmp_path / "out.wav"
        code = main(["oracle", "--clean", str(clean_path), "--noisy", str(bad), "-o", str(out)])
        err = capsys.readouterr().err
        assert code != 0 and reason in err and len(err.strip().splitlines()) == 1
        assert not out.exists()


def test_input_is_never_overwritten(pair):
    clean_path, noisy_path = pair
    before = noisy_path.read_bytes()
    with pytest.raises(SystemExit, match="overwrite"):
        main(["oracle", "--clean", str(clean_path), "--noisy", str(noisy_path), "-o", str(noisy_path)])
    assert noisy_path.read_bytes() == before


def test_module_entry_point_reports_usage_errors():
    result = subprocess.run([sys.executable, "-m", "percepnet_wasm", "oracle"], capture_output=True, text=True)
    assert result.returncode == 2 and "--clean" in result.stderr
