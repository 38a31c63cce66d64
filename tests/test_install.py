"""The Python package as users install it: the built wheel (build.py's build_wheel, the one the site
ships) ``pip install``-ed into a clean venv with ``--no-index`` (its dependencies come from the
wheels build.py test downloads once into ~/.cache/percepnet-wasm/install-wheels/) gives the
``percepnet-wasm`` command with the shipped model: ``enhance`` of an example equals the checkout's
own ``enhance``, and ``--vad`` writes the CSV."""
import subprocess
import sys
import venv
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import build  # noqa: E402

from percepnet_wasm.constants import SAMPLE_RATE  # noqa: E402
from percepnet_wasm.denoiser import Denoiser, enhance  # noqa: E402


def test_wheel_installs_the_cli_with_the_shipped_model(tmp_path):
    wheels = build.fetch_install_wheels()            # cached: no network after the first run
    wheel = build.build_wheel(tmp_path / "dist")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    py = env_dir / "bin" / "python"
    done = subprocess.run([str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q", "--no-index",
                           "--find-links", str(wheels), f"{wheel}[cli]"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    # the installed package, not the checkout: run from tmp_path with no PYTHONPATH
    env = {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"}
    where = subprocess.run([str(py), "-c", "import percepnet_wasm, percepnet_wasm.worker as w; "
                            "print(percepnet_wasm.__file__, w.has_shipped_weights())"],
                           capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert where.returncode == 0, where.stderr
    path, has_weights = where.stdout.split()
    assert str(env_dir) in path and has_weights == "True"
    noisy, _ = sf.read(ROOT / "py" / "percepnet_wasm" / "examples" / "noisy.wav", dtype="float32")
    x = noisy[:2 * SAMPLE_RATE]
    sf.write(tmp_path / "in.wav", x, SAMPLE_RATE, subtype="FLOAT")
    cli = env_dir / "bin" / "percepnet-wasm"
    done = subprocess.run([str(cli), "enhance", "in.wav", "out.wav", "--vad", "vad.csv"], capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    y, rate = sf.read(tmp_path / "out.wav", dtype="float32")
    assert rate == SAMPLE_RATE and len(y) == len(x)
    ref = enhance(x, Denoiser())
    assert np.max(np.abs(y - ref)) <= 1e-4                   # the same model and code as the checkout
    lines = (tmp_path / "vad.csv").read_text().splitlines()
    assert lines[0] == "time_s,probability" and len(lines) == 1 + 200
