// Test-only AudioWorkletProcessor: records input 0 and input 1 sample-synchronously
// (same render quantum), then posts both arrays once `length` samples are in.
// The render quantum: 128, or the context's renderSizeHint (a global of this scope where supported).
const QUANTUM = globalThis.renderQuantumSize ?? 128;

class TwoInputRecorder extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const n = options.processorOptions.length;
    this.a = new Float32Array(n);
    this.b = new Float32Array(n);
    this.pos = 0;
  }

  process(inputs) {
    if (this.pos >= this.a.length) return false;
    const n = Math.min(QUANTUM, this.a.length - this.pos);
    const [x, y] = [inputs[0][0], inputs[1][0]];
    for (let j = 0; j < n; j++) {
      this.a[this.pos + j] = x ? x[j] : 0;
      this.b[this.pos + j] = y ? y[j] : 0;
    }
    this.pos += n;
    if (this.pos >= this.a.length) this.port.postMessage({ a: this.a, b: this.b }, [this.a.buffer, this.b.buffer]);
    return true;
  }
}
registerProcessor("two-input-recorder", TwoInputRecorder);
