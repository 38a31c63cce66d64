// Frame constants shared by the worklet, the worker and the public API.
// The first block mirrors py/percepnet_wasm/constants.py; build.py and
// tests/browser/test_constants.py refuse any difference. The second block is
// the browser bridge's own and is defined only here.

export const SAMPLE_RATE = 48000;          // Hz: the core only ever sees 48 kHz mono
export const FRAME_SIZE = 480;             // samples per Python frame (10 ms hop)
export const WINDOW_SIZE = 960;
export const NB_BANDS = 34;
export const NB_FEATURES = 70;
export const ALGORITHMIC_DELAY = 1440;     // samples: output n of the Denoiser is input n - 1440

// --- bridge (browser only) -------------------------------------------------
export const RENDER_QUANTUM = 128;         // Web Audio's default render quantum, samples
// Fixed worklet<->worker delay D (48 kHz samples), chosen by measurement, per
// render quantum and device callback (AudioContext.renderQuantumSize, baseLatency).
// A frame can only be sent once the quantum holding its last sample is in, so
// D - 479 samples are left for the worker's compute plus the render burst of
// one device callback, whose quanta are rendered back to back.
// - Aligned quanta (createAudioContext: renderSizeHint = one 10 ms frame, 480
//   samples at 48 kHz, one quantum per device callback): each quantum carries
//   exactly one frame, so D = 480 leaves the worker one whole quantum (10 ms)
//   after the frame's last sample: three 10-minute soaks with a core busy had
//   0, 1 and 0 underruns and no early fade, a quiet one none
//   (docs/soak-aligned*.md). A third of a frame (160 samples) with D = 640
//   leaves two quanta of 3.3 ms: 2 underruns, 80 early fades in the same soak
//   (docs/soak-160-busy.md).
// - 128-sample quanta and callbacks (latencyHint: 0 without renderSizeHint):
//   480 is not a multiple of 128, so a frame ends up to 127 samples into a
//   quantum; D = 640 leaves half the frames one quantum (2.7 ms): 18 underruns
//   in 60 s with a core busy. D = 720 leaves every frame two quanta (5.3 ms)
//   and is the most that keeps the end-to-end latency within 45 ms
//   (10-minute soaks: docs/soak-720.md, docs/soak-busy.md).
// - Callbacks of 10 ms (Chromium's "interactive" on Linux: 480 samples, up to
//   557 at 44.1 kHz): D = 1024 (shared/BROWSER.md's start) gave 15 underruns
//   per 10 s on a loaded 2-core machine, D = 1280 gave 2-3 there, none idle.
// Must be >= FRAME_SIZE - RENDER_QUANTUM.
export const BRIDGE_DELAY = 1280;
export const BRIDGE_DELAY_LOW = 720;
export const BRIDGE_DELAY_ALIGNED = 480;
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
  LENGTH: 3,
});
export const TIMING_SLOTS = 1024;          // worker writes ms/frame into a ring of this many floats
