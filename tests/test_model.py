"""The NumPy streaming network reproduces the torch model; export -> load is exact."""
import json
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "py"))

torch = pytest.importorskip("torch", reason="torch (train extra) not installed")

from percepnet_train import export  # noqa: E402
from percepnet_train.export import export_weights, interpolate, load_file_params, quantise_rows  # noqa: E402
from percepnet_train.model import SIZES, ModelConfig, PercepNet, count_weights  # noqa: E402
from percepnet_wasm.model import REQUIRED_METADATA, Model  # noqa: E402

INFO = {"step": 1234, "val_loss": 0.5, "git_commit": "abc", "data_manifest_sha256": "f00"}


@pytest.fixture
def rng():
    return np.random.default_rng(20240607)


def random_model(seed=0, size="tiny", **over):
    """A small torch model with random weights in [-1/2, 1/2] and random normalisation."""
    torch.manual_seed(seed)
    cfg = ModelConfig(**{**SIZES[size], **over})
    model = PercepNet(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.uniform_(-0.5, 0.5) if "weight" in name else p.uniform_(-0.3, 0.3)
        g = torch.Generator().manual_seed(seed + 1)
        model.set_normalisation(torch.randn(cfg.n_features, generator=g),
                                torch.rand(cfg.n_features, generator=g) + 0.5)
    return model.eval()


def torch_outputs(model, feats):
    with torch.no_grad():
        g, r, v = model(torch.from_numpy(feats)[None])
    return g[0].numpy(), r[0].numpy(), torch.sigmoid(v[0]).numpy()


def features(rng, t=60):
    f = (rng.standard_normal((t, 70)) * 2 + 0.5).astype(np.float32)
    f[::7, 69] = 1e4                     # outliers: exercises the input clip on both sides
    return f


def test_float_streaming_matches_torch(tmp_path, rng):
    model = random_model(size="tiny", n_gru=2)
    export_weights(model, tmp_path / "w.npz", quantise=False, info=INFO)
    net = Model.load(tmp_path / "w.npz")
    feats = features(rng)
    want = torch_outputs(model, feats)
    got = net.run(feats)
    for w, g in zip(want, got):
        assert np.abs(w - g).max() < 1e-5
    # reset() restarts the stream exactly
    net.reset()
    got2 = net.run(feats)
    for g, g2 in zip(got, got2):
        np.testing.assert_array_equal(g, g2)


@pytest.mark.parametrize("size, over", [("tiny", {"n_gru": 0}), ("small", {}), ("base", {})])
def test_layouts_match_torch(tmp_path, rng, size, over):
    """No GRU stack (the heads read the conv output), the shipped widths and the widest
    config (3 GRUs, 216 wide): the fused layout follows each config. Weights are scaled to
    a trained network's range: at +-0.5 the wide random networks are chaotic, and torch's
    own round-off then grows past 1e-3."""
    model = random_model(seed=7, size=size, **over)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "weight" in name:
                p.mul_(0.3)
    export_weights(model, tmp_path / "w.npz", quantise=False, info=INFO)
    net = Model.load(tmp_path / "w.npz")
    feats = features(rng, 30)
    for w, g in zip(torch_outputs(model, feats), net.run(feats)):
        assert np.abs(w - g).max() < 1e-5


def test_int8_streaming_matches_dequantised_torch(tmp_path, rng):
    model = random_model(seed=3, size="tiny")
    export_weights(model, tmp_path / "w8.npz", quantise=True, info=INFO)
    net = Model.load(tmp_path / "w8.npz")
    deq = PercepNet(model.cfg).eval()
    deq.load_state_dict(model.state_dict())
    load_file_params(deq, net.params)
    feats = features(rng)
    for w, g in zip(torch_outputs(deq, feats), net.run(feats)):
        assert np.abs(w - g).max() < 1e-5
    # and int8 is close to, but not the same as, the float model
    net.reset()
    diff = max(np.abs(w - g).max() for w, g in zip(torch_outputs(model, feats), net.run(feats)))
    assert 0 < diff < 0.05


def test_export_load_roundtrip_exact(tmp_path):
    model = random_model(seed=5, size="tiny")
    meta = export_weights(model, tmp_path / "w.npz", info=INFO)
    net = Model.load(tmp_path / "w.npz")
    for name, p in model.state_dict().items():
        key = name.replace("_l0", "")
        if name.startswith("norm_"):
            continue
        a = p.numpy().reshape(p.shape[0], -1) if p.ndim > 1 else p.numpy()
        if p.ndim > 1:
            q, scale = quantise_rows(a)
            np.testing.assert_array_equal(net.params[key], q.astype(np.float32) * scale[:, None])
            assert np.abs(net.params[key] - a).max() <= 0.5 / 127 / 2 + 1e-7
        else:
            np.testing.assert_array_equal(net.params[key], a)
    np.testing.assert_array_equal(net.mean, model.norm_mean.numpy())
    assert net.metadata == json.loads(json.dumps(meta))
    assert net.n_weights == count_weights(model)
    with np.load(tmp_path / "w.npz") as z:
        assert z["dense.weight.q"].dtype == np.int8
        assert z["dense.weight.scale"].dtype == np.float32
        assert z["dense.bias"].dtype == np.float32


def test_metadata_complete(tmp_path):
    meta = export_weights(random_model(), tmp_path / "w.npz", info=INFO)
    missing = [k for k in REQUIRED_METADATA if k not in meta]
    assert not missing
    assert meta["step"] == 1234 and meta["quantisation"] == "int8-per-row"
    for key in ("dense", "conv", "hidden", "n_gru", "gains_hidden", "str_hidden"):
        assert key in meta["config"]
    digest, name = (tmp_path / "w.sha256").read_text().split()
    assert name == "w.npz" and len(digest) == 64


def test_load_rejects_tampered_and_missing(tmp_path):
    export_weights(random_model(), tmp_path / "w.npz", info=INFO)
    with np.load(tmp_path / "w.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["dense.bias"] = arrays["dense.bias"] + 1
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match="sha256"):
        Model.load(tmp_path / "bad.npz")
    with pytest.raises(FileNotFoundError, match="no trained weights shipped"):
        Model.load(tmp_path / "absent.npz")


def test_step_allocates_nothing(tmp_path, rng):
    export_weights(random_model(size="small"), tmp_path / "w.npz", info=INFO)
    net = Model.load(tmp_path / "w.npz")
    feats = features(rng, 20)
    net.run(feats[:5])
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for f in feats:
        net.step(f)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename") if s.size_diff > 0)
    assert grown < 2048, f"step allocated {grown} bytes over 20 frames"


def test_step_checks_shape(tmp_path):
    export_weights(random_model(), tmp_path / "w.npz", info=INFO)
    net = Model.load(tmp_path / "w.npz")
    with pytest.raises(ValueError, match="70"):
        net.step(np.zeros(69, np.float32))


def test_interpolate_and_export_mix(tmp_path):
    a, b = random_model(0).state_dict(), random_model(1).state_dict()
    mixed = interpolate(random_model(0), random_model(1), 0.25).state_dict()
    for name in a:
        torch.testing.assert_close(mixed[name], 0.75 * a[name] + 0.25 * b[name])
    with pytest.raises(ValueError, match="cannot mix"):
        interpolate(random_model(0), random_model(0, size="small"), 0.5)
    with pytest.raises(ValueError, match="--mix"):
        interpolate(random_model(0), random_model(1), 1.5)
    # the command line: a checkpoint mixed all the way into a weights file is that file's network
    model = random_model(0)
    ckpt = tmp_path / "ckpt.pt"
    torch.save({"model": model.state_dict(), "config": vars(model.cfg), "step": 5}, ckpt)
    export_weights(random_model(1), tmp_path / "b.npz", quantise=False, info=INFO)
    out = tmp_path / "mixed.npz"
    assert export.main([str(ckpt), "--mix-with", str(tmp_path / "b.npz"), "--mix", "1",
                        "--float", "--out", str(out)]) == 0
    net, feats = Model.load(out), features(np.random.default_rng(3))
    for want, got in zip(torch_outputs(random_model(1), feats), net.run(feats)):
        assert np.abs(want - got).max() < 1e-5
    assert net.metadata["mix"] == 1.0 and net.metadata["mixed_with"].endswith("b.npz")
    with pytest.raises(SystemExit):                       # a mix needs both halves
        export.main([str(ckpt), "--mix-with", str(tmp_path / "b.npz"), "--out", str(out)])
