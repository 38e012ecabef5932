// The vl-server browser console: a reference client of the Voice Live realtime protocol
// (protocol.md). Everything it does goes over the same WebSocket API any other client uses.

import { AvatarPeer, type IceServer } from "./avatar";
import { BLOCK_SAMPLES, Capture, Player, SAMPLE_RATE_HZ } from "./audio";
import { EventLog } from "./log";
import { floatToPcm16Base64, pcm16Base64ToFloat } from "./pcm";

/** The api-version the console speaks (the SDK 1.3.x default). */
const API_VERSION = "2026-07-15";
const WORKLET_URL = "/assets/worklet.js";

type Json = Record<string, unknown>;

function el<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`missing element #${id}`);
  return e as T;
}

const ui = {
  status: el<HTMLSpanElement>("status"),
  sessionId: el<HTMLSpanElement>("session-id"),
  apiKey: el<HTMLInputElement>("api-key"),
  model: el<HTMLInputElement>("model"),
  connect: el<HTMLButtonElement>("connect"),
  endpoint: el<HTMLParagraphElement>("endpoint"),
  mic: el<HTMLButtonElement>("mic"),
  file: el<HTMLInputElement>("file"),
  sendFile: el<HTMLButtonElement>("send-file"),
  mute: el<HTMLInputElement>("mute"),
  level: el<HTMLDivElement>("level"),
  audioStatus: el<HTMLParagraphElement>("audio-status"),
  voice: el<HTMLInputElement>("voice"),
  tdType: el<HTMLSelectElement>("td-type"),
  tdThreshold: el<HTMLInputElement>("td-threshold"),
  tdPrefix: el<HTMLInputElement>("td-prefix"),
  tdSilence: el<HTMLInputElement>("td-silence"),
  ns: el<HTMLInputElement>("ns"),
  ec: el<HTMLInputElement>("ec"),
  transcribe: el<HTMLInputElement>("transcribe"),
  instructions: el<HTMLTextAreaElement>("instructions"),
  apply: el<HTMLButtonElement>("apply"),
  commit: el<HTMLButtonElement>("commit"),
  avatarOn: el<HTMLInputElement>("avatar-on"),
  avatarCharacter: el<HTMLInputElement>("avatar-character"),
  avatarStyle: el<HTMLInputElement>("avatar-style"),
  avatarStatus: el<HTMLParagraphElement>("avatar-status"),
  avatarVideo: el<HTMLVideoElement>("avatar-video"),
  avatarAudio: el<HTMLAudioElement>("avatar-audio"),
  errors: el<HTMLDivElement>("errors"),
  transcript: el<HTMLDivElement>("transcript"),
};

const log = new EventLog(el("log"), el("log-count"), el("log-deltas"));
el<HTMLButtonElement>("log-clear").onclick = () => log.clear();

/** Counters the page keeps; the browser test reads them through `window.vlConsole`. */
const stats = {
  received: {} as Record<string, number>,
  sent: {} as Record<string, number>,
  blocksSent: 0,
  audioChunks: 0,
  audioSamples: 0,
  turnsWithAudio: 0,
  errors: [] as string[],
  avatar: "off",
};

interface Connection {
  ws: WebSocket;
  ctx: AudioContext;
  capture: Capture;
  player: Player;
  sessionId: string;
  nextEventId: number;
  lastVoice: string | null;
  avatar: AvatarPeer | null;
  avatarState: "off" | "configuring" | "offering" | "answering" | "connected" | "failed";
  avatarEventId: string | null;
  /** ms of audio received per assistant item, to tell whether a barge-in cut one short. */
  receivedMs: Map<string, number>;
  /** Items that streamed audio in the current response. */
  responseAudio: boolean;
}

let conn: Connection | null = null;

function setStatus(state: string, text: string): void {
  ui.status.dataset["state"] = state;
  ui.status.textContent = text;
}

function showError(message: string): void {
  stats.errors.push(message);
  const div = document.createElement("div");
  div.className = "error";
  div.textContent = message;
  ui.errors.append(div);
  while (ui.errors.childElementCount > 5) ui.errors.firstElementChild?.remove();
}

function send(event: Json): string {
  if (!conn || conn.ws.readyState !== WebSocket.OPEN) return "";
  const id = `evt_console_${conn.nextEventId++}`;
  const full = { event_id: id, ...event };
  conn.ws.send(JSON.stringify(full));
  const type = String(event["type"]);
  stats.sent[type] = (stats.sent[type] ?? 0) + 1;
  if (type !== "input_audio_buffer.append") log.add("out", full);
  return id;
}

// ---- session configuration ---------------------------------------------------------------

function voiceValue(name: string): unknown {
  // Azure neural voices are objects (protocol.md §4.2); OpenAI names stay bare strings.
  return /Neural$|^[a-z]{2}-[A-Z]{2}-/.test(name) ? { type: "azure-standard", name } : name;
}

function numberOr(input: HTMLInputElement, fallback: number): number {
  const v = Number(input.value);
  return Number.isFinite(v) ? v : fallback;
}

function turnDetection(): Json | null {
  const type = ui.tdType.value;
  if (type === "none") return null;
  if (type === "semantic_vad") return { type, eagerness: "auto" };
  return {
    type,
    threshold: numberOr(ui.tdThreshold, 0.5),
    prefix_padding_ms: Math.round(numberOr(ui.tdPrefix, 400)),
    silence_duration_ms: Math.round(numberOr(ui.tdSilence, 500)),
    create_response: true,
    interrupt_response: true,
  };
}

function avatarConfig(): Json {
  return {
    type: "video-avatar",
    character: ui.avatarCharacter.value.trim() || "lisa",
    style: ui.avatarStyle.value.trim() || undefined,
    customized: false,
  };
}

/** The session patch of the settings panel; `first` adds what can only be set at the start. */
function sessionPatch(first: boolean): Json {
  const session: Json = {
    modalities: ["text", "audio"],
    turn_detection: turnDetection(),
    input_audio_noise_reduction: ui.ns.checked ? { type: "azure_deep_noise_suppression" } : null,
    input_audio_echo_cancellation: ui.ec.checked ? { type: "server_echo_cancellation" } : null,
    input_audio_transcription: ui.transcribe.checked ? { model: "azure-speech" } : null,
  };
  const voice = ui.voice.value.trim();
  if (voice && voice !== conn?.lastVoice) {
    session["voice"] = voiceValue(voice);
    if (conn) conn.lastVoice = voice;
  }
  const instructions = ui.instructions.value;
  if (instructions.trim()) session["instructions"] = instructions;
  if (first) {
    session["input_audio_format"] = "pcm16";
    session["input_audio_sampling_rate"] = SAMPLE_RATE_HZ;
    session["output_audio_format"] = "pcm16";
  }
  if (ui.avatarOn.checked) session["avatar"] = avatarConfig();
  return session;
}

// ---- transcript -----------------------------------------------------------------------------

const turns = new Map<string, HTMLDivElement>();

function turn(itemId: string, role: "user" | "assistant"): HTMLDivElement {
  let div = turns.get(itemId);
  if (!div) {
    div = document.createElement("div");
    div.className = `turn ${role} pending`;
    div.dataset["itemId"] = itemId;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = role === "user" ? "you" : "assistant";
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = role === "user" ? "(speaking…)" : "…";
    div.append(who, text);
    ui.transcript.append(div);
    ui.transcript.scrollTop = ui.transcript.scrollHeight;
    turns.set(itemId, div);
  }
  return div;
}

function setText(itemId: string, role: "user" | "assistant", text: string, final: boolean): void {
  const div = turn(itemId, role);
  const span = div.querySelector<HTMLSpanElement>(".text");
  if (!span) return;
  span.textContent = text;
  if (final) div.classList.remove("pending");
}

function appendText(itemId: string, role: "user" | "assistant", delta: string): void {
  const div = turn(itemId, role);
  const span = div.querySelector<HTMLSpanElement>(".text");
  if (!span) return;
  if (div.classList.contains("pending") && !div.dataset["streaming"]) {
    span.textContent = "";
    div.dataset["streaming"] = "1";
  }
  span.textContent += delta;
  ui.transcript.scrollTop = ui.transcript.scrollHeight;
}

function note(itemId: string, text: string): void {
  const div = turns.get(itemId);
  if (!div) return;
  const span = document.createElement("span");
  span.className = "note";
  span.textContent = text;
  div.append(span);
}

// ---- server events --------------------------------------------------------------------------

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function onServerEvent(c: Connection, ev: Json): void {
  const type = str(ev["type"]);
  stats.received[type] = (stats.received[type] ?? 0) + 1;
  log.add("in", ev);
  switch (type) {
    case "session.created": {
      const session = ev["session"] as Json | undefined;
      c.sessionId = str(session?.["id"]);
      ui.sessionId.textContent = c.sessionId;
      break;
    }
    case "session.updated": {
      if (c.avatarState === "configuring") {
        const avatar = (ev["session"] as Json | undefined)?.["avatar"] as Json | undefined;
        const ice = (avatar?.["ice_servers"] as IceServer[] | undefined) ?? [];
        void startAvatar(c, ice);
      }
      break;
    }
    case "input_audio_buffer.speech_started": {
      const itemId = str(ev["item_id"]);
      bargeIn(c);
      if (itemId) turn(itemId, "user");
      break;
    }
    case "conversation.item.input_audio_transcription.delta":
      appendText(str(ev["item_id"]), "user", str(ev["delta"]));
      break;
    case "conversation.item.input_audio_transcription.completed":
      setText(str(ev["item_id"]), "user", str(ev["transcript"]), true);
      break;
    case "conversation.item.input_audio_transcription.failed":
      note(str(ev["item_id"]), "transcription failed");
      break;
    case "conversation.item.created": {
      const item = ev["item"] as Json | undefined;
      if (item?.["role"] === "user") {
        const content = (item["content"] as Json[] | undefined) ?? [];
        const text = content.map((p) => str(p["transcript"]) || str(p["text"])).join(" ").trim();
        const id = str(item["id"]);
        const div = turn(id, "user");
        if (text) setText(id, "user", text, true);
        else if (!ui.transcribe.checked) setText(id, "user", "(audio)", true);
        void div;
      }
      break;
    }
    case "response.created":
      c.responseAudio = false;
      break;
    case "response.output_item.added": {
      const item = ev["item"] as Json | undefined;
      if (item?.["type"] === "message") turn(str(item["id"]), "assistant");
      break;
    }
    case "response.audio_transcript.delta":
    case "response.text.delta":
      appendText(str(ev["item_id"]), "assistant", str(ev["delta"]));
      break;
    case "response.audio_transcript.done":
      setText(str(ev["item_id"]), "assistant", str(ev["transcript"]), true);
      break;
    case "response.text.done":
      setText(str(ev["item_id"]), "assistant", str(ev["text"]), true);
      break;
    case "response.audio.delta": {
      const itemId = str(ev["item_id"]);
      let pcm: Float32Array;
      try {
        pcm = pcm16Base64ToFloat(str(ev["delta"]));
      } catch {
        showError("response.audio.delta: invalid base64");
        break;
      }
      c.responseAudio = true;
      stats.audioChunks++;
      stats.audioSamples += pcm.length;
      c.receivedMs.set(itemId, (c.receivedMs.get(itemId) ?? 0) + (pcm.length * 1000) / SAMPLE_RATE_HZ);
      // In avatar mode the voice comes with the video over WebRTC.
      if (c.avatarState !== "connected") c.player.push(itemId, pcm);
      break;
    }
    case "response.output_item.done": {
      const item = ev["item"] as Json | undefined;
      if (item?.["type"] === "function_call") {
        const id = str(item["id"]);
        setText(id, "assistant", `[function_call ${str(item["name"])}(${str(item["arguments"])})]`, true);
      }
      break;
    }
    case "response.done": {
      const response = ev["response"] as Json | undefined;
      const status = str(response?.["status"]);
      if (status === "completed" && c.responseAudio) stats.turnsWithAudio++;
      if (status && status !== "completed") {
        for (const item of (response?.["output"] as Json[] | undefined) ?? []) note(str(item["id"]), status);
      }
      break;
    }
    case "conversation.item.truncated":
      note(str(ev["item_id"]), `truncated at ${String(ev["audio_end_ms"])} ms`);
      break;
    case "session.avatar.connecting":
      void answerAvatar(c, str(ev["server_sdp"]));
      break;
    case "session.avatar.switch_to_speaking":
    case "session.avatar.switch_to_idle":
      setAvatarStatus(c, c.avatarState, type.replace("session.avatar.switch_to_", ""));
      break;
    case "error": {
      const err = (ev["error"] as Json | undefined) ?? {};
      const code = str(err["code"]);
      const message = `${code ? `${code}: ` : ""}${str(err["message"]) || "error"}`;
      showError(message);
      const avatarPending = ["configuring", "offering", "answering"].includes(c.avatarState);
      if (c.avatarEventId && str(err["event_id"]) === c.avatarEventId) avatarFailed(c, message);
      else if (avatarPending && /avatar/i.test(`${message} ${str(err["param"])}`)) avatarFailed(c, message);
      break;
    }
    case "warning": {
      const w = (ev["warning"] as Json | undefined) ?? {};
      log.add("in", { type: "(warning shown)", message: w["message"] });
      break;
    }
    default:
      break;
  }
}

/** On `speech_started`: stop playback, and tell the server how much of the reply was heard. */
function bargeIn(c: Connection): void {
  const cut = c.player.clear();
  if (!cut) return;
  const received = c.receivedMs.get(cut.itemId) ?? 0;
  if (cut.playedMs + 1 < received) {
    send({
      type: "conversation.item.truncate",
      item_id: cut.itemId,
      content_index: 0,
      audio_end_ms: cut.playedMs,
    });
  }
}

// ---- avatar ---------------------------------------------------------------------------------

function setAvatarStatus(c: Connection | null, state: string, detail = ""): void {
  stats.avatar = state;
  ui.avatarStatus.textContent = detail ? `${state} (${detail})` : state;
  ui.avatarStatus.className = state === "failed" ? "error" : "muted";
  if (c && state !== c.avatarState && isAvatarState(state)) c.avatarState = state;
}

function isAvatarState(s: string): s is Connection["avatarState"] {
  return ["off", "configuring", "offering", "answering", "connected", "failed"].includes(s);
}

function avatarFailed(c: Connection, message: string): void {
  c.avatar?.close();
  c.avatar = null;
  ui.avatarVideo.hidden = true;
  setAvatarStatus(c, "failed", message);
}

async function startAvatar(c: Connection, ice: IceServer[]): Promise<void> {
  setAvatarStatus(c, "offering", "gathering ICE candidates");
  try {
    c.avatar?.close();
    const peer = new AvatarPeer(ice, ui.avatarVideo, ui.avatarAudio, (state) => {
      if (state === "connected") {
        ui.avatarVideo.hidden = false;
        setAvatarStatus(c, "connected");
      } else if (state === "failed" || state === "disconnected") {
        setAvatarStatus(c, "failed", `peer connection ${state}`);
      } else if (c.avatarState !== "connected") {
        setAvatarStatus(c, c.avatarState, state);
      }
    });
    c.avatar = peer;
    const clientSdp = await peer.offer();
    if (c.avatar !== peer || conn !== c) return;
    c.avatarEventId = send({ type: "session.avatar.connect", client_sdp: clientSdp });
    setAvatarStatus(c, "answering", "waiting for session.avatar.connecting");
  } catch (e) {
    avatarFailed(c, `offer failed: ${String(e)}`);
  }
}

async function answerAvatar(c: Connection, serverSdp: string): Promise<void> {
  if (!c.avatar) return;
  try {
    await c.avatar.answer(serverSdp);
    setAvatarStatus(c, "answering", "answer applied, connecting media");
    ui.avatarVideo.hidden = false;
  } catch (e) {
    avatarFailed(c, `bad server_sdp: ${String(e)}`);
  }
}

ui.avatarOn.onchange = () => {
  if (!conn) return;
  if (ui.avatarOn.checked) {
    conn.avatarState = "configuring";
    setAvatarStatus(conn, "configuring", "session.update sent");
    send({ type: "session.update", session: { avatar: avatarConfig() } });
  } else {
    conn.avatar?.close();
    conn.avatar = null;
    ui.avatarVideo.hidden = true;
    setAvatarStatus(conn, "off");
  }
};

// ---- connection -----------------------------------------------------------------------------

function realtimeUrl(): string {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const q = new URLSearchParams({ "api-version": API_VERSION, model: ui.model.value.trim() || "gpt-4o" });
  const key = ui.apiKey.value;
  const shown = `${proto}//${location.host}/voice-live/realtime?${q.toString()}`;
  ui.endpoint.textContent = key ? `${shown}&api-key=…` : shown;
  // Browsers cannot set headers on a WebSocket: the key goes in the `api-key` query parameter.
  if (key) q.set("api-key", key);
  return `${proto}//${location.host}/voice-live/realtime?${q.toString()}`;
}

async function connect(): Promise<void> {
  const ctx = new AudioContext({ sampleRate: SAMPLE_RATE_HZ });
  await ctx.resume();
  const ws = new WebSocket(realtimeUrl());
  const c: Connection = {
    ws,
    ctx,
    capture: new Capture(ctx, (block) => {
      if (conn === c && ws.readyState === WebSocket.OPEN) {
        send({ type: "input_audio_buffer.append", audio: floatToPcm16Base64(block) });
        stats.blocksSent++;
      }
    }),
    player: new Player(ctx),
    sessionId: "",
    nextEventId: 1,
    lastVoice: null,
    avatar: null,
    avatarState: "off",
    avatarEventId: null,
    receivedMs: new Map(),
    responseAudio: false,
  };
  c.player.muted = ui.mute.checked;
  conn = c;
  setStatus("connecting", "connecting");
  ui.connect.textContent = "Disconnect";
  let opened = false;
  ws.onopen = async () => {
    opened = true;
    setStatus("open", "connected");
    if (ui.avatarOn.checked) {
      c.avatarState = "configuring";
      setAvatarStatus(c, "configuring", "session.update sent");
    }
    send({ type: "session.update", session: sessionPatch(true) });
    try {
      await c.capture.start(WORKLET_URL);
    } catch (e) {
      showError(`audio worklet: ${String(e)}`);
    }
    for (const b of [ui.mic, ui.apply, ui.commit]) b.disabled = false;
    ui.sendFile.disabled = !ui.file.files?.length;
  };
  ws.onmessage = (m: MessageEvent) => {
    if (typeof m.data !== "string") return;
    let ev: unknown;
    try {
      ev = JSON.parse(m.data);
    } catch {
      showError("the server sent a frame that is not JSON");
      return;
    }
    if (ev && typeof ev === "object" && !Array.isArray(ev)) onServerEvent(c, ev as Json);
  };
  ws.onclose = (e: CloseEvent) => {
    if (conn !== c) return;
    const why = opened
      ? `closed ${e.code}${e.reason ? ` ${e.reason}` : ""}`
      : "connection refused (wrong API key → HTTP 401, or the server is down; see the server log)";
    setStatus(opened && e.code === 1000 ? "idle" : "error", why);
    if (!opened || e.code !== 1000) showError(why);
    teardown();
  };
}

function teardown(): void {
  const c = conn;
  if (!c) return;
  conn = null;
  c.capture.stop();
  c.player.clear();
  c.avatar?.close();
  if (c.ws.readyState === WebSocket.OPEN || c.ws.readyState === WebSocket.CONNECTING) c.ws.close(1000);
  void c.ctx.close();
  ui.connect.textContent = "Connect";
  ui.mic.textContent = "Start microphone";
  for (const b of [ui.mic, ui.apply, ui.commit, ui.sendFile]) b.disabled = true;
  ui.avatarVideo.hidden = true;
  if (stats.avatar !== "failed") setAvatarStatus(null, "off");
}

ui.connect.onclick = () => {
  if (conn) {
    setStatus("idle", "disconnected");
    teardown();
  } else {
    ui.errors.replaceChildren();
    void connect().catch((e) => {
      showError(`connect: ${String(e)}`);
      teardown();
    });
  }
};

ui.mic.onclick = async () => {
  const c = conn;
  if (!c) return;
  if (c.capture.micOn) {
    c.capture.stopMic();
    ui.mic.textContent = "Start microphone";
    return;
  }
  try {
    await c.capture.startMic(!ui.ec.checked);
    ui.mic.textContent = "Stop microphone";
  } catch (e) {
    showError(`microphone: ${String(e)}`);
  }
};

ui.file.onchange = () => {
  ui.sendFile.disabled = !conn || !ui.file.files?.length;
};

ui.sendFile.onclick = async () => {
  const c = conn;
  const f = ui.file.files?.[0];
  if (!c || !f) return;
  try {
    const buffer = await c.ctx.decodeAudioData(await f.arrayBuffer());
    ui.sendFile.disabled = true;
    await c.capture.playFile(buffer);
  } catch (e) {
    showError(`WAV file: ${String(e)}`);
  } finally {
    ui.sendFile.disabled = !conn;
  }
};

ui.mute.onchange = () => {
  if (conn) conn.player.muted = ui.mute.checked;
};

ui.apply.onclick = () => {
  const session = sessionPatch(false);
  if (conn && ui.avatarOn.checked && conn.avatarState !== "connected") {
    conn.avatarState = "configuring";
    setAvatarStatus(conn, "configuring", "session.update sent");
  } else {
    delete session["avatar"];
  }
  send({ type: "session.update", session });
};

ui.commit.onclick = () => {
  send({ type: "input_audio_buffer.commit" });
  send({ type: "response.create" });
};

setInterval(() => {
  const c = conn;
  if (!c) return;
  const level = Math.max(0, Math.min(100, (c.capture.levelDb + 60) * (100 / 60)));
  ui.level.style.width = `${level}%`;
  const sentS = ((stats.blocksSent * BLOCK_SAMPLES) / SAMPLE_RATE_HZ).toFixed(1);
  const queued = c.player.pendingSeconds.toFixed(1);
  ui.audioStatus.textContent =
    `sent ${sentS} s, received ${stats.audioChunks} chunks, ${queued} s queued` +
    (c.capture.micOn ? ", microphone on" : "");
}, 200);

declare global {
  interface Window {
    vlConsole: {
      stats: typeof stats;
      avatarStats: () => Promise<{ framesDecoded: number; fps: number; audioPackets: number; audioEnergy: number } | null>;
    };
  }
}

window.vlConsole = {
  stats,
  avatarStats: async () => (conn?.avatar ? conn.avatar.inbound() : null),
};
realtimeUrl();
