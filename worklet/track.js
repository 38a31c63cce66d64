// denoiseTrack: a microphone MediaStreamTrack in, a denoised MediaStreamTrack out (for
// RTCPeerConnection), with the AudioContext, the node and their release handled.

import { createAudioContext } from "./context.js";
import { createPercepNetNode } from "./create.js";

// How often denoiseTrack looks whether the page stopped either track (stop() fires no event).
const TRACK_POLL_MS = 250;

/**
 * Denoise a microphone track: returns a new MediaStreamTrack for RTCPeerConnection.addTrack /
 * RTCRtpSender.replaceTrack, and `stop()`, which releases the node, the worker and (if this
 * call made it) the AudioContext, and `restart()`, the node's restart() (new worker, same
 * processed track). The input track is left running, but once it ends (the page stops it,
 * the device goes away) or the page stops the processed track, the session stops itself.
 *
 * @param {MediaStreamTrack} track
 * @param {object} [options] createPercepNetNode options, plus `context` (an AudioContext to use)
 * @returns {Promise<{track: MediaStreamTrack, node: PercepNetNode, context: AudioContext,
 *   stop: () => Promise<void>, restart: () => Promise<{state: string, reason: string}>}>}
 */
export async function denoiseTrack(track, options = {}) {
  if (!track || track.kind !== "audio") throw new TypeError(`denoiseTrack needs an audio MediaStreamTrack (was ${track && track.kind})`);
  const owned = !options.context;
  const context = options.context ?? createAudioContext();    // the smallest bridge delay
  const source = context.createMediaStreamSource(new MediaStream([track]));
  const node = await createPercepNetNode(context, options);
  const dest = context.createMediaStreamDestination();
  dest.channelCount = 1;
  source.connect(node).connect(dest);
  if (context.state === "suspended") await context.resume().catch(() => {});
  const processed = dest.stream.getAudioTracks()[0];
  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    clearInterval(watch);
    source.disconnect();
    node.destroy();
    processed.stop();
    if (owned) await context.close();
  }
  const watch = setInterval(() => {
    if (track.readyState === "ended" || processed.readyState === "ended") stop();
  }, TRACK_POLL_MS);
  async function restart() {
    if (stopped) throw new Error("restart(): the track was stopped");
    return node.restart();
  }
  return { track: processed, node, context, stop, restart };
}
