// Test-only AudioWorkletProcessor: posts its input (channel 0) in chunks of CHUNK quanta, each with
// the context frame at which it starts, so the page can record a live track for as long as it likes.
const QUANTUM = globalThis.renderQuantumSize ?? 128;
const CHUNK = 16;

class Tap extends AudioWorkletProcessor {
  constructor() {
    super();
    this.buf = new Float32Array(CHUNK * QUANTUM);
    this.pos = 0;
    this.start = 0;
  }

  process(inputs) {
    const x = inputs[0][0];
    if (this.pos === 0) this.start = currentFrame;
    for (let j = 0; j < QUANTUM; j++) this.buf[this.pos + j] = x ? x[j] : 0;
    this.pos += QUANTUM;
    if (this.pos === this.buf.length) {
      this.port.postMessage({ frame: this.start, x: this.buf }, [this.buf.buffer]);
      this.buf = new Float32Array(CHUNK * QUANTUM);
      this.pos = 0;
    }
    return true;
  }
}
registerProcessor("tap", Tap);
