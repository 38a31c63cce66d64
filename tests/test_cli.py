"""CLI: the oracle path on real files at other rates and channel counts, ``enhance`` on single
files, lists and directories, and every bad-input path of docs/bad-input.md.

The ``enhance`` tests that exercise file handling replace ``cli._make_denoiser`` with
``Denoiser(model=None)``: that mocks only the trained weights (which may not exist yet); the
reading, resampling, streaming, writing and error reporting are the real ones. With unity gains
the output is the input, so the tests can also check that nothing was lost or shifted.
"""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

soundfile = pytest.importorskip("soundfile")

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from percepnet_wasm import Denoiser, audio_io, cli, model  # noqa: E402
from percepnet_wasm.cli import main  # noqa: E402
from percepnet_wasm.constants import SAMPLE_RATE  # noqa: E402

UNITY = Denoiser(model=None)     # unity gains: only the weights are mocked (see above)


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
    assert rate == 44_100 and y.ndim == 1 and len(y) == len(clean)
    snr = lambda est: 10 * np.log10(np.sum(clean[:, 0] ** 2) / np.sum((clean[:, 0] - est) ** 2))
    assert snr(y) > snr(noisy[:, 0]) + 3


def test_missing_empty_and_non_audio_files_fail_with_one_line(tmp_path, pair, capsys):
    clean_path, _ = pair
    empty = tmp_path / "empty.wav"
    soundfile.write(empty, np.zeros((0, 1), np.float32), SAMPLE_RATE)
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"this is not audio at all")
    for bad, reason in [(tmp_path / "missing.wav", "no such file"), (empty, "no samples"),
                        (junk, "not a readable audio file")]:
        out = tmp_path / "out.wav"
        code = main(["oracle", "--clean", str(clean_path), "--noisy", str(bad), "-o", str(out)])
        err = capsys.readouterr().err
        assert code != 0 and reason in err and len(err.strip().splitlines()) == 1
        assert not out.exists()


def test_input_is_never_overwritten(pair, capsys):
    clean_path, noisy_path = pair
    before = noisy_path.read_bytes()
    assert main(["oracle", "--clean", str(clean_path), "--noisy", str(noisy_path),
                 "-o", str(noisy_path)]) == 1
    assert "refusing to overwrite" in capsys.readouterr().err
    assert noisy_path.read_bytes() == before


def run_module(*args):
    """``python -m percepnet_wasm ARGS`` in a fresh process that finds this checkout's package."""
    env = {**os.environ, "PYTHONPATH": str(Path(cli.__file__).parents[1])}
    return subprocess.run([sys.executable, "-m", "percepnet_wasm", *args], capture_output=True,
                          text=True, env=env)


def test_module_entry_point_reports_usage_errors():
    result = run_module("oracle")
    assert result.returncode == 2 and "--clean" in result.stderr


# ---------------------------------------------------------------- enhance

def write(path, seconds=0.2, rate=SAMPLE_RATE, channels=1, seed=0, **kwargs):
    x = 0.1 * np.random.default_rng(seed).standard_normal((int(seconds * rate), channels))
    soundfile.write(path, x.astype(np.float32), rate, **kwargs)
    return x


@pytest.fixture
def unity(monkeypatch):
    """No trained weights needed: the CLI's denoiser factory gives unity gains (mocks the weights only)."""
    monkeypatch.setattr(cli, "_make_denoiser", lambda weights, attenuation_limit: Denoiser(model=None))


def err_lines(capsys):
    return capsys.readouterr().err.strip().splitlines()


def no_partials(*dirs):
    return not any(p.name.endswith(".partial") for d in dirs for p in d.iterdir())


def test_without_trained_weights_enhance_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    write(tmp_path / "in.wav")
    monkeypatch.setattr(model, "DEFAULT_WEIGHTS", tmp_path / "weights.npz")      # absent
    assert main(["enhance", str(tmp_path / "in.wav"), str(tmp_path / "out.wav")]) == 1
    (line,) = err_lines(capsys)
    assert "no trained weights" in line and "percepnet_train" in line and "weights.npz" in line
    assert main(["enhance", str(tmp_path / "in.wav"), str(tmp_path / "out.wav"),
                 "--weights", str(tmp_path / "other.npz")]) == 1
    assert err_lines(capsys) == [f"percepnet-wasm: no weights file at {tmp_path / 'other.npz'}"]
    (tmp_path / "junk.npz").write_bytes(b"not a weights file")
    assert main(["enhance", str(tmp_path / "in.wav"), str(tmp_path / "out.wav"),
                 "--weights", str(tmp_path / "junk.npz")]) == 1
    (line,) = err_lines(capsys)
    assert line.startswith(f"percepnet-wasm: cannot load weights {tmp_path / 'junk.npz'}: ")
    assert not (tmp_path / "out.wav").exists()


def test_enhance_exit_status_from_a_real_process(tmp_path):
    write(tmp_path / "in.wav")
    result = run_module("enhance", str(tmp_path / "in.wav"), str(tmp_path / "out.wav"),
                        "--weights", str(tmp_path / "none.npz"))
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "no weights file" in result.stderr


def test_single_file_keeps_rate_and_length_and_loses_nothing(tmp_path, unity, capsys):
    t = np.arange(8820) / 44_100
    x = np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.2 * np.sin(2 * np.pi * 3000 * t)], axis=1)
    soundfile.write(tmp_path / "in.flac", x, 44_100, subtype="PCM_24")
    assert main(["enhance", str(tmp_path / "in.flac"), str(tmp_path / "out.wav")]) == 0
    assert err_lines(capsys) == []                       # a single file prints nothing when fine
    y, rate = soundfile.read(tmp_path / "out.wav")
    assert rate == 44_100 and y.ndim == 1 and len(y) == len(x)
    # Unity gains: the output is the mono mix, resampled to 48 kHz and back (edges aside).
    np.testing.assert_allclose(y[500:-500], x.mean(axis=1)[500:-500], atol=2e-3)


COMMON_RATES = (8_000, 11_025, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000, 88_200, 96_000)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rate=st.sampled_from(COMMON_RATES), n=st.integers(1, 3_000), channels=st.integers(1, 2))
@example(rate=44_100, n=44_101, channels=1)      # 44101 came back as 44102 (issue 13)
@example(rate=96_000, n=2_001, channels=1)       # above 48 kHz an odd length is lost at 48 kHz
@example(rate=11_025, n=1, channels=2)
def test_enhance_output_is_exactly_as_long_as_the_input_at_every_rate(rate, n, channels):
    """The whole ``enhance`` file path (read, resample, denoise, resample back, write) keeps the
    length sample for sample, also when it is not a multiple of the resampling denominator."""
    x = 0.1 * np.random.default_rng(n).standard_normal((n, channels)).astype(np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.wav", Path(tmp) / "out.wav"
        soundfile.write(src, x, rate, subtype="FLOAT")
        cli._enhance_file(UNITY, src, dst)
        y, out_rate = soundfile.read(dst)
    assert out_rate == rate and y.ndim == 1 and len(y) == n


def test_directory_with_bad_files_processes_the_rest_and_reports_each_in_one_line(tmp_path, unity, capsys):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    good = {"a.wav": write(src / "a.wav", seed=1), "b.flac": write(src / "b.flac", rate=44_100, channels=2)}
    (src / "empty.wav").write_bytes(b"")
    write(src / "no-samples.wav", seconds=0)
    (src / "junk.wav").write_bytes(b"RIFF but not really a wave file")
    whole = (src / "a.wav").read_bytes()
    (src / "cut.wav").write_bytes(whole[:len(whole) // 2])
    write(src / "whole.flac", seconds=1.0)
    flac = (src / "whole.flac").read_bytes()
    (src / "whole.flac").unlink()
    (src / "cut.flac").write_bytes(flac[:len(flac) // 2])
    write(src / "low-rate.wav", rate=4_000)
    write(src / "high-rate.wav", rate=400_000, seconds=0.01)
    write(src / "twelve.wav", channels=12, seconds=0.05)
    (src / "notes.txt").write_text("not audio, not picked up")
    write(src / ".hidden.wav")
    reasons = {"empty.wav": "empty file", "no-samples.wav": "the file holds no samples",
               "junk.wav": "not a readable audio file", "cut.wav": "truncated", "cut.flac": "truncated",
               "low-rate.wav": "unsupported sample rate 4000 Hz",
               "high-rate.wav": "unsupported sample rate 400000 Hz",
               "twelve.wav": "unsupported channel count 12"}

    assert main(["enhance", str(src), str(out)]) == 1
    lines = err_lines(capsys)
    assert len(lines) == len(good) + len(reasons) + 1
    assert all(line.startswith(f"[{i}/{len(lines) - 1}] ") for i, line in enumerate(lines[:-1], 1))
    for name, reason in reasons.items():
        (line,) = [line for line in lines if f"{src / name} " in line]
        assert f"FAILED: {reason}" in line, line
    for name in good:
        (line,) = [line for line in lines if f"{src / name} " in line]
        assert line.endswith("s)") and " ok (" in line, line
    assert lines[-1] == f"percepnet-wasm: 2 of 10 enhanced into {out}; 8 failed"
    assert sorted(p.name for p in out.iterdir()) == sorted(good)         # nothing for the bad ones
    y, _ = soundfile.read(out / "a.wav")
    np.testing.assert_allclose(y, soundfile.read(src / "a.wav")[0], atol=1e-6)


def test_several_files_and_a_missing_one_into_a_new_directory(tmp_path, unity, capsys):
    for name in ("x.wav", "y.wav"):
        write(tmp_path / name)
    out = tmp_path / "new" / "dir"
    args = [str(tmp_path / "x.wav"), str(tmp_path / "gone.wav"), str(tmp_path / "y.wav"), str(out)]
    assert main(["enhance", *args]) == 1
    lines = err_lines(capsys)
    assert "gone.wav" in lines[1] and "FAILED: no such file" in lines[1]
    assert "ok" in lines[0] and "ok" in lines[2]
    assert lines[3] == f"percepnet-wasm: 2 of 3 enhanced into {out}; 1 failed"
    assert sorted(p.name for p in out.iterdir()) == ["x.wav", "y.wav"]
    assert main(["enhance", str(tmp_path / "x.wav"), str(tmp_path / "y.wav"), str(out)]) == 0
    assert err_lines(capsys)[-1] == f"percepnet-wasm: 2 of 2 enhanced into {out}"


@pytest.mark.parametrize("rate", [8_000, 384_000])
def test_rates_at_the_limits_are_accepted(tmp_path, unity, rate):
    write(tmp_path / "in.wav", rate=rate, seconds=0.05, channels=8)
    assert main(["enhance", str(tmp_path / "in.wav"), str(tmp_path / "out.wav")]) == 0
    assert soundfile.info(tmp_path / "out.wav").samplerate == rate


@pytest.mark.parametrize("rate, channels, reason", [
    (7_999, 1, "unsupported sample rate 7999 Hz (supported: 8000..384000 Hz)"),
    (384_001, 1, "unsupported sample rate 384001 Hz (supported: 8000..384000 Hz)"),
    (48_000, 9, "unsupported channel count 9 (at most 8)"),
])
def test_unsupported_rate_or_channels_is_one_clear_line(tmp_path, unity, capsys, rate, channels, reason):
    write(tmp_path / "in.wav", rate=rate, channels=channels, seconds=0.01)
    assert main(["enhance", str(tmp_path / "in.wav"), str(tmp_path / "out.wav")]) == 1
    assert err_lines(capsys) == [f"percepnet-wasm: {tmp_path / 'in.wav'}: {reason}"]
    assert not (tmp_path / "out.wav").exists()


def test_output_equal_to_input_is_refused(tmp_path, unity, capsys):
    write(tmp_path / "in.wav")
    before = (tmp_path / "in.wav").read_bytes()
    (tmp_path / "link.wav").symlink_to(tmp_path / "in.wav")
    os.link(tmp_path / "in.wav", tmp_path / "hard.wav")
    os.mkdir(tmp_path / "other")
    for target in ("in.wav", "link.wav", "hard.wav", "other/../in.wav"):
        assert main(["enhance", str(tmp_path / "in.wav"), str(tmp_path / target)]) == 1
        assert "refusing to overwrite the input" in err_lines(capsys)[0]
    # A directory into itself: refused before anything runs.
    assert main(["enhance", str(tmp_path), str(tmp_path)]) == 1
    assert err_lines(capsys) == [f"percepnet-wasm: refusing to write into the input directory {tmp_path}"]
    # A file into its own directory: that file is refused, the other is processed.
    write(tmp_path / "other" / "o.wav")
    assert main(["enhance", str(tmp_path / "in.wav"), str(tmp_path / "other" / "o.wav"), str(tmp_path)]) == 1
    lines = err_lines(capsys)
    assert "FAILED: refusing to overwrite the input" in lines[0] and "ok" in lines[1]
    assert (tmp_path / "in.wav").read_bytes() == before


def test_batch_argument_errors(tmp_path, unity, capsys):
    write(tmp_path / "a.wav")
    (tmp_path / "b").mkdir()
    write(tmp_path / "b" / "a.wav")
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.txt").write_text("")
    assert main(["enhance", str(tmp_path / "a.wav"), str(tmp_path / "b" / "a.wav"),
                 str(tmp_path / "file.txt")]) == 1
    assert err_lines(capsys) == [f"percepnet-wasm: {tmp_path / 'file.txt'} is not a directory "
                                 "(several inputs or a directory need an output directory)"]
    out = tmp_path / "out"
    assert main(["enhance", str(tmp_path / "a.wav"), str(tmp_path / "b" / "a.wav"),
                 str(tmp_path / "empty"), str(out)]) == 1
    lines = err_lines(capsys)
    assert "ok" in lines[0]
    assert f"FAILED: same output name as {tmp_path / 'a.wav'}" in lines[1]
    assert "FAILED: no audio files in this directory" in lines[2]
    with pytest.raises(SystemExit) as info:                 # argparse: usage error, status 2
        main(["enhance", str(tmp_path / "a.wav")])
    assert info.value.code == 2


def test_unwritable_outputs_fail_before_any_work(tmp_path, unity, capsys, monkeypatch):
    write(tmp_path / "in.wav")

    def not_reached(path):
        raise AssertionError("the output is checked before the input is read")

    monkeypatch.setattr(audio_io, "read_audio", not_reached)
    assert main(["enhance", str(tmp_path / "in.wav"), str(tmp_path / "out.xyz")]) == 1
    assert "cannot write '.xyz' files" in err_lines(capsys)[0]
    assert main(["enhance", str(tmp_path / "in.wav"), str(tmp_path / "no" / "out.wav")]) == 1
    assert f"cannot write: no directory {tmp_path / 'no'}" in err_lines(capsys)[0]


def test_a_failed_write_leaves_no_partial_output_and_the_old_file_intact(tmp_path, unity, capsys,
                                                                        monkeypatch):
    for name in ("a.wav", "b.wav", "c.wav"):
        write(tmp_path / name)
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.wav").write_bytes(b"an older result")
    real_write = soundfile.write

    def failing_write(file, data, *args, **kwargs):
        if "b.wav" not in str(file):
            return real_write(file, data, *args, **kwargs)
        real_write(file, data[:len(data) // 2], *args, **kwargs)     # half written, then the disk fills
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(soundfile, "write", failing_write)
    assert main(["enhance", str(tmp_path / "a.wav"), str(tmp_path / "b.wav"), str(tmp_path / "c.wav"),
                 str(out)]) == 1
    lines = err_lines(capsys)
    assert "FAILED: cannot write (" in lines[1] and "No space left on device" in lines[1]
    assert (out / "b.wav").read_bytes() == b"an older result"
    assert sorted(p.name for p in out.iterdir()) == ["a.wav", "b.wav", "c.wav"] and no_partials(out)


def test_interrupt_leaves_no_partial_output(tmp_path, unity, capsys, monkeypatch):
    write(tmp_path / "in.wav")
    real_write = soundfile.write

    def interrupted(file, data, *args, **kwargs):
        real_write(file, data[:10], *args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(soundfile, "write", interrupted)
    assert main(["enhance", str(tmp_path / "in.wav"), str(tmp_path / "out.wav")]) == 130
    assert err_lines(capsys) == ["percepnet-wasm: interrupted (no partial output was left)"]
    assert not (tmp_path / "out.wav").exists() and no_partials(tmp_path)


def test_an_unexpected_error_in_one_file_does_not_stop_the_batch(tmp_path, capsys, monkeypatch):
    class Fragile:
        """Unity gains, but 'fails' on a loud frame (band energy above 10^4; mocks a model bug)."""

        def reset(self):
            pass

        def step(self, features):
            if features[:34].max() > 4:
                raise RuntimeError("model blew up")
            return 1.0, 0.0, 0.0

    monkeypatch.setattr(cli, "_make_denoiser", lambda weights, attenuation_limit: Denoiser(model=Fragile()))
    write(tmp_path / "quiet.wav")
    soundfile.write(tmp_path / "loud.wav", np.full(9600, 0.9, np.float32), SAMPLE_RATE)
    out = tmp_path / "out"
    assert main(["enhance", str(tmp_path / "loud.wav"), str(tmp_path / "quiet.wav"), str(out)]) == 1
    lines = err_lines(capsys)
    assert "FAILED: RuntimeError: model blew up" in lines[0] and "ok" in lines[1]
    assert [p.name for p in out.iterdir()] == ["quiet.wav"]
