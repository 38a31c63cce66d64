"""Voice-activity events (percepnet_wasm.vad) on a clip whose speech segments are known by
construction, the hysteresis alone on made-up probabilities, and ``enhance --vad``.

The clip (tests/vad_clip.py): 0.8 s of digital silence, 0.8 s of the example noise alone, the
first utterance of ``examples/speech.wav`` in the same noise, and 1.2 s of noise alone, with the
labelled onset and end known by construction. The model may
be retrained: the tolerances (30 ms at the onset, the hangover plus 100 ms at the end) hold for
any model that says "speech" within a frame or two of it.
"""
import csv

import numpy as np
import pytest
import soundfile as sf

from percepnet_wasm import vad as v
from percepnet_wasm.cli import main
from percepnet_wasm.constants import FRAME_SIZE, SAMPLE_RATE, VAD_HANGOVER_FRAMES, VAD_OFF, VAD_ON
from percepnet_wasm.worker import has_shipped_weights
from vad_clip import FRAME_S, make_clip, native_events


@pytest.fixture(scope="module")
def clip():
    return make_clip()


@pytest.mark.skipif(not has_shipped_weights(), reason="needs the shipped weights")
def test_speech_events_on_a_clip_with_known_segments(clip):
    x = clip["noisy"]
    events, _ = native_events(x)
    speech = [(k, f * FRAME_S) for k, f in events if k in ("start", "end")]
    assert [k for k, _ in speech] == ["start", "end"], speech          # no chatter in silence or noise
    (_, t_on), (_, t_off) = speech
    print({"onset_s": t_on, "labelled_onset_s": clip["onset"], "end_s": t_off, "labelled_end_s": clip["end"]})
    assert abs(t_on - clip["onset"]) <= 0.030, (t_on, clip["onset"])
    assert clip["end"] - 0.1 <= t_off <= clip["end"] + 0.1, (t_off, clip["end"])
    # the end is confirmed a hangover after t_off, still inside the clip
    assert t_off + VAD_HANGOVER_FRAMES * FRAME_S < len(x) / SAMPLE_RATE


def test_hysteresis_on_made_up_probabilities():
    silence = np.full(FRAME_SIZE, 1e-3, np.float32)       # -60 dBFS
    level = v.level_db(silence)
    tracker = v.VoiceActivity()
    seq = ([0.1] * 10 + [VAD_ON, 0.5] * 5                  # single frames over VAD_ON: no start
           + [0.9, 0.9]                                    # two in a row: start, dated at the first
           + [0.1] * (VAD_HANGOVER_FRAMES - 1) + [VAD_OFF]  # a pause shorter than the hangover: no end
           + [0.2] * VAD_HANGOVER_FRAMES + [0.1] * 5)      # a long one: end, dated at its first frame
    got = [(k, tracker.update(p, level)) for k, p in enumerate(seq)]
    got = [(k, e) for k, e in got if e]
    start = 20
    end = start + 2 + VAD_HANGOVER_FRAMES
    assert got == [(start + 1, v.SPEECH_START), (end + VAD_HANGOVER_FRAMES - 1, v.SPEECH_END)]
    assert tracker.onset == start and tracker.offset == end
    assert v.VoiceActivity().update(float("nan"), level) == 0           # no model: no events


def test_noisy_microphone_while_nobody_speaks():
    rng = np.random.default_rng(3)
    tracker = v.VoiceActivity()
    loud = rng.standard_normal(FRAME_SIZE).astype(np.float32) * 0.02    # -34 dBFS
    quiet = loud * 0.01                                                  # -74 dBFS
    flags = [tracker.update(0.05, v.level_db(loud)) for _ in range(150)]
    assert flags.index(v.NOISY_ON) == 99 and tracker.noisy               # after 1 s of non-speech
    for _ in range(300):                                                 # speech does not count
        tracker.update(0.95, v.level_db(quiet))
    assert tracker.noisy
    flags = [tracker.update(0.05, v.level_db(quiet)) for _ in range(300)]
    assert v.NOISY_OFF in flags and not tracker.noisy
    assert v.level_db(np.zeros(FRAME_SIZE, np.float32)) == v.SILENCE_DB


@pytest.mark.skipif(not has_shipped_weights(), reason="needs the shipped weights")
def test_enhance_writes_the_vad_csv(clip, tmp_path):
    src, out, csv_path = tmp_path / "in.wav", tmp_path / "out.wav", tmp_path / "vad.csv"
    x = clip["noisy"][:SAMPLE_RATE * 2 + 123]
    sf.write(src, x, SAMPLE_RATE, subtype="FLOAT")
    assert main(["enhance", str(src), str(out), "--vad", str(csv_path)]) == 0
    rows = list(csv.reader(csv_path.open()))
    assert rows[0] == ["time_s", "probability"]
    assert len(rows) - 1 == -(-len(x) // FRAME_SIZE)
    assert [float(r[0]) for r in rows[1:4]] == [0.0, 0.01, 0.02]
    prob = np.array([float(r[1]) for r in rows[1:]])
    assert np.all((prob >= 0) & (prob <= 1))
    assert main(["enhance", str(src), str(src.with_name("o.wav")), "--vad", str(src)]) == 1   # never the input
