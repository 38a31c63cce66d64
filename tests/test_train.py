"""Training runs end to end on a tiny synthetic cache: single process, resume, DDP, export."""
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

PY = Path(__file__).resolve().parents[1] / "py"
sys.path.insert(0, str(PY))

torch = pytest.importorskip("torch", reason="torch (train extra) not installed")

from percepnet_train import export, train  # noqa: E402
from percepnet_wasm.model import Model  # noqa: E402

FAST = ["--size", "tiny", "--batch", "4", "--seq-len", "40", "--val-every", "4",
        "--log-every", "2", "--warmup", "2", "--threads", "1"]


def make_cache(root: Path, seed=0, n_train=2, n_val=2, seqs=5, subdirs=False):
    """Shards named as make_cache.py names them (``train_00000000-00000005.npz``; or
    ``train/000.npz`` with ``subdirs``); targets are a learnable function of the features."""
    rng = np.random.default_rng(seed)
    for split, n in (("train", n_train), ("val", n_val)):
        for i in range(n):
            path = (root / split / f"{i:03d}.npz" if subdirs else
                    root / f"{split}_{i * seqs:08d}-{(i + 1) * seqs:08d}.npz")
            path.parent.mkdir(parents=True, exist_ok=True)
            lens = rng.integers(20, 90, seqs)
            lens[0] = 5                                  # shorter than min_len: skipped
            t = int(lens.sum())
            f = (rng.standard_normal((t, 70)) * 3 + 1).astype(np.float32)
            g = 1 / (1 + np.exp(-f[:, :34]))
            np.savez(path, features=f, gains=g.astype(np.float32),
                     strengths=(1 - g).astype(np.float32),
                     vad=(f[:, 0] > 0).astype(np.float32), lengths=lens,
                     seeds=np.arange(i * seqs, (i + 1) * seqs))
    return root


@pytest.fixture
def cache(tmp_path):
    return make_cache(tmp_path / "cache")


def records(run):
    return [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]


def test_sequence_set_batches(cache, tmp_path):
    assert [p.name for p in train.find_shards(cache, "val")] == [
        "val_00000000-00000005.npz", "val_00000005-00000010.npz"]
    assert len(train.find_shards(make_cache(tmp_path / "sub", subdirs=True), "train")) == 2
    s = train.SequenceSet(train.find_shards(cache, "train"))
    assert s.starts.size == 8                            # 2 shards x 5, minus 2 short ones
    b, mask = s.batch(np.random.default_rng(0), 3, 200)  # longer than any sequence: padded
    assert b["features"].shape == (3, 200, 70) and b["gains"].shape == (3, 200, 34)
    assert 0 < mask.sum() < 600
    # each row is one contiguous piece of one sequence
    row = b["features"][0, :int(mask[0].sum())].numpy()
    start = np.flatnonzero((s.data["features"] == row[0]).all(1))[0]
    np.testing.assert_array_equal(s.data["features"][start:start + len(row)], row)


def test_row_filter_masks_rows_and_never_draws_a_dropped_mixture(cache):
    seen = {}

    def row_filter(seed, vad):             # seed 1: left out; others: their first 10 rows
        seen[seed] = vad.shape[0]
        keep = np.ones(vad.shape[0], bool)
        keep[:10] = False
        return None if seed == 1 else keep
    s = train.SequenceSet(train.find_shards(cache, "train"), row_filter=row_filter)
    assert sorted(seen) == list(range(10))            # every mixture, short ones too
    starts = dict(zip(np.cumsum([0] + [seen[k] for k in range(10)])[:-1], range(10)))
    for start, length, weight in zip(s.starts, s.lengths, s.weights):
        seed = starts[int(start)]
        assert weight == (0 if seed == 1 else length - 10)
        assert not s.keep[start:start + 10].any()
    drawn = 0
    for step in range(20):
        b, mask = s.batch(np.random.default_rng(step), 4, 500)
        for row in range(4):
            n = int((b["features"][row].abs().sum(1) > 0).sum())   # rows filled
            start = np.flatnonzero((s.data["features"] == b["features"][row, 0].numpy()).all(1))[0]
            assert starts[int(start)] != 1
            np.testing.assert_array_equal(mask[row, :n].numpy(), s.keep[start:start + n])
            drawn += 1
    assert drawn == 80
    no_seeds = train.find_shards(cache, "train")[1]
    with np.load(no_seeds) as z:
        arrays = {k: z[k] for k in z.files if k != "seeds"}
    np.savez(no_seeds, **arrays)
    with pytest.raises(ValueError, match="no seeds"):
        train.SequenceSet([no_seeds], row_filter=row_filter)


def test_floor_gain_targets_remove_the_recordings_own_background(cache):
    # 40 frames, noisy band energy 1 everywhere: 10 frames of the recording's hiss (clean
    # energy 0.01, g = 0.1), 30 of speech (clean 0.5); band 1 undefined, band 2 all silence.
    t = 40
    features = np.zeros((t, 70), np.float32)
    features[:, :34] = np.log10(1.0 + 1e-9)
    gains = np.full((t, 34), np.sqrt(0.5), np.float32)
    gains[2:12] = 0.1
    gains[:, 1], gains[:, 2] = -1.0, 0.0
    out = train.floor_gain_targets(features, gains.copy(), percentile=10)
    np.testing.assert_allclose(out[2:12, 0], 0.0, atol=1e-4)            # the hiss is removed
    np.testing.assert_allclose(out[12:, 0], np.sqrt(0.49), rtol=1e-4)   # speech minus the floor
    np.testing.assert_array_equal(out[:2], gains[:2])                  # no noisy energy for them
    assert np.all(out[:, 1] == -1.0) and np.all(out[:, 2] == 0.0)
    plain = train.SequenceSet(train.find_shards(cache, "train"))
    floored = train.SequenceSet(train.find_shards(cache, "train"), target_floor=10)
    np.testing.assert_array_equal(plain.data["features"], floored.data["features"])
    g, f = plain.data["gains"].astype(np.float32), floored.data["gains"].astype(np.float32)
    assert np.all(f[g >= 0] <= g[g >= 0] + 1e-3) and np.any(f < g - 1e-3)


def test_train_resume_is_exact_and_exports(cache, tmp_path, monkeypatch):
    straight, resumed = tmp_path / "a", tmp_path / "b"
    assert train.main(["--cache", str(cache), "--run", str(straight), "--steps", "8", *FAST]) == 0
    train.main(["--cache", str(cache), "--run", str(resumed), "--steps", "8", "--stop-at", "5",
                *FAST])
    assert torch.load(resumed / "ckpt_latest.pt", weights_only=False)["step"] == 5
    train.main(["--cache", str(cache), "--run", str(resumed), "--steps", "8", *FAST])
    a = torch.load(straight / "ckpt_latest.pt", weights_only=False)
    b = torch.load(resumed / "ckpt_latest.pt", weights_only=False)
    assert a["step"] == b["step"] == 8
    for k in a["model"]:
        torch.testing.assert_close(a["model"][k], b["model"][k], rtol=0, atol=0)
    for k in ("gains_out.weight", "grus.0.weight_hh_l0"):
        assert a["model"][k].abs().max() <= 0.5

    info = json.loads((resumed / "run.json").read_text())
    for key in ("command", "seed", "data_manifest_sha256", "git_commit", "config", "n_weights"):
        assert key in info
    assert info["resumes"][0]["step"] == 5
    recs = records(resumed)
    assert [r["step"] for r in recs if "loss" in r] == [2, 4, 6, 8]
    assert all(np.isfinite(r["val_loss"]) for r in recs if "val_loss" in r)
    assert (resumed / "ckpt_best.pt").is_file()

    # export the run as int8 and check the NumPy model against torch on a val sequence
    out = tmp_path / "w.npz"
    assert export.main([str(resumed), "--out", str(out)]) == 0
    net = Model.load(out)
    assert net.metadata["step"] == 8 and net.metadata["val_loss"] is not None
    assert net.metadata["data_manifest_sha256"] == info["data_manifest_sha256"]
    feats = np.load(train.find_shards(cache, "val")[0])["features"][:60]
    model, _ = export.load_checkpoint(resumed)
    with torch.no_grad():
        g, _, _ = model(torch.from_numpy(feats)[None])
    gains, _, _ = net.run(feats)
    assert np.abs(gains - g[0].numpy()).max() < 0.02      # int8 vs float: close

    # an untrained checkpoint never goes into the package
    monkeypatch.setattr(export, "DEFAULT_WEIGHTS", tmp_path / "pkg" / "weights.npz")
    with pytest.raises(SystemExit, match="refusing"):
        export.main([str(resumed)])
    assert not (tmp_path / "pkg" / "weights.npz").exists()


def test_ddp_two_processes_checkpoint_resume(cache, tmp_path):
    run = tmp_path / "ddp"
    env = {**os.environ, "PYTHONPATH": str(PY), "OMP_NUM_THREADS": "1"}
    base = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
            "-m", "percepnet_train.train", "--cache", str(cache), "--run-dir", str(run),
            "--steps", "6", *FAST]
    for extra in (["--stop-at", "3"], []):
        p = subprocess.run(base + extra, env=env, capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, f"{extra}: {p.stdout[-1500:]}\n{p.stderr[-3000:]}"
    ckpt = torch.load(run / "ckpt_latest.pt", weights_only=False)
    assert ckpt["step"] == 6 and ckpt["world_size"] == 2
    info = json.loads((run / "run.json").read_text())
    assert info["world_size"] == 2 and info["command"].startswith("torchrun --nproc_per_node=2")
    assert info["resumes"][0]["step"] == 3
    recs = records(run)
    assert [r["step"] for r in recs if "loss" in r] == [2, 4, 6]
    assert [r["step"] for r in recs if "val_loss" in r] == [4, 6]


def test_level_shift_in_feature_space_equals_a_louder_signal():
    """``shift_level`` (the trainer's level augmentation) against the pipeline itself: the
    features of the same mixture 12 dB quieter, computed by ``training_sequences``."""
    from percepnet_wasm.targets import training_sequences
    rng = np.random.default_rng(3)
    t = np.arange(48000) / 48000
    clean = (0.2 * np.sin(2 * np.pi * (150 + 40 * t) * t) * (t > 0.3)).astype(np.float32)
    noisy = clean + (0.05 * rng.standard_normal(len(t))).astype(np.float32)
    loud = training_sequences(clean, noisy)
    quiet = training_sequences(clean * 0.25, noisy * 0.25)          # -12.04 dB
    shifted = train.shift_level(loud["features"].copy(), np.full(len(loud["vad"]), 20 * np.log10(0.25)))
    np.testing.assert_allclose(shifted[:, :34], quiet["features"][:, :34], atol=2e-4)
    assert np.abs(shifted[:, :34] - loud["features"][:, :34]).min() > 1.0   # it did move
    np.testing.assert_allclose(loud["gains"], quiet["gains"], atol=1e-4)   # labels: level-free


def test_refresh_picks_up_new_shards(tmp_path, monkeypatch):
    """A growing cache: a shard written after training started is loaded at the next refresh."""
    cache = make_cache(tmp_path / "c", n_train=2)
    late = cache / "train_00000005-00000010.npz"
    real_find, calls = train.find_shards, []

    def find_shards(root, split):              # the late shard "appears" after start-up
        calls.append(split)
        shards = real_find(root, split)
        return [p for p in shards if p != late] if calls.count("train") == 1 else shards
    monkeypatch.setattr(train, "find_shards", find_shards)
    run = tmp_path / "run"
    assert train.main(["--cache", str(cache), "--run", str(run), *FAST, "--steps", "3",
                       "--refresh-minutes", "1e-9"]) == 0
    refreshes = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()
                 if "refresh" in line]
    assert refreshes and refreshes[0]["refresh"] == 2 and refreshes[0]["step"] == 0


def test_init_warm_starts_a_new_run(cache, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    train.main(["--cache", str(cache), "--run", str(first), "--steps", "4", *FAST])
    # one step at lr 0 (AdamW's decay scales with lr too): the weights are what --init gave
    train.main(["--cache", str(cache), "--run", str(second), "--steps", "4", "--stop-at", "1",
                "--init", str(first / "ckpt_latest.pt"), "--lr", "0", *FAST])
    a = torch.load(first / "ckpt_latest.pt", weights_only=False)
    b = torch.load(second / "ckpt_latest.pt", weights_only=False)
    assert b["step"] == 1 and b["optimizer"]["state"][0]["step"] == 1    # a fresh optimiser
    for k in a["model"]:
        torch.testing.assert_close(a["model"][k], b["model"][k], rtol=0, atol=0)
    assert json.loads((second / "run.json").read_text())["args"]["init"] == str(first / "ckpt_latest.pt")
    with pytest.raises(SystemExit, match="does not fit --size small"):     # tiny has 1 GRU, small 2
        train.main(["--cache", str(cache), "--run", str(tmp_path / "third"), "--steps", "4",
                    "--init", str(first / "ckpt_latest.pt"), "--size", "small", "--batch", "4",
                    "--seq-len", "40", "--threads", "1"])


def test_anchor_weight_keeps_a_fine_tune_near_its_init(cache, tmp_path):
    start = tmp_path / "start"
    train.main(["--cache", str(cache), "--run", str(start), "--steps", "2", *FAST])
    init = start / "ckpt_latest.pt"
    drift = {}
    for a in (0.0, 100.0):
        run = tmp_path / f"anchor{a}"
        train.main(["--cache", str(cache), "--run", str(run), "--steps", "6", "--lr", "1e-2",
                    "--warmup", "0", "--init", str(init), "--anchor-weight", str(a), *FAST])
        m0, _ = train.load_model(init)
        m1, _ = train.load_model(run / "ckpt_latest.pt")
        drift[a] = float(train.anchor_penalty(train.anchor_pairs(m1, m0)).detach())
        assert ("anchor" in records(run)[0]) == (a > 0)            # logged with the loss parts
    assert 0 < drift[100.0] < 0.5 * drift[0.0]
    with pytest.raises(SystemExit, match="needs --init"):
        train.main(["--cache", str(cache), "--run", str(tmp_path / "x"), "--steps", "2",
                    "--anchor-weight", "1", *FAST])


def test_widen_keeps_the_function_and_lets_the_new_units_learn():
    """A wider network warm-started from a narrower one (train --init a smaller run) computes
    the same outputs, and the zero columns that hide the new units get gradients."""
    from dataclasses import replace
    from percepnet_train.model import ModelConfig, PercepNet, percepnet_loss, widen
    torch.manual_seed(0)
    narrow = PercepNet(ModelConfig.named("tiny"))
    narrow.set_normalisation(torch.rand(70) - 0.5, torch.rand(70) + 0.5)
    cfg = replace(narrow.cfg, dense=20, conv=24, hidden=32, gains_hidden=24, str_hidden=12)
    wide = widen(narrow, cfg)
    x = torch.randn(2, 50, 70) * 3
    for a, b in zip(narrow(x), wide(x)):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-6)
    assert wide.grus[0].weight_hh_l0.shape == (96, 32)
    loss, _ = percepnet_loss(*wide(x), torch.rand(2, 50, 34), torch.rand(2, 50, 34), torch.ones(2, 50))
    loss.backward()
    assert wide.gains_out.weight.grad[:, 16:].abs().sum() > 0          # the new gains units' columns
    with pytest.raises(ValueError, match="cannot widen"):
        widen(wide, narrow.cfg)                                         # narrower: refused


def test_init_from_a_weights_file(cache, tmp_path):
    """--init weights.npz (all that is left when a machine took the checkpoints with it):
    the new run starts from the file's dequantised weights and its normalisation."""
    first, second = tmp_path / "first", tmp_path / "second"
    train.main(["--cache", str(cache), "--run", str(first), "--steps", "4", *FAST])
    model, _ = export.load_checkpoint(first / "ckpt_latest.pt")
    export.export_weights(model, tmp_path / "w.npz")
    train.main(["--cache", str(cache), "--run", str(second), "--steps", "4", "--stop-at", "1",
                "--init", str(tmp_path / "w.npz"), "--lr", "0", *FAST])
    b = torch.load(second / "ckpt_latest.pt", weights_only=False)["model"]
    with np.load(tmp_path / "w.npz") as z:
        q, scale = z["gains_out.weight.q"], z["gains_out.weight.scale"]
        np.testing.assert_array_equal(b["gains_out.weight"].numpy(), q * scale[:, None])
        np.testing.assert_array_equal(b["norm_mean"].numpy(), z["norm_mean"])
    # int8 steps are at most half a scale step from the trained weights
    a = model.state_dict()["gains_out.weight"].numpy()
    assert np.abs(b["gains_out.weight"].numpy() - a).max() <= scale.max() / 2 + 1e-7
    # a float export loads back exactly
    export.export_weights(model, tmp_path / "f.npz", quantise=False)
    back, meta = export.load_weights_file(tmp_path / "f.npz")
    assert meta["quantisation"] == "float32"
    for k, v in model.state_dict().items():
        torch.testing.assert_close(back.state_dict()[k], v, rtol=0, atol=0)


def test_forward_int8_is_the_int8_export_and_passes_gradients(tmp_path):
    from percepnet_train.model import ModelConfig, PercepNet, forward_int8
    torch.manual_seed(0)
    model = PercepNet(ModelConfig.named("tiny"))
    x = torch.randn(2, 30, 70)
    export.export_weights(model, tmp_path / "w.npz")
    shipped, _ = export.load_weights_file(tmp_path / "w.npz")
    with torch.no_grad():
        for a, b, c in zip(forward_int8(model, x), shipped(x), model(x)):
            torch.testing.assert_close(a, b, rtol=0, atol=1e-6)     # what the export holds
            assert (a - c).abs().max() > 1e-5                          # not the float network
    g, r, v = forward_int8(model, x)
    (g.sum() + r.sum() + v.sum()).backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())


def test_int8_aware_run_validates_the_int8_network(cache, tmp_path):
    run = tmp_path / "q"
    train.main(["--cache", str(cache), "--run", str(run), "--steps", "4", "--int8-aware", *FAST])
    model, ckpt = export.load_checkpoint(run / "ckpt_latest.pt")
    export.export_weights(model, tmp_path / "w.npz")
    shipped, _ = export.load_weights_file(tmp_path / "w.npz")
    vals = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines() if "val_loss" in line]
    args = train.parse_args(["--cache", str(cache), *FAST])
    torch.testing.assert_close(train.validate(shipped, train.SequenceSet(sorted(cache.glob("val*.npz"))),
                                              args, 1)["val_loss"], vals[-1]["val_loss"], rtol=1e-5, atol=0)


def test_ema_is_resumed_validated_and_exported(cache, tmp_path):
    straight, resumed = tmp_path / "a", tmp_path / "b"
    ema = ["--ema", "0.5", "--steps", "6"]
    train.main(["--cache", str(cache), "--run", str(straight), *ema, *FAST])
    train.main(["--cache", str(cache), "--run", str(resumed), *ema, "--stop-at", "3", *FAST])
    train.main(["--cache", str(cache), "--run", str(resumed), *ema, *FAST])
    a = torch.load(straight / "ckpt_latest.pt", weights_only=False)
    b = torch.load(resumed / "ckpt_latest.pt", weights_only=False)
    for k in a["ema"]:                                   # the average survives a resume exactly
        torch.testing.assert_close(a["ema"][k], b["ema"][k], rtol=0, atol=0)
    # it is an average: between the weights, not equal to the last ones
    k = "gains_out.weight"
    assert not torch.equal(a["ema"][k], a["model"][k])
    # export and --init load the average, and the logged validation loss is the average's
    assert export.shipped_state(b) is b["ema"]
    model, _ = export.load_checkpoint(resumed / "ckpt_latest.pt")
    torch.testing.assert_close(model.state_dict()[k], b["ema"][k], rtol=0, atol=0)
    args = train.parse_args(["--cache", str(cache), *FAST])
    vset = train.SequenceSet(train.find_shards(cache, "val"))
    assert b["val_loss"] == pytest.approx(train.validate(model, vset, args, 1)["val_loss"], rel=1e-6)
    raw = export.PercepNet(export.ModelConfig(**b["config"]))
    raw.load_state_dict(b["model"])
    assert b["val_loss"] != pytest.approx(train.validate(raw, vset, args, 1)["val_loss"], rel=1e-6)


def test_ema_update_is_the_moving_average():
    from percepnet_train.model import ModelConfig, PercepNet
    a, b = PercepNet(ModelConfig.named("tiny")), PercepNet(ModelConfig.named("tiny"))
    expect = {k: 0.9 * v + 0.1 * b.state_dict()[k] for k, v in a.state_dict().items()
              if not k.startswith("norm_")}
    train.ema_update(a, b, 0.9)
    for k, v in expect.items():
        torch.testing.assert_close(a.state_dict()[k], v)


def test_gain_target_shape_keeps_undefined_bands():
    g = torch.tensor([[[-1.0, 0.0, 0.25, 1.0]]])
    torch.testing.assert_close(train.shape_gain_target(g, 1.5), torch.tensor([[[-1.0, 0.0, 0.125, 1.0]]]))
    assert train.shape_gain_target(g, 1.0) is g


def test_band_weights_follow_each_bands_loudness_two_frames_back():
    from percepnet_train.model import percepnet_loss
    f = torch.zeros(1, 4, 70)
    f[..., :34] = -9.0                                  # digital silence: the floor
    f[0, :, 0] = torch.tensor([0.0, -1.0, -3.0, -5.0])  # the loudest band, moving with the frame
    f[0, :, 1] = f[0, :, 0] - 2.0                       # 20 dB below it
    f[0, 1, 2] = -1.5                                   # only frame 1: 5 dB below its loudest
    w = train.band_weights(f, 40.0)
    # rows 0, 1 read frame 0, rows 2, 3 frames 0, 1 (the targets are two frames late)
    torch.testing.assert_close(w[0, :, 0], torch.ones(4))
    torch.testing.assert_close(w[0, :, 1], torch.full((4,), 0.5))
    torch.testing.assert_close(w[0, :, 2], torch.tensor([0.1, 0.1, 0.1, 0.875]))
    torch.testing.assert_close(w[0, :, 5], torch.full((4,), 0.1))
    # the level does not matter, only a band against its frame's loudest
    louder = f.clone()
    louder[..., :34] += 1.0
    torch.testing.assert_close(train.band_weights(louder, 40.0), w)

    # the loss counts each band's terms times its weight
    gen = torch.Generator().manual_seed(0)
    pred = [torch.rand(1, 4, 34, generator=gen) for _ in range(2)]
    target = [torch.rand(1, 4, 34, generator=gen) for _ in range(2)]
    vad_logit, vad = torch.zeros(1, 4), torch.ones(1, 4)
    plain, _ = percepnet_loss(*pred, vad_logit, *target, vad)
    same, _ = percepnet_loss(*pred, vad_logit, *target, vad, band_weight=torch.ones(1, 4, 34))
    torch.testing.assert_close(same, plain)
    only_first = torch.zeros(1, 4, 34)
    only_first[..., 0] = 1.0
    _, parts = percepnet_loss(*pred, vad_logit, *target, vad, band_weight=only_first)
    d = (target[0][..., 0] + 1e-7).sqrt() - (pred[0][..., 0] + 1e-7).sqrt()
    torch.testing.assert_close(parts["gain2"], d.square().mean())


def test_band_sdr_loss_is_each_crops_speech_over_distortion_in_db():
    from percepnet_train.model import band_sdr_loss
    # one crop, two frames: band 0 clean speech (target 1) at energy 1, band 1 noise alone
    # (target 0) at energy 4; frame 1 is padding and band 2 undefined, so neither counts
    g = torch.full((1, 2, 34), -1.0)
    g[0, 0, 0], g[0, 0, 1] = 1.0, 0.0
    pred = torch.full((1, 2, 34), 0.5)
    pred[0, 0, 0], pred[0, 0, 1] = 0.9, 0.1
    energy = torch.zeros(1, 2, 34)
    energy[0, 0, :3] = torch.tensor([1.0, 4.0, 100.0])
    energy[0, 1] = 50.0
    mask = torch.tensor([[1.0, 0.0]])
    floor = 5.0 * 1e-3                                     # 30 dB below the crop's 1 + 4
    expect = 10 * math.log10((0.1 ** 2 * 1 + 0.1 ** 2 * 4 + floor) / (1.0 + floor))
    torch.testing.assert_close(band_sdr_loss(pred, g, energy, mask), torch.tensor(expect))
    # each crop in dB whatever its level: the mean over crops of the same crop 20 dB louder
    both = band_sdr_loss(torch.cat([pred, pred]), torch.cat([g, g]), torch.cat([energy, 100 * energy]),
                         torch.cat([mask, mask]))
    torch.testing.assert_close(both, torch.tensor(expect))
    # noise alone, removed to the floor: 0 dB; left at 0.1: the floor 30 dB down asks for more
    quiet = torch.zeros(1, 1, 34)
    e1 = torch.ones(1, 1, 34)
    torch.testing.assert_close(band_sdr_loss(quiet, quiet, e1, torch.ones(1, 1)), torch.tensor(0.0))
    assert float(band_sdr_loss(quiet + 0.1, quiet, e1, torch.ones(1, 1))) > 10.0


def test_target_band_energies_undo_the_features_log():
    f = torch.zeros(1, 3, 70)
    f[0, :, :34] = torch.log10(torch.tensor([2.0, 0.5, 0.0]) + 1e-9).unsqueeze(-1)
    e = train.target_band_energies(f)
    # rows 0 and 1 read frame 0, row 2 frame 0 (two frames late)
    torch.testing.assert_close(e[0, :, 0], torch.tensor([2.0, 2.0, 2.0]), rtol=1e-5, atol=1e-12)
    f[0, 0, :34] = -9.0                                   # digital silence: the floor itself
    assert float(train.target_band_energies(f)[0, 0].abs().max()) < 1e-12
