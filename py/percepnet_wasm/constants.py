"""Frame constants of the PercepNet pipeline: everything else derives from these.

All sizes are in samples at ``SAMPLE_RATE`` unless the name says otherwise.
``worklet/constants.js`` carries the same values for JavaScript; a test checks they agree.
"""

SAMPLE_RATE = 48_000                    # Hz; the core only ever sees 48 kHz mono
FRAME_SIZE = 480                        # hop: 10 ms
WINDOW_SIZE = 2 * FRAME_SIZE            # 20 ms analysis/synthesis window, 50 % overlap
FREQ_SIZE = FRAME_SIZE + 1              # rfft bins of one window, 50 Hz apart
BIN_HZ = SAMPLE_RATE / WINDOW_SIZE      # 50 Hz

NB_BANDS = 34                           # triangular ERB-like bands
BAND_CENTRES = (                        # band centres, in 50 Hz bins, 0 Hz .. 20 kHz
    0, 2, 4, 6, 8, 10, 12, 15, 18, 21, 24, 28, 32, 36, 41, 47, 53, 60,
    68, 77, 87, 98, 110, 124, 140, 157, 176, 198, 223, 251, 282, 317, 356, 400,
)

PITCH_MIN_PERIOD = 60                   # samples: 800 Hz
PITCH_MAX_PERIOD = 768                  # samples: 62.5 Hz
COMB_TAPS = 5                           # K: the comb filter reaches ±K pitch periods

LOOKAHEAD_FRAMES = 2                    # the network sees two frames into the future
ALGORITHMIC_DELAY = FRAME_SIZE + LOOKAHEAD_FRAMES * FRAME_SIZE   # 1440 samples = 30 ms

NB_FEATURES = 2 * NB_BANDS + 2          # 34 log energies, 34 coherences, period, correlation

EPS = 1e-20                             # added to energies before a ratio or a root: silence stays finite

# Voice-activity events (percepnet_wasm.vad, worklet/vad.js): hysteresis on the network's per-frame
# speech probability. Speech starts after VAD_START_FRAMES frames in a row at >= VAD_ON and ends after
# VAD_HANGOVER_FRAMES frames in a row below VAD_OFF (so a pause between words is not an end).
VAD_ON = 0.75
VAD_OFF = 0.35
VAD_START_FRAMES = 2                    # 20 ms
VAD_HANGOVER_FRAMES = 20                # 200 ms
# Noisy microphone: the input's level (dBFS, mean square) averaged over frames without speech
# (one-pole, time constant NOISE_TAU_FRAMES) is above NOISY_MIC_DB, after at least
# NOISE_MIN_FRAMES such frames; it clears NOISY_MIC_HYSTERESIS_DB below.
NOISY_MIC_DB = -45.0
NOISY_MIC_HYSTERESIS_DB = 5.0
NOISE_TAU_FRAMES = 100                  # 1 s
NOISE_MIN_FRAMES = 100                  # 1 s of non-speech before the first verdict
