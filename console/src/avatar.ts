// The browser side of the avatar (avatar.md §1.2–§1.3, protocol.md flow I), as the official
// voicelive-samples do it: sendrecv video + audio transceivers and an `eventChannel` data channel,
// a non-trickle offer sent after ICE gathering completes, `client_sdp` = base64 of the JSON
// RTCSessionDescription, and the `server_sdp` answer decoded the same way.

/** An ICE server as `session.avatar.ice_servers` carries it. */
export interface IceServer {
  urls: string[] | string;
  username?: string;
  credential?: string;
}

/** Longest wait for ICE gathering before the offer is sent with what was gathered, in ms. */
export const ICE_GATHER_TIMEOUT_MS = 5000;

/** One avatar peer connection. */
export class AvatarPeer {
  readonly pc: RTCPeerConnection;

  constructor(
    iceServers: IceServer[],
    private readonly video: HTMLVideoElement,
    private readonly audio: HTMLAudioElement,
    onState: (state: string) => void,
  ) {
    this.pc = new RTCPeerConnection({ iceServers: iceServers.length ? iceServers : [] });
    this.pc.ontrack = (e: RTCTrackEvent) => {
      const el = e.track.kind === "video" ? this.video : this.audio;
      el.srcObject = e.streams[0] ?? new MediaStream([e.track]);
      void el.play().catch(() => undefined);
    };
    this.pc.onconnectionstatechange = () => onState(this.pc.connectionState);
    this.pc.addTransceiver("video", { direction: "sendrecv" });
    this.pc.addTransceiver("audio", { direction: "sendrecv" });
    const channel = this.pc.createDataChannel("eventChannel");
    channel.onmessage = (e: MessageEvent) => onState(`data channel: ${String(e.data).slice(0, 80)}`);
  }

  /** Creates the offer, waits for ICE gathering, and returns the `client_sdp` value. */
  async offer(): Promise<string> {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    await this.gathered();
    const local = this.pc.localDescription;
    if (!local) throw new Error("no local description");
    return btoa(JSON.stringify({ type: local.type, sdp: local.sdp }));
  }

  private gathered(): Promise<void> {
    if (this.pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ICE_GATHER_TIMEOUT_MS);
      this.pc.addEventListener("icegatheringstatechange", () => {
        if (this.pc.iceGatheringState === "complete") {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  /** Applies the `server_sdp` answer (base64 JSON, or raw SDP as a tolerant fallback). */
  async answer(serverSdp: string): Promise<void> {
    await this.pc.setRemoteDescription(decodeServerSdp(serverSdp));
  }

  /** Inbound RTP statistics of the video and audio tracks (`audioEnergy`: the audio's
   * `totalAudioEnergy`, which grows with the loudness of what was received). */
  async inbound(): Promise<{ framesDecoded: number; fps: number; audioPackets: number; audioEnergy: number }> {
    const stats = await this.pc.getStats();
    let framesDecoded = 0;
    let fps = 0;
    let audioPackets = 0;
    let audioEnergy = 0;
    stats.forEach((s: Record<string, unknown>) => {
      if (s["type"] !== "inbound-rtp") return;
      if (s["kind"] === "video") {
        framesDecoded = Number(s["framesDecoded"] ?? 0);
        fps = Number(s["framesPerSecond"] ?? 0);
      } else if (s["kind"] === "audio") {
        audioPackets = Number(s["packetsReceived"] ?? 0);
        audioEnergy = Number(s["totalAudioEnergy"] ?? 0);
      }
    });
    return { framesDecoded, fps, audioPackets, audioEnergy };
  }

  close(): void {
    this.pc.close();
    this.video.srcObject = null;
    this.audio.srcObject = null;
  }
}

/** Decodes a `server_sdp`: raw SDP, or base64 of JSON `{type, sdp}`, or base64 of raw SDP. */
export function decodeServerSdp(serverSdp: string): RTCSessionDescriptionInit {
  const text = serverSdp.trimStart();
  if (text.startsWith("v=0")) return { type: "answer", sdp: serverSdp };
  const decoded = atob(text);
  if (decoded.trimStart().startsWith("{")) {
    const parsed = JSON.parse(decoded) as { type?: string; sdp?: string };
    if (typeof parsed.sdp !== "string") throw new Error("server_sdp JSON has no sdp field");
    return { type: "answer", sdp: parsed.sdp };
  }
  return { type: "answer", sdp: decoded };
}
