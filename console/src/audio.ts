// Microphone / WAV capture through the `pcm-capture` worklet, and gapless playback of the
// response audio with exact "how much was heard" bookkeeping for barge-in truncation.

import { rmsDb } from "./pcm";

/** The sample rate of everything the console sends and plays: PCM16 at 24 kHz. */
export const SAMPLE_RATE_HZ = 24000;
/** Samples per `input_audio_buffer.append`: 40 ms at 24 kHz. */
export const BLOCK_SAMPLES = 960;

/** Captures audio from the microphone and/or a decoded file as 40 ms blocks of 24 kHz floats. */
export class Capture {
  private node: AudioWorkletNode | null = null;
  private mic: MediaStream | null = null;
  private micSource: MediaStreamAudioSourceNode | null = null;
  private file: AudioBufferSourceNode | null = null;
  /** Level of the last block, in dBFS. */
  levelDb = -100;

  constructor(
    private readonly ctx: AudioContext,
    private readonly onBlock: (block: Float32Array) => void,
  ) {}

  /** Loads the worklet and starts the block stream (silence until a source is connected). */
  async start(workletUrl: string): Promise<void> {
    if (this.node) return;
    await this.ctx.audioWorklet.addModule(workletUrl);
    const node = new AudioWorkletNode(this.ctx, "pcm-capture", {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      channelCount: 1,
      channelCountMode: "explicit",
      processorOptions: { blockSize: BLOCK_SAMPLES },
    });
    node.port.onmessage = (e: MessageEvent<Float32Array>) => {
      this.levelDb = rmsDb(e.data);
      this.onBlock(e.data);
    };
    // A node is only rendered when it leads to the destination; the gain keeps it silent.
    const mute = this.ctx.createGain();
    mute.gain.value = 0;
    node.connect(mute).connect(this.ctx.destination);
    this.node = node;
  }

  /** Whether the microphone is on. */
  get micOn(): boolean {
    return this.mic !== null;
  }

  /** Opens the microphone. `browserEc` asks the browser for its own echo cancellation. */
  async startMic(browserEc: boolean): Promise<void> {
    if (!this.node || this.mic) return;
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: {
        channelCount: 1,
        echoCancellation: browserEc,
        noiseSuppression: false,
        autoGainControl: true,
      },
    });
    this.mic = stream;
    this.micSource = this.ctx.createMediaStreamSource(stream);
    this.micSource.connect(this.node);
  }

  /** Closes the microphone. */
  stopMic(): void {
    this.micSource?.disconnect();
    this.micSource = null;
    for (const t of this.mic?.getTracks() ?? []) t.stop();
    this.mic = null;
  }

  /** Plays a decoded file into the capture (not to the speakers); resolves when it ends. */
  playFile(buffer: AudioBuffer): Promise<void> {
    if (!this.node) return Promise.reject(new Error("not connected"));
    this.file?.stop();
    const src = this.ctx.createBufferSource();
    src.buffer = buffer;
    src.connect(this.node);
    this.file = src;
    return new Promise((resolve) => {
      src.onended = () => {
        src.disconnect();
        if (this.file === src) this.file = null;
        resolve();
      };
      src.start();
    });
  }

  /** Stops everything. */
  stop(): void {
    this.stopMic();
    this.file?.stop();
    this.file = null;
    if (this.node) {
      this.node.port.postMessage("stop");
      this.node.disconnect();
      this.node = null;
    }
  }
}

interface Scheduled {
  itemId: string;
  source: AudioBufferSourceNode;
  start: number;
  duration: number;
}

/** What a barge-in cut off: the item and how much of its audio had been played. */
export interface Interrupted {
  itemId: string;
  playedMs: number;
}

/** Gapless playback of 24 kHz chunks, scheduled back to back on the context clock. */
export class Player {
  private queue: Scheduled[] = [];
  private next = 0;
  private played = new Map<string, number>();
  /** Chunks received and samples scheduled, for the status line and tests. */
  chunks = 0;
  samples = 0;
  muted = false;

  constructor(private readonly ctx: AudioContext) {}

  /** Schedules `samples` of item `itemId` after whatever is queued. */
  push(itemId: string, samples: Float32Array): void {
    this.chunks++;
    this.samples += samples.length;
    if (samples.length === 0) return;
    const buf = this.ctx.createBuffer(1, samples.length, SAMPLE_RATE_HZ);
    buf.getChannelData(0).set(samples);
    const src = this.ctx.createBufferSource();
    src.buffer = buf;
    const gain = this.ctx.createGain();
    gain.gain.value = this.muted ? 0 : 1;
    src.connect(gain).connect(this.ctx.destination);
    const now = this.ctx.currentTime;
    const start = Math.max(now + 0.02, this.next);
    src.start(start);
    const entry: Scheduled = { itemId, source: src, start, duration: buf.duration };
    src.onended = () => {
      const i = this.queue.indexOf(entry);
      if (i >= 0) {
        this.queue.splice(i, 1);
        this.played.set(itemId, (this.played.get(itemId) ?? 0) + entry.duration);
      }
    };
    this.queue.push(entry);
    this.next = start + buf.duration;
  }

  /** Whether audio is queued or playing. */
  get busy(): boolean {
    return this.queue.length > 0;
  }

  /** Seconds of audio still queued. */
  get pendingSeconds(): number {
    return Math.max(0, this.next - this.ctx.currentTime);
  }

  /** Stops playback at once. Returns the item that was cut off, with the ms actually played. */
  clear(): Interrupted | null {
    const now = this.ctx.currentTime;
    let cut: Interrupted | null = null;
    for (const entry of this.queue) {
      const heard = Math.min(entry.duration, Math.max(0, now - entry.start));
      const total = (this.played.get(entry.itemId) ?? 0) + heard;
      this.played.set(entry.itemId, total);
      cut ??= { itemId: entry.itemId, playedMs: 0 };
      entry.source.onended = null;
      entry.source.stop();
    }
    if (cut) cut.playedMs = Math.floor((this.played.get(cut.itemId) ?? 0) * 1000);
    this.queue = [];
    this.next = 0;
    return cut;
  }
}
