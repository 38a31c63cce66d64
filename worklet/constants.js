// Frame constants shared by the worklet, the worker and the public API.
// The first block carries values of py/percepnet_wasm/constants.py: build.py (check_js_constants)
// and tests/browser/test_constants.py import this module under Node and compare the values.
// The second block is the browser bridge's own and is defined only here.

export const SAMPLE_RATE = 48000;          // Hz: the core only ever sees 48 kHz mono
export const FRAME_SIZE = 480;             // samples per Python frame (10 ms hop)
export const WINDOW_SIZE = 960;
export const NB_BANDS = 34;
export const NB_FEATURES = 70;
export const ALGORITHMIC_DELAY = 1440;     // samples: output n of the Denoiser is input n - 1440
// Voice-activity events (vad.js; percepnet_wasm/vad.py): hysteresis on the per-frame speech probability.
export const VAD_ON = 0.75;                // speech starts after VAD_START_FRAMES frames in a row >= VAD_ON
export const VAD_OFF = 0.35;               // ... and ends after VAD_HANGOVER_FRAMES frames in a row < VAD_OFF
export const VAD_START_FRAMES = 2;         // 20 ms
export const VAD_HANGOVER_FRAMES = 20;     // 200 ms
export const NOISY_MIC_DB = -45;           // noisy microphone: mean level (dBFS) of frames without speech above this
export const NOISY_MIC_HYSTERESIS_DB = 5;  // ... clears this much lower
export const NOISE_TAU_FRAMES = 100;       // the average's time constant (1 s)
export const NOISE_MIN_FRAMES = 100;       // non-speech frames before the first verdict

// --- bridge (browser only) -------------------------------------------------
export const RENDER_QUANTUM = 128;         // Web Audio's default render quantum, samples
// Fixed worklet<->worker delay D (48 kHz samples) per kind of context, chosen by measurement:
// the reasoning is in docs/browser.md ("Latency"), the soaks in docs/soaks/README.md.
// Each must be >= FRAME_SIZE - gcd(quantum, FRAME_SIZE) (minBridgeDelay in bridge.js).
export const BRIDGE_DELAY = 1280;          // 10 ms callbacks of 128-sample quanta ("interactive"): docs/soaks/soak.md
export const BRIDGE_DELAY_LOW = 720;       // 128-sample quanta and callbacks (latencyHint 0): docs/soaks/soak-720.md, soak-busy.md
export const BRIDGE_DELAY_ALIGNED = 480;   // one-frame quanta (createAudioContext): docs/soaks/soak-aligned*.md
export const SMALL_CALLBACK = 256;         // 48 kHz samples per device callback, at most, for BRIDGE_DELAY_LOW
export const TOTAL_LATENCY = ALGORITHMIC_DELAY + BRIDGE_DELAY;   // 2720 samples = 56.7 ms
export const TOTAL_LATENCY_LOW = ALGORITHMIC_DELAY + BRIDGE_DELAY_LOW;   // 2160 samples = 45.0 ms
export const TOTAL_LATENCY_ALIGNED = ALGORITHMIC_DELAY + BRIDGE_DELAY_ALIGNED;   // 1920 samples = 40.0 ms
export const RING_CAPACITY = 8192;         // samples per ring, each way (> 4 frames of slack)
export const CROSSFADE = 128;              // samples of wet<->dry crossfade (2.7 ms)

// Control block: an Int32Array over a SharedArrayBuffer, indices below.
export const CTRL = Object.freeze({
  STOP: 0,            // main -> worker: workers of this generation or older leave the frame loop
  INPUT_SEQ: 1,       // worklet -> worker: bumped + notified after each push
  FRAMES: 2,          // worker: frames processed
  HEARTBEAT: 3,       // worker: bumped on every loop turn (also while idle)
  ENABLED: 4,         // main -> worklet: 1 = wet, 0 = dry (crossfaded)
  UNDERRUNS: 5,       // worklet: quanta that had to use the dry path
  PARAM_SEQ: 6,       // main -> worker: bumped when PARAMS changed
  READY: 7,           // worker: its generation (1, 2, ... one per restart) once Python is ready for frames
  EARLY_FADES: 8,     // worklet: quanta faded to dry because the wet samples for the next one were not there yet
  LENGTH: 9,
});
// Float parameters: a Float32Array over its own SharedArrayBuffer.
export const PARAM = Object.freeze({
  ATTENUATION_LIMIT_DB: 0,   // main -> worker; Infinity = no limit
  VAD: 1,                    // worker -> main: last voice-activity probability
  WASM_BYTES: 2,             // worker -> main: size of Pyodide's wasm memory (the Python heap), bytes
  SPEAKING: 3,               // worker -> main: 1 while speech is on (vad.js hysteresis), else 0
  NOISE_DB: 4,               // worker -> main: input level without speech (dBFS, averaged); NaN until known
  NOISY: 5,                  // worker -> main: 1 while the microphone is noisy, else 0
  LENGTH: 6,
});
export const TIMING_SLOTS = 1024;          // worker writes ms/frame into a ring of this many floats
export const IDLE_WAIT_MS = 100;           // the worker's longest wait for input: it notices STOP and beats its heartbeat this often
