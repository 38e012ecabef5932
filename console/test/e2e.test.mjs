// Browser end-to-end test of the console: the real vl-server binary (scripted backend, no
// models) serves the page; Debian's Chromium, driven by playwright-core, opens it with a fake
// microphone that plays recorded speech (Debian asterisk-core-sounds-en-wav), and a whole turn
// has to come back through the realtime protocol.
//
// Environment:
//   VL_SERVER_BIN           the vl-server binary (required; `cargo xtask console test` sets it)
//   CHROMIUM                the browser [default: /usr/bin/chromium]
//   VL_CONSOLE_ARTIFACTS    screenshots and logs [default: <repo>/target/console-artifacts]
//   VL_CONSOLE_SPEECH       a speech WAV [default: /usr/share/asterisk/sounds/en/tt-weasels.wav]
//   VL_CONSOLE_AVATAR       media: expect avatar video and audio; none: expect the error event
//                           [default: media when `vl-server --help` lists --avatar-udp-bind]

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const artifacts = process.env.VL_CONSOLE_ARTIFACTS ?? path.join(repo, "target/console-artifacts");
const serverBin = process.env.VL_SERVER_BIN;
const chromiumBin = process.env.CHROMIUM ?? "/usr/bin/chromium";
const speech = process.env.VL_CONSOLE_SPEECH ?? "/usr/share/asterisk/sounds/en/tt-weasels.wav";
/** Whether the server streams the avatar: `VL_CONSOLE_AVATAR=media|none`, else whether the
 * binary has the avatar flags (cargo feature `avatar`). */
const expectAvatarMedia = process.env.VL_CONSOLE_AVATAR
  ? process.env.VL_CONSOLE_AVATAR === "media"
  : Boolean(serverBin) && execFileSync(serverBin, ["--help"], { encoding: "utf8" }).includes("--avatar-udp-bind");
const API_KEY = "console-e2e-key";
const TURN_TIMEOUT_MS = 45_000;

let server;
let serverLog = [];
let base;
let browser;
let micWav;

/** The speech, padded with 0.5 s of silence before and 3 s after (so VAD ends the turn before
 * Chromium loops the file), as 48 kHz mono PCM16 for the fake capture device. */
function prepareMicWav() {
  assert.ok(existsSync(speech), `no speech WAV at ${speech} (apt-get install asterisk-core-sounds-en-wav)`);
  const out = path.join(artifacts, "mic.wav");
  execFileSync("sox", [speech, "-r", "48000", "-c", "1", "-b", "16", out, "pad", "0.5", "3"]);
  return out;
}

function startServer() {
  assert.ok(serverBin, "set VL_SERVER_BIN to the vl-server binary");
  const proc = spawn(
    serverBin,
    ["--listen", "127.0.0.1:0", "--backend", "scripted", "--log-format", "json"],
    {
      cwd: repo,
      env: { ...process.env, RUST_LOG: "info", VL_API_KEY: API_KEY, VL_KEY_CONNECTION_RATE: "0", VL_AUTH_FAILURES_PER_MINUTE: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  proc.stderr.on("data", (d) => serverLog.push(String(d)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vl-server did not start:\n${serverLog.join("\n")}`)), 30_000);
    proc.on("exit", (code) => reject(new Error(`vl-server exited ${code}:\n${serverLog.join("\n")}`)));
    createInterface({ input: proc.stdout }).on("line", (line) => {
      serverLog.push(line);
      let rec;
      try {
        rec = JSON.parse(line);
      } catch {
        return;
      }
      const f = rec.fields ?? {};
      if (f.message === "listening" && f.addr) {
        clearTimeout(timer);
        resolve({ proc, addr: String(f.addr) });
      }
    });
  });
}

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  micWav = prepareMicWav();
  const started = await startServer();
  server = started.proc;
  base = `http://${started.addr}`;
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {
      // not yet
    }
    assert.ok(i < 200, "/healthz never answered 200");
    await new Promise((r) => setTimeout(r, 50));
  }
  browser = await chromium.launch({
    executablePath: chromiumBin,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--autoplay-policy=no-user-gesture-required",
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-audio-capture=${micWav}`,
    ],
  });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
  }
  writeFileSync(path.join(artifacts, "server.log"), serverLog.join("\n"));
});

/** A fresh page with the console loaded; page errors fail the test that opened it. */
async function openConsole(t) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  t.after(async () => {
    await context.close();
  });
  const response = await page.goto(`${base}/`);
  assert.equal(response?.status(), 200);
  assert.match(response.headers()["content-type"] ?? "", /^text\/html/);
  return { page, problems };
}

const statsOf = (page) => page.evaluate(() => window.vlConsole.stats);

test("a wrong API key is refused and the page says so", async (t) => {
  const { page } = await openConsole(t);
  await page.fill("#api-key", "not-the-key");
  await page.click("#connect");
  await page.waitForSelector("#errors .error", { timeout: 10_000 });
  const text = await page.textContent("#errors");
  assert.match(text ?? "", /connection refused/);
  assert.equal(await page.getAttribute("#status", "data-state"), "error");
});

test("a spoken turn through the microphone comes back as a transcript and audio", async (t) => {
  const { page, problems } = await openConsole(t);
  await page.fill("#api-key", API_KEY);
  await page.click("#connect");
  await page.waitForFunction(() => document.querySelector("#status")?.textContent === "connected", null, { timeout: 10_000 });
  await page.waitForFunction(() => (window.vlConsole.stats.received["session.updated"] ?? 0) >= 1, null, { timeout: 10_000 });
  await page.click("#mic");
  await page.waitForFunction(() => window.vlConsole.stats.turnsWithAudio >= 1, null, { timeout: TURN_TIMEOUT_MS }).catch(async (e) => {
    await page.screenshot({ path: path.join(artifacts, "console-turn-failed.png"), fullPage: true });
    throw new Error(`${e.message}\nstats: ${JSON.stringify(await statsOf(page))}`);
  });
  // Leave the transcript deltas and the final transcript time to land in the page.
  await page.waitForFunction(() => document.querySelector("#transcript .turn.assistant:not(.pending)") !== null, null, { timeout: 10_000 });
  const stats = await statsOf(page);
  await page.click("#mic");
  await page.screenshot({ path: path.join(artifacts, "console-turn.png"), fullPage: true });

  assert.ok(stats.blocksSent > 25, `only ${stats.blocksSent} audio blocks sent`);
  assert.ok((stats.received["input_audio_buffer.speech_started"] ?? 0) >= 1, "no speech_started");
  assert.ok((stats.received["input_audio_buffer.speech_stopped"] ?? 0) >= 1, "no speech_stopped");
  assert.ok((stats.received["input_audio_buffer.committed"] ?? 0) >= 1, "no committed");
  assert.ok(stats.audioChunks > 0 && stats.audioSamples > 2400, `audio: ${stats.audioChunks} chunks`);
  assert.deepEqual(stats.errors, [], "error events");

  const user = (await page.textContent("#transcript .turn.user:not(.pending) .text"))?.trim() ?? "";
  const assistant = (await page.textContent("#transcript .turn.assistant:not(.pending) .text"))?.trim() ?? "";
  // The scripted backend answers `You said: <transcript>` with the scripted ASR's words.
  assert.ok(user.length > 0, "empty user transcript");
  assert.equal(assistant, `You said: ${user}`);
  assert.ok((await page.locator("#log li").count()) > 5, "event log empty");
  assert.deepEqual(problems, []);
});

/** In the page: every `periodMs`, the mean luma of the avatar video's mouth region, the received
 * audio energy and whether the avatar is speaking, from the microphone's start until a while
 * after the avatar went back to idle (or `timeoutMs`). */
async function sampleAvatar({ timeoutMs, periodMs }) {
  const video = document.querySelector("#avatar-video");
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const out = [];
  const t0 = performance.now();
  let spoke = false;
  let idleAfter = 0;
  while (performance.now() - t0 < timeoutMs) {
    const r = window.vlConsole.stats.received;
    const speaking = (r["session.avatar.switch_to_speaking"] ?? 0) > (r["session.avatar.switch_to_idle"] ?? 0);
    const width = video.videoWidth;
    const height = video.videoHeight;
    let luma = NaN;
    if (width && height) {
      canvas.width = width;
      canvas.height = height;
      ctx.drawImage(video, 0, 0, width, height);
      // The mouth: the face is centred, its mouth at about 65 % of the height.
      const x0 = Math.round(width * 0.4);
      const y0 = Math.round(height * 0.56);
      const d = ctx.getImageData(x0, y0, Math.round(width * 0.2), Math.round(height * 0.2)).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) sum += 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
      luma = sum / (d.length / 4);
    }
    const a = await window.vlConsole.avatarStats();
    out.push({ t: performance.now() - t0, speaking, luma, energy: a?.audioEnergy ?? 0, width, height });
    if (speaking) spoke = true;
    else if (spoke && ++idleAfter > 5) break;
    await new Promise((resolve) => setTimeout(resolve, periodMs));
  }
  return out;
}

test("the avatar checkbox negotiates over the protocol and shows the outcome", async (t) => {
  const { page, problems } = await openConsole(t);
  await page.fill("#api-key", API_KEY);
  await page.click("#avatar summary");
  await page.check("#avatar-on");
  await page.click("#connect");
  if (expectAvatarMedia) {
    const seconds = 4;
    await page.waitForFunction(() => window.vlConsole.stats.avatar === "connected", null, { timeout: 20_000 });
    const first = await page.evaluate(() => window.vlConsole.avatarStats());
    await page.waitForTimeout(seconds * 1000);
    const last = await page.evaluate(() => window.vlConsole.avatarStats());
    await page.screenshot({ path: path.join(artifacts, "console-avatar.png"), fullPage: true });
    const fps = last.fps || 25;
    assert.ok(
      last.framesDecoded - first.framesDecoded >= 0.9 * fps * seconds,
      `frames decoded ${first.framesDecoded} -> ${last.framesDecoded} in ${seconds} s at ${fps} fps`,
    );
    assert.ok(last.audioPackets > first.audioPackets, `audio packets ${first.audioPackets} -> ${last.audioPackets}`);

    // A spoken turn: the avatar answers with its voice over WebRTC and its mouth moves while it
    // speaks (switch_to_speaking .. switch_to_idle), and not before.
    await page.click("#mic");
    const samples = await page.evaluate(sampleAvatar, { timeoutMs: TURN_TIMEOUT_MS, periodMs: 80 });
    await page.click("#mic");
    writeFileSync(path.join(artifacts, "avatar-samples.json"), JSON.stringify(samples));
    const firstSpeaking = samples.findIndex((s) => s.speaking);
    assert.ok(firstSpeaking > 0, `never switched to speaking: ${JSON.stringify(await statsOf(page))}`);
    const idleBefore = samples.slice(0, firstSpeaking).filter((s) => Number.isFinite(s.luma));
    const speaking = samples.filter((s) => s.speaking && Number.isFinite(s.luma));
    assert.ok(speaking.length >= 6, `only ${speaking.length} samples while speaking`);
    assert.ok(!samples[samples.length - 1].speaking, "never switched back to idle");
    const spread = (xs) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
    };
    const mouthIdle = spread(idleBefore.map((s) => s.luma));
    const mouthSpeaking = spread(speaking.map((s) => s.luma));
    // Energy per second of the received audio, idle (before the reply) vs speaking.
    const rate = (xs) => (xs[xs.length - 1].energy - xs[0].energy) / ((xs[xs.length - 1].t - xs[0].t) / 1000);
    const energyIdle = rate(idleBefore);
    const energySpeaking = rate(speaking);
    const summary = `mouth luma spread idle ${mouthIdle.toFixed(2)} speaking ${mouthSpeaking.toFixed(2)}; ` +
      `audio energy/s idle ${energyIdle.toExponential(2)} speaking ${energySpeaking.toExponential(2)}; ` +
      `${samples[0].width}x${samples[0].height}`;
    console.log(`# avatar: ${summary}`);
    assert.ok(mouthSpeaking > 0.8 && mouthSpeaking > 2 * mouthIdle, `the mouth does not move with the reply: ${summary}`);
    assert.ok(energySpeaking > 10 * energyIdle && energySpeaking > 1e-4, `no reply audio over WebRTC: ${summary}`);
    await page.screenshot({ path: path.join(artifacts, "console-avatar-turn.png"), fullPage: true });
    await page.waitForFunction(() => document.querySelector("#transcript .turn.assistant:not(.pending)") !== null, null, { timeout: 10_000 });
    const user = (await page.textContent("#transcript .turn.user:not(.pending) .text"))?.trim() ?? "";
    const assistant = (await page.textContent("#transcript .turn.assistant:not(.pending) .text"))?.trim() ?? "";
    assert.ok(user.length > 0, "empty user transcript");
    assert.equal(assistant, `You said: ${user}`);
    const stats = await statsOf(page);
    assert.deepEqual(stats.errors, [], "error events");
  } else {
    // A server without the avatar media answers `session.avatar.connect` with an error event:
    // the page must show that very message as the avatar's state.
    await page.waitForFunction(() => window.vlConsole.stats.avatar === "failed", null, { timeout: 20_000 });
    const stats = await statsOf(page);
    await page.screenshot({ path: path.join(artifacts, "console-avatar.png"), fullPage: true });
    assert.equal(stats.sent["session.avatar.connect"], 1, "no session.avatar.connect sent");
    assert.equal(stats.errors.length, 1, JSON.stringify(stats.errors));
    const shown = (await page.textContent("#avatar-status")) ?? "";
    assert.ok(shown.includes(stats.errors[0]), `avatar status "${shown}" lacks "${stats.errors[0]}"`);
    assert.equal(await page.textContent("#status"), "connected", "the session must stay open");
  }
  assert.deepEqual(problems, []);
});
