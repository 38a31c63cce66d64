"""Fast checks of the quality report's logic (percepnet_eval.report, .quality, .evalset,
.lowrate) on synthetic numbers and a tiny fake audio cache: bootstrap intervals, paired
verdicts, oracle recovery, issue 12's bar, and the leave-source-out split. No system runs
and no metric library is needed."""
import json

import numpy as np
import pytest

from percepnet_eval import evalset, lowrate, quality
from percepnet_eval.metrics import METRIC_KEYS
from percepnet_eval.report import (bootstrap_ci, ci_verdict, markdown_table,
                                   paired_difference, recovery)


# --------------------------------------------------------------------------- bootstrap
def test_bootstrap_ci_of_a_constant_is_the_constant():
    assert bootstrap_ci(np.full(30, 2.5)) == (2.5, 2.5)


def test_bootstrap_ci_matches_the_normal_theory_interval():
    rng = np.random.default_rng(7)
    x = rng.normal(1.0, 2.0, 400)
    lo, hi = bootstrap_ci(x, n_boot=2000, seed=3)
    half = 1.96 * x.std(ddof=1) / np.sqrt(len(x))          # 0.196 for sigma 2, n 400
    assert lo < x.mean() < hi
    assert (lo + hi) / 2 == pytest.approx(x.mean(), abs=0.03)
    assert (hi - lo) / 2 == pytest.approx(half, rel=0.12)


def test_bootstrap_ci_is_seeded_and_skips_nan():
    rng = np.random.default_rng(8)
    x = rng.normal(0, 1, 50)
    with_nan = np.concatenate([x, [np.nan, np.nan]])
    assert bootstrap_ci(x, seed=5) == bootstrap_ci(with_nan, seed=5)
    assert bootstrap_ci(x, seed=5) != bootstrap_ci(x, seed=6)
    assert np.isnan(bootstrap_ci([np.nan, np.nan])).all()
    assert np.isnan(bootstrap_ci([1.0, np.nan])).all()      # one clip: no interval


def test_bootstrap_ci_level_widens_the_interval():
    x = np.random.default_rng(9).normal(0, 1, 100)
    lo90, hi90 = bootstrap_ci(x, level=0.90)
    lo99, hi99 = bootstrap_ci(x, level=0.99)
    assert lo99 < lo90 < hi90 < hi99


# --------------------------------------------------------------------------- paired verdicts
@pytest.mark.parametrize("lo, hi, want", [(0.1, 0.3, "better"), (-0.3, -0.01, "worse"),
                                          (-0.1, 0.2, "not distinguishable"),
                                          (np.nan, np.nan, "not distinguishable")])
def test_ci_verdict(lo, hi, want):
    assert ci_verdict(lo, hi) == want


def _rows(a, b, key="pesq"):
    return [{"meta": {"snr_db": 0.0}, "scores": {"a": {key: x}, "b": {key: y}}}
            for x, y in zip(a, b)]


def test_paired_difference_sees_a_small_consistent_gain_that_clips_hide():
    # Clips differ by up to 3 PESQ points, a beats b by 0.05 on every clip: unpaired
    # intervals of the two means overlap, the paired one must say "better".
    rng = np.random.default_rng(11)
    base = rng.uniform(1.0, 4.0, 40)
    a = base + 0.05 + rng.normal(0, 0.005, 40)
    d = paired_difference(_rows(a, base), "a", "b", "pesq", seed=1)
    assert d["verdict"] == "better"
    assert d["n"] == 40
    assert d["mean"] == pytest.approx(0.05, abs=0.005)
    assert 0 < d["lo"] < 0.05 < d["hi"]
    lo_a, hi_a = bootstrap_ci(a)
    lo_b, hi_b = bootstrap_ci(base)
    assert lo_a < hi_b  # the unpaired intervals overlap
    assert paired_difference(_rows(base, a), "a", "b", "pesq")["verdict"] == "worse"


def test_paired_difference_of_noise_alone_is_not_distinguishable_and_skips_nan():
    rng = np.random.default_rng(12)
    base = rng.uniform(1.0, 4.0, 30)
    noise = rng.normal(0, 0.2, 30)
    noise -= noise.mean()
    a = base + noise
    a[3] = np.nan
    d = paired_difference(_rows(a, base), "a", "b", "pesq")
    assert d["n"] == 29
    assert d["verdict"] == "not distinguishable"
    assert d["lo"] < 0 < d["hi"]


# --------------------------------------------------------------------------- recovery
def test_recovery_formula():
    assert recovery(2.0, 1.0, 3.0) == pytest.approx(0.5)
    assert recovery(1.0, 1.0, 3.0) == pytest.approx(0.0)
    assert recovery(0.5, 1.0, 3.0) == pytest.approx(-0.25)
    assert recovery(3.5, 1.0, 3.0) == pytest.approx(1.25)
    assert np.isnan(recovery(2.0, 3.0, 3.0))      # no oracle gain: undefined
    assert np.isnan(recovery(2.0, 3.0, 2.5))
    assert np.isnan(recovery(np.nan, 1.0, 3.0))


# --------------------------------------------------------------------------- issue 12's bar
SNRS = (-5, 5)


def _scored(ours_minus_rnnoise=0.1, ours_minus_noisy=0.5, oracle_minus_noisy=0.8,
            override=None, n=12, seed=0):
    """Synthetic clips: every metric of every system is a fixed offset from the noisy
    input's per-clip score (plus a little noise). ``override``: {(snr, key): d} sets
    ours - RNNoise on one SNR's clips of one metric."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        snr = float(SNRS[i % len(SNRS)])
        noisy = {k: float(rng.uniform(1, 3)) for k in METRIC_KEYS}
        scores = {"noisy": noisy, "ours": {}, "rnnoise": {}, "dfn3": {}, "oracle": {}}
        for k, v in noisy.items():
            ours = v + ours_minus_noisy + float(rng.normal(0, 0.01))
            scores["ours"][k] = ours
            d = (override or {}).get((snr, k), ours_minus_rnnoise)
            scores["rnnoise"][k] = ours - d + float(rng.normal(0, 0.01))
            scores["dfn3"][k] = ours + 0.3
            scores["oracle"][k] = v + oracle_minus_noisy
        rows.append({"meta": {"snr_db": snr}, "scores": scores})
    return rows


def _bar(rows):
    systems = ["noisy", "ours", "rnnoise", "dfn3", "oracle"]
    agg = quality.aggregate_by_snr(rows, systems, keys=METRIC_KEYS, n_boot=200)
    paired = quality.paired_tables(rows, SNRS, ["noisy", "rnnoise", "dfn3"], n_boot=200)
    rec = quality.recoveries(agg, systems)
    met, checks = quality.bar_checks(paired, rec, SNRS)
    return met, checks, quality.verdict(paired, rec, SNRS, systems), rec


def test_bar_met_when_ours_beats_rnnoise_and_noisy_and_recovers_half():
    met, checks, lines, rec = _bar(_scored())
    assert rec["all"]["ours"]["pesq"] == pytest.approx(0.5 / 0.8, abs=0.02)
    assert met is True
    # 4 metrics x (overall + 2 SNRs) vs RNNoise, 2 metrics x 2 SNRs vs noisy, 1 recovery
    assert len(checks) == 4 * 3 + 2 * 2 + 1
    assert any("bar is met" in line for line in lines)
    assert any(line.startswith("Against RNNoise, overall: better on") for line in lines)
    assert any(line.startswith("Against DeepFilterNet3, overall: worse on") for line in lines)


def test_bar_fails_on_one_snr_of_one_metric():
    met, checks, lines, _ = _bar(_scored(override={(5.0, "stoi"): -0.1}))
    assert met is False
    failed = [(c["what"], c["group"]) for c in checks if not c["ok"]]
    assert failed == [("ours - RNNoise: STOI", "5")]
    assert any("bar is not met" in line and "STOI at 5 dB" in line for line in lines)


def test_bar_fails_on_recovery_and_on_the_noisy_input():
    met, checks, _, _ = _bar(_scored(ours_minus_noisy=0.3))         # recovery 0.3 / 0.8
    assert met is False
    assert [c["what"] for c in checks if not c["ok"]] == ["oracle recovery: PESQ-WB"]
    met, checks, _, _ = _bar(_scored(ours_minus_noisy=-0.1, oracle_minus_noisy=0.8))
    assert met is False
    assert {c["what"] for c in checks if not c["ok"]} >= {
        "ours - noisy input: STOI", "ours - noisy input: SI-SDR (dB)", "oracle recovery: PESQ-WB"}


def test_bar_cannot_be_judged_without_the_oracle():
    rows = _scored()
    systems = ["noisy", "ours", "rnnoise"]
    agg = quality.aggregate_by_snr(rows, systems, keys=METRIC_KEYS, n_boot=50)
    paired = quality.paired_tables(rows, SNRS, ["noisy", "rnnoise"], n_boot=50)
    assert quality.recoveries(agg, systems) == {}
    assert quality.bar_checks(paired, {}, SNRS) == (None, [])


def test_a_second_model_of_ours_is_compared_but_not_in_the_bar():
    rows = _scored()
    for r in rows:            # the model shipped before: 0.2 below ours on every metric
        r["scores"]["ours:old.npz"] = {k: v - 0.2 for k, v in r["scores"]["ours"].items()}
    systems = ["noisy", "ours", "ours:old.npz", "rnnoise", "dfn3", "oracle"]
    assert quality.compared(systems) == ["noisy", "rnnoise", "dfn3", "ours:old.npz"]
    paired = quality.paired_tables(rows, SNRS, quality.compared(systems), n_boot=200)
    assert paired["all"]["ours:old.npz"]["pesq"]["mean"] == pytest.approx(0.2)
    agg = quality.aggregate_by_snr(rows, systems, keys=METRIC_KEYS, n_boot=200)
    rec = quality.recoveries(agg, systems)
    _, checks = quality.bar_checks(paired, rec, SNRS)
    assert len(checks) == 4 * 3 + 2 * 2 + 1                   # the same checks as without it
    lines = quality.verdict(paired, rec, SNRS, systems)
    assert any(line.startswith("Against ours:old.npz, overall: better on PESQ-WB") for line in lines)
    assert quality._paired_lines(paired, SNRS, "ours:old.npz")[0] == "### Ours - ours:old.npz"


def test_table_shows_intervals_and_never_ranks_the_oracle():
    agg = quality.aggregate_by_snr(_scored(), ["noisy", "ours", "oracle"], keys=("pesq",),
                                   n_boot=200)
    e = agg["all"]["ours"]["pesq"]
    assert e["lo"] < e["mean"] < e["hi"]
    labels = {"noisy": "noisy input", "ours": "ours", "oracle": "oracle"}
    table = markdown_table(agg["all"], ["noisy", "ours", "oracle"], labels, ("pesq",),
                           not_ranked=("oracle",))
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip()
            for line in table.splitlines()[2:]}
    assert rows["ours"] == f"**{e['mean']:.2f} [{e['lo']:.2f}, {e['hi']:.2f}]**"
    assert not rows["oracle"].startswith("**")   # highest mean, but a ceiling


# --------------------------------------------------------------------------- splits
def _fake_cache(root):
    """splits.json with train/val/test/holdout; test has ordinary and hedgewars speech,
    holdout has its own speech and noise packages."""
    rng = np.random.default_rng(0)
    plan = {
        "train": [("speech", "klettres-data", "kde:fr"), ("noise", "megaglest-data", "n")],
        "val": [("speech", "klettres-data", "kde:de"), ("noise", "megaglest-data", "m")],
        "test": [("speech", "klettres-data", "kde:it"), ("speech", "hedgewars-data", "hw:a"),
                 ("noise", "megaglest-data", "k")],
        "holdout": [("speech", "fillets-ng-data-nl", "fillets-nl:1"),
                    ("speech", "fillets-ng-data-nl", "fillets-nl:2"),
                    ("noise", "lincity-ng-data", "Monument"),
                    ("music", "lincity-ng-data", "track")],
    }
    splits = {}
    for split, items in plan.items():
        splits[split] = []
        for j, (category, package, group) in enumerate(items):
            for u in range(2):
                x = (rng.standard_normal(evalset.RATE // 2) * 3000).astype(np.int16)
                path = root / "audio" / f"{split}_{j}_{u}.npy"
                path.parent.mkdir(parents=True, exist_ok=True)
                np.save(path, x)
                splits[split].append({"id": f"{package}/{group}/{u}", "package": package,
                                      "category": category, "group": group,
                                      "path": str(path.relative_to(root))})
    (root / "splits.json").write_text(json.dumps({"splits": splits}))
    return root


def test_holdout_mixtures_use_only_holdout_packages(tmp_path):
    root = _fake_cache(tmp_path)
    clips = list(evalset.mixtures(6, SNRS, split="holdout", seconds=(0.5, 1.0), root=root))
    assert len(clips) == 6
    assert {c.speech.split("/")[0] for c in clips} == {"fillets-ng-data-nl"}
    assert {c.noise.split("/")[0] for c in clips} == {"lincity-ng-data"}
    assert {c.noise_type for c in clips} == {"noise:lincity-ng-data", "music"}
    assert [c.snr_db for c in clips] == [-5.0, 5.0] * 3
    again = list(evalset.mixtures(6, SNRS, split="holdout", seconds=(0.5, 1.0), root=root))
    np.testing.assert_array_equal(clips[5].noisy, again[5].noisy)


def test_every_snr_sees_every_speaker_and_speakers_meet_every_noise_type(tmp_path):
    # The holdout split of the fake cache has 2 speakers and 2 noise types, as many as SNRS:
    # a speaker drawn as i % n_speakers would give each SNR one speaker of its own (what the
    # 6 test speakers and 6 SNRs did until 2026-12-04), and one drawn per block, without the
    # shift, would tie each speaker to one noise type.
    root = _fake_cache(tmp_path)
    clips = list(evalset.mixtures(8, SNRS, split="holdout", seconds=(0.5, 1.0), root=root))
    speakers = {c.speaker for c in clips}
    assert len(speakers) == 2
    for snr in SNRS:
        assert {c.speaker for c in clips if c.snr_db == snr} == speakers
        assert {c.noise_type for c in clips if c.snr_db == snr} == {"noise:lincity-ng-data", "music"}
    assert len({(c.speaker, c.noise_type) for c in clips}) == 4


def test_hedgewars_speech_is_excluded_unless_asked_for(tmp_path):
    root = _fake_cache(tmp_path)
    main = list(evalset.mixtures(4, SNRS, split="test", seconds=(0.5, 1.0), root=root))
    assert {c.speech.split("/")[0] for c in main} == {"klettres-data"}
    hw = list(evalset.mixtures(4, SNRS, split="test", seconds=(0.5, 1.0), root=root,
                               speech_packages=evalset.REFERENCE_EXCLUDED))
    assert {c.speech.split("/")[0] for c in hw} == {"hedgewars-data"}
    assert evalset.packages_with_speech("test", root) == {"klettres-data", "hedgewars-data"}
    assert evalset.packages_with_speech("holdout", root) == {"fillets-ng-data-nl"}
    with pytest.raises(RuntimeError, match="hedgewars-data"):
        list(evalset.mixtures(2, SNRS, split="holdout", root=root,
                              speech_packages=evalset.REFERENCE_EXCLUDED))


def test_training_split_and_a_missing_holdout_are_refused(tmp_path):
    root = _fake_cache(tmp_path)
    with pytest.raises(ValueError, match="split must be one of"):
        list(evalset.mixtures(2, SNRS, split="train", root=root))
    splits = json.loads((root / "splits.json").read_text())
    del splits["splits"]["holdout"]
    (root / "splits.json").write_text(json.dumps(splits))
    with pytest.raises(RuntimeError, match="no 'holdout' split"):
        list(evalset.mixtures(2, SNRS, split="holdout", root=root))


def test_holdout_report_names_the_packages():
    from percepnet_train.fetch_data import HOLDOUT_PACKAGES
    text = quality._split_text("holdout")
    assert "leave-source-out" in text
    assert all(p in text for p in HOLDOUT_PACKAGES)


# --------------------------------------------------------------------------- low rates
def _lowrate_rows(d_sdr, d_stoi, rate=8000, n=10):
    rng = np.random.default_rng(1)
    rows = []
    for i in range(n):
        s_in = {"si_sdr": float(rng.uniform(-5, 20)), "stoi": float(rng.uniform(0.5, 0.9))}
        s_out = {"si_sdr": s_in["si_sdr"] + d_sdr, "stoi": s_in["stoi"] + d_stoi,
                 "level_ratio": 0.8, "speech_gain_ratio": 0.95}
        rows.append({"meta": {"rate": rate, "snr_db": 0.0},
                     "scores": {"input": s_in, "output": s_out}})
    return rows


def test_lowrate_verdict():
    good = lowrate.summarise(_lowrate_rows(3.0, 0.01), (8000,), n_boot=100)
    assert good["8000"]["ok"] and good["8000"]["worse"] == {"si_sdr": 0, "stoi": 0}
    assert good["8000"]["diff"]["si_sdr"]["verdict"] == "better"
    assert "**Never worse than the input**" in lowrate.verdict(good)[-1]
    rows = _lowrate_rows(3.0, 0.01) + _lowrate_rows(1.0, -0.02, rate=16000)
    bad = lowrate.summarise(rows, (8000, 16000), n_boot=100)
    assert bad["8000"]["ok"] and not bad["16000"]["ok"]
    assert bad["16000"]["worse"]["stoi"] == 10
    assert lowrate.verdict(bad)[-1].endswith("no (16 kHz).")


def test_projection_gain():
    x = np.random.default_rng(2).standard_normal(1000)
    assert lowrate._projection_gain(x, 0.37 * x) == pytest.approx(0.37)


def test_by_reference_quality_splits_clips_on_the_reference_bak():
    def row(bak, ours_pesq, rnnoise_pesq):
        scores = {s: {k: 1.0 for k in quality.KEYS} for s in ("noisy", "ours", "rnnoise")}
        scores["ours"]["pesq"], scores["rnnoise"]["pesq"] = ours_pesq, rnnoise_pesq
        return {"meta": {"snr_db": 0.0, "speaker": f"s{bak}"}, "scores": scores,
                "reference": {"sig": 3.0, "bak": bak, "ovrl": 2.5}}
    rows = [row(3.9, 2.0, 2.5), row(3.7, 2.2, 2.5), row(2.5, 2.0, 1.0), row(float("nan"), 9.0, 0.0)]
    out = quality.by_reference_quality(rows, ["noisy", "ours", "rnnoise"], n_boot=50)
    assert (out["clean"]["n"], out["noisy"]["n"]) == (2, 1)     # a silent reference is in neither
    assert out["clean"]["paired"]["rnnoise"]["pesq"]["mean"] == pytest.approx(-0.4)
    assert out["noisy"]["paired"]["rnnoise"]["pesq"]["mean"] == pytest.approx(1.0)
    assert out["clean"]["reference_bak"] == pytest.approx(3.8)
    lines = quality.verdict({"all": {}}, {}, (), ["noisy", "ours", "rnnoise"], out)
    assert any("2 clips whose reference is clean" in v and "PESQ-WB -0.40" in v for v in lines)
