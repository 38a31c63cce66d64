// Benchmark-only AudioWorkletProcessor: records input 0 and input 1 sample-synchronously, but
// only in `windows` ({start, a, b}: start in samples since its first quantum, a and b
// Float32Arrays over SharedArrayBuffers that the page made, so that the audio thread allocates
// nothing), so that a long soak keeps a few seconds instead of minutes; posts {firstFrame} after
// the last one (firstFrame: the context frame of its first quantum).
// The render quantum: 128, or the context's renderSizeHint (a global of this scope where supported).
const QUANTUM = globalThis.renderQuantumSize ?? 128;

class WindowRecorder extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.windows = options.processorOptions.windows;
    this.end = Math.max(...this.windows.map((w) => w.start + w.a.length));
    this.pos = 0;
    this.firstFrame = -1;   // currentFrame of the first quantum: window starts are relative to it
  }

  process(inputs) {
    if (this.pos >= this.end) return false;
    if (this.firstFrame < 0) this.firstFrame = currentFrame;
    const [x, y] = [inputs[0][0], inputs[1][0]];
    for (const w of this.windows) {
      const lo = Math.max(this.pos, w.start), hi = Math.min(this.pos + QUANTUM, w.start + w.a.length);
      for (let t = lo; t < hi; t++) {
        w.a[t - w.start] = x ? x[t - this.pos] : 0;
        w.b[t - w.start] = y ? y[t - this.pos] : 0;
      }
    }
    this.pos += QUANTUM;
    if (this.pos >= this.end) this.port.postMessage({ firstFrame: this.firstFrame });
    return true;
  }
}
registerProcessor("window-recorder", WindowRecorder);
