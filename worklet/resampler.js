// Streaming rational-ratio resampler for the audio thread.
//
// Pure JavaScript, no Web Audio: tested without a browser. All buffers are
// allocated in the constructor; process() allocates nothing.
//
// Output sample k sits at input time tau_k = k * inRate / outRate, delayed by
// `halfWidth` input samples so that it only needs inputs up to floor(tau_k):
//   y[k] = sum_{t=0}^{2W-1} x[i0 - t] * h(t - W + f),   i0 = floor(tau_k), f = tau_k - i0
// with h a Kaiser-windowed sinc low-pass at CUTOFF x the lower Nyquist. With the
// ratio reduced to p/q, tau_k has exactly q distinct fractional parts, so the
// kernel table holds one row per phase (at most MAX_PHASES, else quantised).
//
// The kernel is long (128 taps at the output rate, 1.5 ms of delay each way at
// 44.1 kHz) because the network hears the top of the band: with 32 taps the
// 44.1 -> 48 kHz input already fell 4 dB at 20 kHz and 11 dB at 21 kHz, and that
// roll-off made the shipped model leave ~10 dB more noise for a second or two
// after speech (tests/browser/test_call.py failed on it, 2026-12-03). Now the
// passband is flat (within 0.1 dB) to 20 kHz, -1.2 dB at 21 kHz, and aliases are
// more than 90 dB down (bridge.test.mjs checks all three). Cost: ~12 M
// multiply-adds a second in all.

const MAX_PHASES = 1024;
const HALF_TAPS = 64;      // half the kernel length at the output rate (the delay, in input samples, when upsampling)
const BETA = 10;           // Kaiser window shape: ~100 dB stopband
const CUTOFF = 0.97;       // of the lower Nyquist (-6 dB point)

function gcd(a, b) {
  while (b) [a, b] = [b, a % b];
  return a;
}

function besselI0(x) {                       // modified Bessel function, for the Kaiser window
  let sum = 1, term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) * (x / (2 * k));
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

export class Resampler {
  /**
   * @param {number} inRate  input sample rate, Hz (integer)
   * @param {number} outRate output sample rate, Hz (integer)
   * @param {number} maxIn   the most input samples one process() call will be given
   * @param {object} [opts]  halfTaps, beta, cutoff: the kernel (defaults HALF_TAPS, BETA, CUTOFF)
   */
  constructor(inRate, outRate, maxIn, { halfTaps = HALF_TAPS, beta = BETA, cutoff: relCutoff = CUTOFF } = {}) {
    if (!(Number.isInteger(inRate) && Number.isInteger(outRate) && inRate > 0 && outRate > 0)) {
      throw new RangeError(`Resampler: rates must be positive integers (got ${inRate}, ${outRate})`);
    }
    const g = gcd(inRate, outRate);
    this.inRate = inRate;
    this.p = inRate / g;                     // tau_k = k * p / q
    this.q = outRate / g;
    const cutoff = relCutoff * Math.min(1, outRate / inRate);   // of the input Nyquist
    const W = Math.ceil(halfTaps / Math.min(1, outRate / inRate));
    this.halfWidth = W;                      // delay, in input samples
    this.taps = 2 * W;
    this.phases = Math.min(this.q, MAX_PHASES);
    this.kernel = new Float32Array(this.phases * this.taps);
    for (let ph = 0; ph < this.phases; ph++) {
      const f = ph / this.phases;
      let sum = 0;
      for (let t = 0; t < this.taps; t++) {
        const d = t - W + f;                 // distance from the output instant, input samples
        const x = cutoff * d;
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
        const r = d / W;
        const win = Math.abs(r) < 1 ? besselI0(beta * Math.sqrt(1 - r * r)) / besselI0(beta) : 0;
        const v = cutoff * sinc * win;
        this.kernel[ph * this.taps + t] = v;
        sum += v;
      }
      for (let t = 0; t < this.taps; t++) this.kernel[ph * this.taps + t] /= sum;   // unity DC gain
    }
    // history: x[inCount - hist.length + j] at hist[j]; the newest inputs at the end
    this.hist = new Float32Array(this.taps + maxIn);
    this.maxIn = maxIn;
    this.inCount = 0;                        // inputs consumed so far
    this.outCount = 0;                       // outputs produced so far
    this.filled = this.taps;                 // valid samples in hist (zeros count as past input)
  }

  /** Latency in seconds: output k stands for input time k * inRate / outRate - halfWidth. */
  get delaySeconds() {
    return this.halfWidth / this.inRate;
  }

  /** How many new input samples are needed to produce `n` more outputs. */
  inputNeeded(n) {
    const last = this.outCount + n - 1;      // index of the last output wanted
    const need = Math.floor((last * this.p) / this.q) + 1;
    return Math.max(0, need - this.inCount);
  }

  /**
   * Consume `inN` samples of `input` and write every output they complete into `output`.
   * @returns {number} the number of outputs written
   */
  process(input, inN, output) {
    if (inN > this.maxIn) throw new RangeError(`Resampler: ${inN} inputs > maxIn ${this.maxIn}`);
    const hist = this.hist, taps = this.taps, kernel = this.kernel;
    const base = taps;                       // hist[base + j] = new input j
    for (let j = 0; j < inN; j++) hist[base + j] = input[j];
    const total = this.inCount + inN;        // inputs available: indices < total
    let written = 0;
    for (;;) {
      const k = this.outCount;
      const num = k * this.p;
      const i0 = Math.floor(num / this.q);
      if (i0 >= total) break;
      const phase = Math.floor(((num - i0 * this.q) * this.phases) / this.q);
      const row = phase * taps;
      const end = base + (i0 - this.inCount);   // position of x[i0] in hist
      let acc = 0;
      for (let t = 0; t < taps; t++) acc += hist[end - t] * kernel[row + t];
      output[written++] = acc;
      this.outCount = k + 1;
    }
    // keep the newest `taps` samples at the front for the next call
    hist.copyWithin(0, inN, inN + taps);
    this.inCount = total;
    return written;
  }
}
