"""The quality table: our model against RNNoise, DeepFilterNet3 and classic suppressors.

    PYTHONPATH=py python -m percepnet_eval.quality                  # docs/quality.md, .json, .png
    PYTHONPATH=py python -m percepnet_eval.quality --split holdout  # docs/quality-holdout.*

Held-out mixtures (``evalset.mixtures``) at -5, 0, 5, 10, 15 and 20 dB SNR, 48 kHz, seeded:
``--split test`` (speakers and noise files never seen in training) or ``--split holdout``
(leave-source-out: whole packages, ``fetch_data.HOLDOUT_PACKAGES``, never trained on). Every
system (``peers``) runs on every clip; outputs are scored by ``metrics.score`` after delay
alignment. Means carry 95 % bootstrap intervals over clips, and ours is compared with the
noisy input, RNNoise and DeepFilterNet3 by paired differences (``report.paired_difference``):
"better" or "worse" when the interval of the difference excludes 0, else "not
distinguishable". The ``oracle`` row is our own band+comb oracle
(``percepnet_wasm.oracle.enhance_oracle(clean, noisy, "comb")``): it reads the clean speech,
so it is a ceiling, not a peer; "oracle recovery" = (system - noisy) / (oracle - noisy) of
the means. Each clip's clean reference is also scored by DNSMOS alone, and the comparison is
repeated on the clips whose reference is clean and on the others (``by_reference_quality``):
a recording's own background counts as speech for the intrusive metrics. The verdict states
whether issue 12's bar (``BAR``) is met. Speech of
``evalset.REFERENCE_EXCLUDED`` (hedgewars) is left out of the main table and scored in a
small table of its own. Real-time factor
(RTF) = processing wall time / audio duration, with BLAS/OpenMP limited to one thread;
clips are spread over ``--jobs`` worker processes (one per core), so each system runs on
one core while the other core scores or runs another clip.

A system that cannot run (e.g. ours before a trained model is shipped) is listed with the
reason instead of a row of numbers.
"""
from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from importlib.metadata import PackageNotFoundError, version  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from . import metrics  # noqa: E402
from .evalset import EVAL_SPLITS, REFERENCE_EXCLUDED, mixtures, packages_with_speech  # noqa: E402
from .figures import spectrogram_panels  # noqa: E402
from .peers import PEER_ORDER, load_peers, time_peer  # noqa: E402
from .report import (METRIC_LABELS, aggregate, markdown_table, paired_difference,  # noqa: E402
                     per_snr_tables, provenance, recovery, set_summary)

RATE = 48000
SNRS = (-5, 0, 5, 10, 15, 20)
KEYS = metrics.METRIC_KEYS + ("clean_si_sdr", "rtf")
#: Our band+comb oracle: a ceiling (it reads the clean speech), never ranked as a peer.
ORACLE = "oracle"
ORACLE_LABEL = "band+comb oracle (ceiling: reads the clean speech)"
SYSTEM_ORDER = PEER_ORDER + (ORACLE,)
#: What ours is compared with in the verdict, by paired differences.
COMPARED = ("noisy", "rnnoise", "dfn3")
COMPARED_LABELS = {"noisy": "the noisy input", "rnnoise": "RNNoise", "dfn3": "DeepFilterNet3"}
#: A second model of ours (``--systems ours:WEIGHTS``), e.g. the one shipped before, is compared
#: too (paired tables and verdict), never counted in issue 12's bar.
OTHER_OURS = "ours:"
#: Metrics whose oracle recovery is reported.
RECOVERY_KEYS = ("pesq", "si_sdr")
#: Issue 12's bar: ours >= RNNoise on ``peer_keys`` overall and at every SNR; ours >= the
#: noisy input on ``noisy_keys`` at every SNR; PESQ oracle recovery >= ``pesq_recovery``
#: overall. ">=" is on the mean paired difference; its interval is reported beside it.
BAR = {"peer": "rnnoise", "peer_keys": ("pesq", "stoi", "si_sdr", "ovrl"),
       "noisy_keys": ("stoi", "si_sdr"), "pesq_recovery": 0.5}
#: Systems scored on the hedgewars voices (besides the noisy input).
HEDGEWARS_SYSTEMS = ("ours", "rnnoise")
HEDGEWARS_KEYS = ("pesq", "stoi", "si_sdr", "ovrl", "clean_si_sdr")
#: A clip's reference counts as clean when DNSMOS rates the clean speech itself at least this
#: BAK (studio speech scores about 4). Below it the recording carries its own hiss, hum or
#: room, which intrusive metrics then count as speech: a system that removes it is penalised.
CLEAN_REFERENCE_BAK = 3.6
#: Metrics of the by-reference-quality comparison.
REFERENCE_KEYS = ("pesq", "stoi", "si_sdr", "ovrl")

_peers = None
_with_oracle = False


_score_cache = None     # folder of per-clip scores to reuse (--score-cache), or None


def _init(names, score_cache=None):
    global _peers, _with_oracle, _score_cache
    _with_oracle = ORACLE in names
    _peers = load_peers(tuple(n for n in names if n != ORACLE))
    _score_cache = Path(score_cache) if score_cache else None


def _cached(key_parts, compute):
    """``compute()``'s scores, or the stored ones of an earlier run with the same key: the
    system (label and version, which for ours holds the weights' sha256), the clip's meta and
    a hash of its noisy and clean samples. Without --score-cache, always ``compute()``."""
    if _score_cache is None:
        return compute()
    h = hashlib.sha256(json.dumps(key_parts[:-1], sort_keys=True, default=str).encode())
    for signal in key_parts[-1]:
        h.update(np.ascontiguousarray(signal, np.float32).tobytes())
    path = _score_cache / f"{h.hexdigest()[:24]}.json"
    if path.is_file():
        return json.loads(path.read_text())
    s = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(s, default=float))
    os.replace(tmp, path)
    return s


def _oracle(clean, noisy):
    from percepnet_wasm.oracle import enhance_oracle
    return np.asarray(enhance_oracle(clean, noisy, "comb"), dtype=np.float32)


def _run_clip(job):
    """Score one clip: ``job`` is a Clip, or (Clip, names of the systems to run)."""
    clip, only = job if isinstance(job, tuple) else (job, None)
    peers, _missing = _peers
    signals = (clip.clean, clip.noisy)
    scores = {"noisy": _cached(["noisy", clip.meta(), signals], lambda: _score_noisy(clip))}
    for name, peer in peers.items():
        if only is not None and name not in only:
            continue
        scores[name] = _cached([peer.label, peer.version, clip.meta(), signals],
                               lambda: _score_peer(peer, clip))
    if _with_oracle and (only is None or ORACLE in only):
        scores[ORACLE] = _cached([ORACLE, clip.meta(), signals], lambda: _score_oracle(clip))
    # DNSMOS of the clean reference itself: how clean the "clean" recording is.
    reference = _cached(["reference-dnsmos", clip.meta(), signals],
                        lambda: metrics.dnsmos(clip.clean, RATE))
    return {"meta": clip.meta(), "scores": scores, "reference": reference}


def compared(systems):
    """What ours is compared with, of ``systems``: ``COMPARED``, then any ``ours:WEIGHTS``."""
    return [o for o in COMPARED if o in systems] + [s for s in systems if s.startswith(OTHER_OURS)]


def compared_label(o):
    """ "the noisy input", "RNNoise", ... or "ours:docs/runs/X/weights.npz"."""
    return COMPARED_LABELS.get(o, o)


def by_reference_quality(rows, systems, *, n_boot=1000, seed=0):
    """Means and paired differences of ours on the clips with clean and with noisy references
    (reference DNSMOS BAK >= / < ``CLEAN_REFERENCE_BAK``): {"clean"|"noisy": {"n",
    "aggregate" (system -> metric -> mean, lo, hi), "paired" (other -> metric -> difference)}}."""
    out = {}
    for name, keep in (("clean", lambda b: b >= CLEAN_REFERENCE_BAK),
                       ("noisy", lambda b: b < CLEAN_REFERENCE_BAK)):
        sel = [r for r in rows if np.isfinite(r["reference"]["bak"]) and keep(r["reference"]["bak"])]
        entry = {"n": len(sel), "speakers": sorted({r["meta"]["speaker"] for r in sel})}
        if sel:
            entry["aggregate"] = aggregate(sel, systems, KEYS, n_boot=n_boot, seed=seed)["all"]
            entry["reference_bak"] = float(np.mean([r["reference"]["bak"] for r in sel]))
            if "ours" in systems:
                entry["paired"] = {o: {k: paired_difference(sel, "ours", o, k, n_boot=n_boot, seed=seed)
                                       for k in REFERENCE_KEYS}
                                   for o in compared(systems)}
        out[name] = entry
    return out


def _score_noisy(clip):
    t0 = time.perf_counter()
    s = metrics.score(clip.clean, clip.noisy, RATE)
    s["wall_s"] = time.perf_counter() - t0
    return s


def _score_peer(peer, clip):
    t0 = time.perf_counter()
    y, rtf = time_peer(peer, clip.noisy)
    s = metrics.score(clip.clean, y, RATE)
    s["rtf"] = rtf
    # Speech preservation: the system on the clean speech alone, SI-SDR against itself.
    # It separates what a system does to speech from what it does to noise, and flags
    # references that a system does not treat as clean speech.
    ref, est, _lag = metrics.align(clip.clean, peer.fn(clip.clean))
    s["clean_si_sdr"] = metrics.si_sdr(ref, est)
    s["wall_s"] = time.perf_counter() - t0
    return s


def _score_oracle(clip):
    t0 = time.perf_counter()
    y = _oracle(clip.clean, clip.noisy)
    rtf = (time.perf_counter() - t0) / (len(clip.noisy) / RATE)
    s = metrics.score(clip.clean, y, RATE)
    s["rtf"] = rtf
    s["clean_si_sdr"] = float("nan")  # it reads the clean speech: no preservation test
    s["wall_s"] = time.perf_counter() - t0
    return s


def _versions(peers):
    v = metrics.versions()
    try:
        v["percepnet-wasm"] = version("percepnet-wasm")
    except PackageNotFoundError:
        v["percepnet-wasm"] = "source tree (not installed)"
    return v


def snr_key(snr):
    """The key of an SNR group in aggregates and paired tables: "-5", "0", "2.5"."""
    return f"{float(snr):g}"


def aggregate_by_snr(rows, systems, keys=KEYS, *, n_boot=1000, seed=0):
    """``report.aggregate`` over SNRs with bootstrap intervals, groups keyed "all" and
    ``snr_key(snr)``."""
    agg = aggregate(rows, systems, keys=keys, n_boot=n_boot, seed=seed)
    return {("all" if g == "all" else snr_key(g)): v for g, v in agg.items()}


def _groups(rows, snrs):
    """Group name -> clips: "all", then one per SNR that has clips."""
    out = {"all": rows}
    for snr in snrs:
        sel = [r for r in rows if snr_key(r["meta"]["snr_db"]) == snr_key(snr)]
        if sel:
            out[snr_key(snr)] = sel
    return out


def paired_tables(rows, snrs, others, *, keys=metrics.METRIC_KEYS, n_boot=1000, seed=0):
    """Ours minus each of ``others``, per group (overall and per SNR) and metric.

    Returns
    -------
    dict group -> other -> metric -> ``report.paired_difference`` dict
    """
    return {g: {o: {k: paired_difference(sel, "ours", o, k, n_boot=n_boot, seed=seed)
                    for k in keys} for o in others}
            for g, sel in _groups(rows, snrs).items()}


def recoveries(agg, systems, keys=RECOVERY_KEYS):
    """Oracle recovery of every ranked system, per group and metric: dict group -> system ->
    metric -> fraction (NaN where undefined). Empty without the oracle."""
    if ORACLE not in systems:
        return {}
    ranked = [s for s in systems if s not in ("noisy", ORACLE)]
    return {g: {s: {k: recovery(a[s][k]["mean"], a["noisy"][k]["mean"], a[ORACLE][k]["mean"])
                    for k in keys} for s in ranked}
            for g, a in agg.items()}


def bar_checks(paired, rec, snrs, bar=BAR):
    """Issue 12's bar, check by check.

    Returns
    -------
    met : bool, or None when a system it needs (ours, the peer, the oracle) did not run
    checks : list of dict {"what", "group", "value", "lo", "hi", "ok"}: "value" is the mean
        paired difference (recovery: the fraction), "ok" whether it meets the bar
    """
    groups = [snr_key(s) for s in snrs if snr_key(s) in paired]
    all_ = paired.get("all", {})
    if bar["peer"] not in all_ or "noisy" not in all_ or not rec or "ours" not in rec["all"]:
        return None, []
    checks = []

    def diff(what, g, d):
        checks.append({"what": what, "group": g, "value": d["mean"], "lo": d["lo"],
                       "hi": d["hi"], "ok": bool(np.isfinite(d["mean"]) and d["mean"] >= 0)})

    for k in bar["peer_keys"]:
        for g in ["all"] + groups:
            diff(f"ours - {COMPARED_LABELS.get(bar['peer'], bar['peer'])}: {METRIC_LABELS[k]}",
                 g, paired[g][bar["peer"]][k])
    for k in bar["noisy_keys"]:
        for g in groups:
            diff(f"ours - noisy input: {METRIC_LABELS[k]}", g, paired[g]["noisy"][k])
    r = rec["all"]["ours"]["pesq"]
    checks.append({"what": "oracle recovery: PESQ-WB", "group": "all", "value": r,
                   "lo": float("nan"), "hi": float("nan"),
                   "ok": bool(np.isfinite(r) and r >= bar["pesq_recovery"])})
    return all(c["ok"] for c in checks), checks


def _where(group):
    return "overall" if group == "all" else f"{group} dB"


def verdict(paired, rec, snrs, systems, by_ref=None):
    """Plain statements of where ``ours`` stands against the noisy input and each peer
    (paired 95 % intervals, overall and per SNR), on the clips with clean references
    (``by_ref``, from ``by_reference_quality``), its oracle recovery, and issue 12's bar."""
    if "ours" not in systems:
        return ["Our model did not run (see *Missing systems*), so there is no verdict yet."]
    out = []
    groups = [snr_key(s) for s in snrs if snr_key(s) in paired]
    for o in compared(systems):
        if o not in paired.get("all", {}):
            continue
        by = {v: [] for v in ("better", "worse", "not distinguishable")}
        for k, d in paired["all"][o].items():
            by[d["verdict"]].append(METRIC_LABELS[k])
        line = f"Against {compared_label(o)}, overall: " + "; ".join(
            f"{v} on {', '.join(ks)}" for v, ks in by.items() if ks) + "."
        worse = {}
        for g in groups:
            for k, d in paired[g][o].items():
                if d["verdict"] == "worse":
                    worse.setdefault(METRIC_LABELS[k], []).append(g)
        if worse:
            line += " Worse per SNR: " + "; ".join(
                f"{k} at {', '.join(gs)} dB" for k, gs in worse.items()) + "."
        elif groups:
            line += " Worse at no SNR."
        out.append(line)
    clean = (by_ref or {}).get("clean", {})
    if clean.get("paired"):
        parts = []
        for o in ("rnnoise", "dfn3"):
            if o in clean["paired"]:
                parts.append(f"against {COMPARED_LABELS[o]} " + ", ".join(
                    f"{METRIC_LABELS[k]} {_signed(d['mean'], k)} ({d['verdict']})"
                    for k, d in clean["paired"][o].items()))
        out.append(f"On the {clean['n']} clips whose reference is clean (DNSMOS BAK of the clean "
                   f"speech >= {CLEAN_REFERENCE_BAK}; see *By reference quality*): "
                   + "; ".join(parts) + ".")
    if rec:
        r = rec["all"]["ours"]
        out.append("Oracle recovery, (ours - noisy) / (oracle - noisy) of the means, overall: "
                   + ", ".join(f"{METRIC_LABELS[k]} {_pct(v)}" for k, v in r.items()) + ".")
    met, checks = bar_checks(paired, rec, snrs)
    if met is None:
        out.append("Issue 12's bar cannot be judged: it needs ours, RNNoise and the oracle.")
    elif met:
        out.append(f"**Issue 12's bar is met** on this set ({len(checks)} of {len(checks)} "
                   "checks, see *Issue 12's bar*).")
    else:
        fails = {}
        for c in checks:
            if not c["ok"]:
                fails.setdefault(c["what"], []).append(_where(c["group"]))
        out.append(f"**Issue 12's bar is not met** on this set: "
                   f"{sum(not c['ok'] for c in checks)} of {len(checks)} checks fail ("
                   + "; ".join(f"{w} at {', '.join(gs)}" for w, gs in fails.items()) + ").")
    return out


def _pct(v):
    return f"{100 * v:.0f} %" if np.isfinite(v) else "–"


def _signed(v, k):
    if not np.isfinite(v):
        return "–"
    return f"{v:+.3f}" if k == "stoi" else f"{v:+.2f}"


def _paired_cell(d, k):
    """A paired difference ``d`` on metric ``k``: ``mean [lo, hi] verdict``."""
    return f"{_signed(d['mean'], k)} [{_signed(d['lo'], k)}, {_signed(d['hi'], k)}] {d['verdict']}"


def _paired_lines(paired, snrs, o):
    groups = ["all"] + [snr_key(s) for s in snrs if snr_key(s) in paired]
    lines = [f"### Ours - {compared_label(o)}", "",
             "| metric | " + " | ".join(_where(g) for g in groups) + " |",
             "|---|" + "|".join("---:" for _ in groups) + "|"]
    for k in paired["all"][o]:
        cells = [_paired_cell(paired[g][o][k], k) for g in groups]
        lines.append(f"| {METRIC_LABELS[k]} | " + " | ".join(cells) + " |")
    return lines + [""]


def _bar_lines(checks, snrs):
    groups = ["all"] + [snr_key(s) for s in snrs]
    rows = {}
    for c in checks:
        rows.setdefault(c["what"], {})[c["group"]] = c
    lines = ["| requirement | " + " | ".join(_where(g) for g in groups) + " |",
             "|---|" + "|".join(":---:" for _ in groups) + "|"]
    for what, cs in rows.items():
        cells = []
        for g in groups:
            c = cs.get(g)
            if c is None:
                cells.append("")
                continue
            v = _pct(c["value"]) if what.startswith("oracle") else \
                _signed(c["value"], "stoi" if "STOI" in what else "")
            cells.append(f"{'yes' if c['ok'] else '**no**'} ({v})")
        lines.append(f"| {what} | " + " | ".join(cells) + " |")
    return lines


def _split_text(split):
    if split == "holdout":
        from percepnet_train.fetch_data import HOLDOUT_PACKAGES
        return ("holdout split, leave-source-out: every file of the packages "
                + ", ".join(HOLDOUT_PACKAGES) + " (whole sources: voices, recording set-ups "
                "and noise kinds), never trained on")
    if split == "test":
        return "test split (speakers and noise files held out of training)"
    return f"{split} split (used while training: not a held-out score)"


def write_markdown(path, res):
    p = res["provenance"]
    systems, labels = res["systems"], res["labels"]
    snrs = res["snrs"]
    ranked = [s for s in systems if s != ORACLE]
    title = "Quality: PercepNet (ours) against RNNoise, DeepFilterNet3 and classic suppressors"
    if res["split"] != "test":
        title += f" ({res['split']} split)"
    lines = [
        f"# {title}",
        "",
        f"- Command: `{p['command']}`",
        f"- Date: {p['date']}; commit {p['commit']}",
        f"- Machine: {p['machine']}; BLAS/OpenMP threads: "
        + ", ".join(f"{k}={v}" for k, v in p["threads"].items())
        + f"; {res['jobs']} worker processes",
        "- Metric versions: " + ", ".join(f"{k} {v}" for k, v in res["versions"].items()),
        f"- Set: {res['n_clips']} mixtures, seed {res['seed']}, {_split_text(res['split'])}, "
        f"SNR {', '.join(snr_key(s) for s in snrs)} dB, "
        f"48 kHz; {res['n_speakers']} speakers, {res['n_noise_files']} noise files of "
        f"{res['n_noise_types']} types ({', '.join(res['noise_types'])}).",
        f"- Excluded: speech of {', '.join(REFERENCE_EXCLUDED)} (shouted, processed character "
        "voices that no system treats as clean speech) is not used as a reference in the main "
        "tables; see *Hedgewars voices* below.",
        "- Metrics: PESQ wide-band (P.862.2, at 16 kHz), STOI, SI-SDR (after delay "
        "alignment), DNSMOS P.835 SIG/BAK/OVRL (speechmos, non-intrusive), RTF = wall time / "
        "audio duration on one core (lower is faster); clean-in SI-SDR = SI-SDR of the "
        "system's output for the clean speech alone (speech preservation; a low value means "
        "the system removes or alters parts of the reference). Means over clips with 95 % "
        f"bootstrap intervals ({res['n_boot']} resamples of the clips, seed {res['seed']}); "
        f"{res['n_silent']} silent references skipped. Largest residual delay found by "
        f"alignment: {res['max_abs_lag']} samples.",
        "- Wall time per clip on this machine (run + scoring, mean): "
        + ", ".join(f"{labels[s]} {t:.1f} s" for s, t in res["wall_s"].items()) + ".",
        "",
        "## Systems",
        "",
        "| system | version | notes |",
        "|---|---|---|",
        "| noisy input | – | the unprocessed mixture |",
    ]
    for s in systems[1:]:
        pe = res["peers"][s]
        lines.append(f"| {labels[s]} | {pe['version']} | {pe['notes']} |")
    if res["missing"]:
        lines += ["", "### Missing systems", ""]
        for s, why in res["missing"].items():
            lines.append(f"- **{s}**: {why}")
    lines += ["", "## Where we stand", ""] + [f"- {v}" for v in res["verdict"]]
    if res["bar"]["checks"]:
        lines += ["", "## Issue 12's bar", "",
                  "Each cell: whether the requirement holds, and the mean paired difference "
                  "(ours minus the other, over the same clips) or the recovery. A requirement "
                  "holds when the mean difference is >= 0; *Paired differences* gives its "
                  "interval.", ""] + _bar_lines(res["bar"]["checks"], snrs)
    lines += ["", f"## Overall ({res['n_clips']} clips)", "",
              "Mean [95 % interval]; bold: best of the ranked systems (the oracle is a ceiling, "
              "not ranked).", "",
              markdown_table(res["aggregate"]["all"], systems, labels, KEYS,
                             not_ranked=(ORACLE,)), ""]
    if res["recovery"]:
        groups = ["all"] + [snr_key(s) for s in snrs if snr_key(s) in res["recovery"]]
        lines += ["## Oracle recovery", "",
                  "(system - noisy) / (oracle - noisy) of the means: the share of the band+comb "
                  "oracle's gain over the noisy input that a system achieves.", "",
                  "| system | metric | " + " | ".join(_where(g) for g in groups) + " |",
                  "|---|---|" + "|".join("---:" for _ in groups) + "|"]
        for s in res["recovery"]["all"]:
            for k in RECOVERY_KEYS:
                lines.append(f"| {labels[s]} | {METRIC_LABELS[k]} | "
                             + " | ".join(_pct(res["recovery"][g][s][k]) for g in groups) + " |")
        lines.append("")
    if res["paired"]:
        lines += ["## Paired differences", "",
                  "Mean of ours minus the other system over the same clips, [95 % bootstrap "
                  "interval]: better / worse when the interval excludes 0.", ""]
        for o in compared(res["systems"]):
            if o in res["paired"]["all"]:
                lines += _paired_lines(res["paired"], snrs, o)
    lines += _by_reference_lines(res)
    lines += per_snr_tables(res["aggregate"], snrs, systems, labels, KEYS, not_ranked=(ORACLE,))
    lines += _hedgewars_lines(res)
    peers_run = [s for s in ranked if s != "noisy"]
    if peers_run:
        lines += ["## Speech preservation by speech source", "",
                  "Clean-in SI-SDR (dB) per source of the test speech: where every system "
                  "scores low, the reference itself is probably not clean speech (effects, "
                  "music beds, processing), and intrusive metrics on those clips measure that.",
                  "", "| source | clips | " + " | ".join(labels[s] for s in peers_run) + " |",
                  "|---|---:|" + "|".join("---:" for _ in peers_run) + "|"]
        by_src = {}
        for r in res["clips"]:
            by_src.setdefault(r["meta"]["speaker"].split(":")[0], []).append(r)
        for src in sorted(by_src):
            rs = by_src[src]
            cells = []
            for s in peers_run:
                v = np.array([r["scores"][s]["clean_si_sdr"] for r in rs], float)
                cells.append(f"{np.nanmean(v):.1f}" if np.isfinite(v).any() else "–")
            lines.append(f"| {src} | {len(rs)} | " + " | ".join(cells) + " |")
        lines.append("")
    if res.get("figure"):
        fc = res["figure_clip"]
        lines += ["## Example", "", f"![spectrograms across systems]({res['figure']})", "",
                  f"Clip {fc['index']}: {fc['snr_db']:g} dB, speaker `{fc['speaker']}`, "
                  f"noise `{fc['noise']}`.", ""]
    if res.get("json"):
        lines += [f"Per-clip scores: `{res['json']}`.", ""]
    Path(path).write_text("\n".join(lines))


def _by_reference_lines(res):
    by_ref = res.get("by_reference")
    if not by_ref:
        return []
    systems, labels = res["systems"], res["labels"]
    lines = ["## By reference quality", "",
             "DNSMOS rates each clip's clean reference on its own (no noise added). Where it "
             f"scores BAK < {CLEAN_REFERENCE_BAK}, the recording carries its own background "
             "(hiss, hum, room), which PESQ, STOI and SI-SDR count as speech: a system that "
             "removes it loses there, and DNSMOS rewards removing it. The clips with clean "
             "references are the closer stand-in for audio recorded with a good microphone.", ""]
    for name, title in (("clean", f"Clean references (BAK >= {CLEAN_REFERENCE_BAK})"),
                        ("noisy", f"Noisy references (BAK < {CLEAN_REFERENCE_BAK})")):
        e = by_ref[name]
        if not e["n"]:
            lines += [f"### {title}: no clips", ""]
            continue
        lines += [f"### {title}: {e['n']} clips, reference BAK {e['reference_bak']:.2f} on average "
                  f"(speakers {', '.join(e['speakers'])})", "",
                  markdown_table(e["aggregate"], systems, labels, KEYS, not_ranked=(ORACLE,)), ""]
        if e.get("paired"):
            lines += ["| ours minus | " + " | ".join(METRIC_LABELS[k] for k in REFERENCE_KEYS) + " |",
                      "|---|" + "---:|" * len(REFERENCE_KEYS)]
            for o, ds in e["paired"].items():
                lines.append(f"| {compared_label(o)} | "
                             + " | ".join(_paired_cell(ds[k], k) for k in REFERENCE_KEYS) + " |")
            lines.append("")
    return lines


def _hedgewars_lines(res):
    h = res.get("hedgewars")
    head = ["## Hedgewars voices (excluded from the main table)", ""]
    if h is None:
        return []
    if not h.get("clips"):
        return head + [h["note"], ""]
    sy = h["systems"]
    return head + [
        f"{len(h['clips'])} mixtures of {', '.join(REFERENCE_EXCLUDED)} speech from the same "
        f"split and SNRs (seed {res['seed']}): shouted, processed character voices, so the "
        "intrusive metrics partly measure the reference; the clean-in SI-SDR column shows how "
        "far each system treats it as speech. Mean [95 % interval].", "",
        markdown_table(h["aggregate"]["all"], sy, res["labels"], HEDGEWARS_KEYS), ""]


def _hedgewars(args, peers, snrs, run):
    """Score ours and RNNoise on hedgewars mixtures of the same split, if it has any.
    ``run`` maps ``_run_clip`` over a list of (clip, systems) jobs."""
    if args.hedgewars_clips <= 0:
        return None
    present = packages_with_speech(args.split) & set(REFERENCE_EXCLUDED)
    if not present:
        return {"note": f"The {args.split} split has no {', '.join(REFERENCE_EXCLUDED)} "
                        "speech, so there is no separate table for it."}
    only = tuple(s for s in HEDGEWARS_SYSTEMS if s in peers)
    clips = list(mixtures(args.hedgewars_clips, snrs, seed=args.seed, split=args.split,
                          speech_packages=REFERENCE_EXCLUDED))
    rows = run([(c, only) for c in clips])
    systems = ["noisy"] + list(only)
    agg = aggregate(rows, systems, keys=HEDGEWARS_KEYS, n_boot=args.boot, seed=args.seed)
    return {"systems": systems, "aggregate": {"all": agg["all"]}, "clips": rows}


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m percepnet_eval.quality", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=EVAL_SPLITS, default="test",
                    help="test: held-out speakers and noise files; holdout: leave-source-out "
                         "packages (default test)")
    ap.add_argument("--clips", type=int, default=120, help="number of mixtures (>= 120 for "
                    "the headline table)")
    ap.add_argument("--snrs", default=",".join(str(s) for s in SNRS),
                    help="comma-separated SNRs in dB (default %(default)s)")
    ap.add_argument("--seed", type=int, default=4321)
    ap.add_argument("--boot", type=int, default=1000, help="bootstrap resamples for the "
                    "95 %% intervals (default %(default)s)")
    ap.add_argument("--hedgewars-clips", type=int, default=12, help="mixtures of the "
                    "excluded hedgewars voices for their own table (0: none)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes")
    ap.add_argument("--score-cache", default=None, metavar="DIR",
                    help="keep each system's per-clip scores in DIR and reuse them in later "
                         "runs (keyed by system version, weights and clip samples), so a new "
                         "model is scored without rerunning the peers")
    ap.add_argument("--systems", default=",".join(SYSTEM_ORDER),
                    help=f"comma-separated subset of {','.join(SYSTEM_ORDER)}; "
                         "ours:WEIGHTS adds our model with another weights file")
    ap.add_argument("--out", help="markdown report (default docs/quality.md for the test "
                    "split, docs/quality-SPLIT.md otherwise)")
    ap.add_argument("--json", help="per-clip scores (default beside --out, .json; '' for none)")
    ap.add_argument("--figure", help="spectrogram figure (default beside --out, .png; '' for "
                    "none)")
    args = ap.parse_args(argv)
    names = tuple(s for s in args.systems.split(",") if s)
    bad = [s for s in names if s not in SYSTEM_ORDER and not s.startswith("ours:")]
    if bad:
        ap.error(f"unknown system(s) {bad}; known: {', '.join(SYSTEM_ORDER)}")
    if args.clips < 1:
        ap.error(f"--clips must be >= 1, got {args.clips}")
    try:
        snrs = tuple(float(v) for v in args.snrs.split(",") if v.strip())
    except ValueError:
        ap.error(f"--snrs must be comma-separated numbers, got {args.snrs!r}")
    if not snrs:
        ap.error("--snrs is empty")
    snrs = tuple(int(v) if v == int(v) else v for v in snrs)
    stem = "docs/quality" + ("" if args.split == "test" else f"-{args.split}")
    out = args.out or stem + ".md"
    json_path = Path(out).with_suffix(".json") if args.json is None else args.json
    figure = Path(out).with_suffix(".png") if args.figure is None else args.figure
    prov = provenance("percepnet_eval.quality", argv)
    _init(names, args.score_cache)
    peers, missing = _peers
    for s, why in missing.items():
        print(f"quality: {s} missing: {why}", file=sys.stderr)
    clips = list(mixtures(args.clips, snrs, seed=args.seed, split=args.split))
    print(f"quality: {len(clips)} clips of the {args.split} split, systems "
          f"{list(peers) + ([ORACLE] if _with_oracle else [])}, {args.jobs} jobs",
          file=sys.stderr, flush=True)
    if args.jobs > 1:
        pool = ProcessPoolExecutor(args.jobs, initializer=_init,
                                   initargs=(names, args.score_cache))
        run = lambda jobs: list(pool.map(_run_clip, jobs))  # noqa: E731
    else:
        pool = None
        run = lambda jobs: [_run_clip(j) for j in jobs]  # noqa: E731
    try:
        t0 = time.perf_counter()
        rows = run(clips)
        print(f"quality: main set scored in {time.perf_counter() - t0:.0f} s",
              file=sys.stderr, flush=True)
        hedgewars = _hedgewars(args, peers, snrs, run)
    finally:
        if pool is not None:
            pool.shutdown()
    systems = ["noisy"] + list(peers) + ([ORACLE] if _with_oracle else [])
    labels = {"noisy": "noisy input", **{s: p.label for s, p in peers.items()},
              ORACLE: ORACLE_LABEL}
    agg = aggregate_by_snr(rows, systems, n_boot=args.boot, seed=args.seed)
    paired = {}
    if "ours" in systems:
        paired = paired_tables(rows, snrs, compared(systems),
                               n_boot=args.boot, seed=args.seed)
    rec = recoveries(agg, systems)
    by_ref = by_reference_quality(rows, systems, n_boot=args.boot, seed=args.seed)
    met, checks = bar_checks(paired, rec, snrs)
    peer_info = {s: {"version": p.version, "notes": p.notes, **p.extra} for s, p in peers.items()}
    if _with_oracle:
        peer_info[ORACLE] = {"version": "percepnet_wasm.oracle", "notes":
                             "enhance_oracle(clean, noisy, \"comb\"): band gains and comb "
                             "strengths computed from the clean speech, through our own "
                             "streaming pipeline; a ceiling, not a peer"}
    res = {
        "provenance": prov, "versions": _versions(peers), "seed": args.seed,
        "split": args.split, "jobs": args.jobs, "n_clips": len(rows), "snrs": list(snrs),
        "n_boot": args.boot, "systems": systems, "labels": labels,
        "peers": peer_info,
        "missing": missing,
        **set_summary(clips, rows),
        "wall_s": {s: float(np.mean([r["scores"][s]["wall_s"] for r in rows]))
                   for s in systems},
        "aggregate": agg,
        "paired": paired,
        "recovery": rec,
        "bar": {"met": met, "checks": checks},
        "by_reference": by_ref,
        "verdict": verdict(paired, rec, snrs, systems, by_ref),
        "hedgewars": hedgewars,
        "clips": rows,
    }
    out_dir = Path(out).parent
    if figure:
        ex = next((c for c in clips if c.snr_db == 5), clips[0])
        sig = {"noisy input": ex.noisy}
        for s, p in peers.items():
            sig[labels[s]] = p.fn(ex.noisy)
        if _with_oracle:
            sig[labels[ORACLE]] = _oracle(ex.clean, ex.noisy)
        sig["clean"] = ex.clean
        row = rows[ex.index]["scores"]
        cap = {labels[s]: (f"PESQ {row[s]['pesq']:.2f}  STOI {row[s]['stoi']:.2f}  "
                           f"SI-SDR {row[s]['si_sdr']:.1f} dB  OVRL {row[s]['ovrl']:.2f}")
               for s in systems}
        Path(figure).parent.mkdir(parents=True, exist_ok=True)
        spectrogram_panels(sig, RATE, figure, captions=cap,
                           title=f"Clip {ex.index} ({ex.snr_db:g} dB SNR) across systems")
        res["figure"] = os.path.relpath(figure, out_dir)
        res["figure_clip"] = ex.meta()
    out_dir.mkdir(parents=True, exist_ok=True)
    if json_path:
        Path(json_path).parent.mkdir(parents=True, exist_ok=True)
        Path(json_path).write_text(json.dumps(res, indent=1, default=float))
        res["json"] = os.path.relpath(json_path, out_dir)
    write_markdown(out, res)
    print("\n".join(res["verdict"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
