//! [`AvatarPeer`]: one avatar WebRTC session (str0m, ICE-lite, DTLS-SRTP), sans-IO.
//!
//! The caller owns the UDP socket and the clock. Drive it like the engine:
//!
//! 1. feed datagrams with [`AvatarPeer::handle_input`] and expired timeouts with
//!    [`AvatarPeer::handle_timeout`];
//! 2. drain [`AvatarPeer::poll_output`] until it returns [`AvatarOutput::Timeout`], sending every
//!    [`AvatarOutput::Transmit`] and acting on every [`AvatarEvent`];
//! 3. sleep until that timeout or the next datagram.
//!
//! Media is paced on the peer's own media clock (audio every 20 ms, video every 1/fps), which
//! starts when ICE and DTLS are up. Both tracks take their RTP time and wallclock from that clock,
//! so the browser's lip sync (RTCP SR) lines them up.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use str0m::change::SdpOffer;
use str0m::format::Codec;
use str0m::media::{Frequency, KeyframeRequest, MediaKind, MediaTime, Mid, Pt};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc, RtcConfig, RtcError};

use crate::audio::{AudioError, OpusEncoder, RTP_TICKS_PER_FRAME};
use crate::config::AvatarPeerConfig;
use crate::playout::{Playout, PlayoutEvent};
use crate::renderer::{InvalidSize, Renderer};
use crate::rig::Rig;
use crate::sdp::{SdpError, decode_client_sdp, encode_server_sdp};
use crate::video::{H264Encoder, VideoError};

/// Audio frame period.
const AUDIO_PERIOD: Duration = Duration::from_millis(20);
/// When the media clock falls further behind than this many frames, skip instead of bursting.
const MAX_BURST_FRAMES: u64 = 10;

/// Errors of an avatar peer.
#[derive(Debug, thiserror::Error)]
pub enum AvatarError {
    /// The client's offer was refused; map to `error` with `param: client_sdp`.
    #[error(transparent)]
    Sdp(#[from] SdpError),
    /// The WebRTC stack failed.
    #[error("webrtc: {0}")]
    Rtc(#[from] RtcError),
    /// The video encoder failed.
    #[error(transparent)]
    Video(#[from] VideoError),
    /// The audio encoder failed.
    #[error(transparent)]
    Audio(#[from] AudioError),
    /// The configured frame size is unusable.
    #[error(transparent)]
    Size(#[from] InvalidSize),
    /// No local address to put in the answer.
    #[error("no local candidate address")]
    NoCandidates,
}

impl AvatarError {
    /// The request parameter to report in the `error` event, when the client caused it.
    pub fn param(&self) -> Option<&'static str> {
        matches!(self, Self::Sdp(_)).then_some(SdpError::PARAM)
    }
}

/// Something the server should act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AvatarEvent {
    /// ICE + DTLS are up; media starts flowing.
    Connected,
    /// Playout of reply audio started (`session.avatar.switch_to_speaking`).
    SwitchToSpeaking,
    /// Playout drained or was cleared (`session.avatar.switch_to_idle`).
    SwitchToIdle,
    /// The browser asked for a keyframe (PLI/FIR); the next video frame is an IDR.
    KeyframeRequested,
    /// The connection is gone (ICE disconnected or closed); drop the peer.
    Disconnected,
}

/// A datagram to send from `source` to `destination`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The local address to send from (one of the candidates).
    pub source: SocketAddr,
    /// The remote address.
    pub destination: SocketAddr,
    /// The datagram.
    pub contents: Vec<u8>,
}

/// What [`AvatarPeer::poll_output`] produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AvatarOutput {
    /// Send this datagram.
    Transmit(Transmit),
    /// Act on this event.
    Event(AvatarEvent),
    /// Nothing more now; call [`AvatarPeer::handle_timeout`] at this instant (or earlier on input).
    Timeout(Instant),
}

/// Counters for probes and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeerStats {
    /// Opus packets written.
    pub audio_frames: u64,
    /// H.264 frames written.
    pub video_frames: u64,
    /// Of which keyframes.
    pub keyframes: u64,
    /// Encoded video bytes.
    pub video_bytes: u64,
}

/// One avatar session's WebRTC peer plus its renderer, encoders and playout queue.
pub struct AvatarPeer {
    rtc: Rtc,
    config: AvatarPeerConfig,
    audio: Option<(Mid, Option<Pt>)>,
    video: Option<(Mid, Option<Pt>)>,
    playout: Playout,
    rig: Rig,
    renderer: Renderer,
    h264: H264Encoder,
    opus: OpusEncoder,
    pcm: Vec<i16>,
    media_start: Option<Instant>,
    audio_frames: u64,
    video_frames: u64,
    now: Instant,
    events: VecDeque<AvatarEvent>,
    alive: bool,
    stats: PeerStats,
}

impl std::fmt::Debug for AvatarPeer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AvatarPeer")
            .field("config", &self.config)
            .field("stats", &self.stats)
            .field("alive", &self.alive)
            .finish_non_exhaustive()
    }
}

impl AvatarPeer {
    /// Answers a `session.avatar.connect`: decodes `client_sdp` (tolerantly, avatar.md §1.3),
    /// creates an ICE-lite peer with one host candidate per `local_addrs` entry, and returns it with
    /// the `server_sdp` for `session.avatar.connecting` (base64 of the JSON answer, all candidates
    /// included, no trickle).
    pub fn accept(
        client_sdp: &str,
        local_addrs: &[SocketAddr],
        config: AvatarPeerConfig,
        now: Instant,
    ) -> Result<(Self, String), AvatarError> {
        let sdp = decode_client_sdp(client_sdp)?;
        let offer = SdpOffer::from_sdp_string(&sdp).map_err(|e| SdpError::BadSdp(e.to_string()))?;
        if local_addrs.is_empty() {
            return Err(AvatarError::NoCandidates);
        }
        let mut rtc = RtcConfig::new()
            .set_crypto_provider(Arc::new(str0m::crypto::from_feature_flags()))
            .set_ice_lite(true)
            .clear_codecs()
            .enable_h264(true)
            .enable_opus(true, false)
            .build(now);
        for &addr in local_addrs {
            let candidate = Candidate::host(addr, "udp").map_err(RtcError::from)?;
            rtc.add_local_candidate(candidate);
        }
        let answer = rtc
            .sdp_api()
            .accept_offer(offer)
            .map_err(|e| SdpError::BadSdp(e.to_string()))?;
        let server_sdp = encode_server_sdp(&answer.to_sdp_string());

        let renderer = Renderer::new(config.render)?;
        let h264 = H264Encoder::new(config.video)?;
        let opus = OpusEncoder::new(config.audio_rate_hz, config.audio_bitrate_bps)?;
        let pcm = vec![0; opus.frame_samples()];
        let peer = Self {
            rtc,
            playout: Playout::new(config.audio_rate_hz, 30_000),
            rig: Rig::default(),
            renderer,
            h264,
            opus,
            pcm,
            config,
            audio: None,
            video: None,
            media_start: None,
            audio_frames: 0,
            video_frames: 0,
            now,
            events: VecDeque::with_capacity(8),
            alive: true,
            stats: PeerStats::default(),
        };
        Ok((peer, server_sdp))
    }

    /// The configuration in force.
    pub fn config(&self) -> &AvatarPeerConfig {
        &self.config
    }

    /// Counters.
    pub fn stats(&self) -> PeerStats {
        self.stats
    }

    /// Whether the peer is still usable (not disconnected or closed).
    pub fn is_alive(&self) -> bool {
        self.alive && self.rtc.is_alive()
    }

    /// Whether ICE and DTLS are up.
    pub fn is_connected(&self) -> bool {
        self.rtc.is_connected()
    }

    /// Whether the avatar is speaking (reply audio is being played out).
    pub fn is_speaking(&self) -> bool {
        self.playout.is_speaking()
    }

    /// Reply audio queued and not yet played, in ms.
    pub fn queued_ms(&self) -> u64 {
        self.playout.queued_ms()
    }

    /// Whether this datagram belongs to this peer (for one socket shared by several peers).
    pub fn accepts(&self, source: SocketAddr, destination: SocketAddr, datagram: &[u8]) -> bool {
        let Ok(contents) = datagram.try_into() else {
            return false;
        };
        let input = Input::Receive(
            self.now,
            Receive {
                proto: Protocol::Udp,
                source,
                destination,
                contents,
            },
        );
        self.rtc.accepts(&input)
    }

    /// Feeds one received UDP datagram. Datagrams that are not STUN/DTLS/RTP are ignored.
    pub fn handle_input(
        &mut self,
        now: Instant,
        source: SocketAddr,
        destination: SocketAddr,
        datagram: &[u8],
    ) -> Result<(), AvatarError> {
        self.now = self.now.max(now);
        let Ok(contents) = datagram.try_into() else {
            return Ok(());
        };
        self.rtc.handle_input(Input::Receive(
            now,
            Receive {
                proto: Protocol::Udp,
                source,
                destination,
                contents,
            },
        ))?;
        Ok(())
    }

    /// Advances time: sends the media frames that are due, then runs the WebRTC timers.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), AvatarError> {
        self.now = self.now.max(now);
        self.tick_media(now)?;
        self.rtc.handle_input(Input::Timeout(now))?;
        Ok(())
    }

    /// The next thing to do. Drain until [`AvatarOutput::Timeout`].
    pub fn poll_output(&mut self) -> Result<AvatarOutput, AvatarError> {
        loop {
            if let Some(e) = self.events.pop_front() {
                return Ok(AvatarOutput::Event(e));
            }
            if !self.alive {
                return Ok(AvatarOutput::Timeout(self.now + Duration::from_secs(3600)));
            }
            match self.rtc.poll_output()? {
                Output::Transmit(t) => {
                    return Ok(AvatarOutput::Transmit(Transmit {
                        source: t.source,
                        destination: t.destination,
                        contents: t.contents.into(),
                    }));
                }
                Output::Timeout(t) => {
                    let t = match self.next_media_due() {
                        Some(m) => t.min(m),
                        None => t,
                    };
                    return Ok(AvatarOutput::Timeout(t));
                }
                Output::Event(e) => self.on_rtc_event(e),
            }
        }
    }

    /// Marks the start of a reply item: viseme offsets of that item count from its first audio
    /// sample (the next [`AvatarPeer::push_audio`]).
    pub fn start_item(&mut self) {
        self.playout.start_item();
    }

    /// Queues reply audio: mono PCM16 at `config.audio_rate_hz` (24 kHz for Voice Live).
    pub fn push_audio(&mut self, pcm: &[i16]) {
        self.playout.push_audio(pcm);
    }

    /// Adds a viseme of the current item (`response.animation_viseme.delta`'s `audio_offset_ms`
    /// and `viseme_id`).
    pub fn push_viseme(&mut self, audio_offset_ms: u32, viseme_id: u32) {
        self.playout.push_viseme(audio_offset_ms, viseme_id);
    }

    /// Barge-in / `output_audio_buffer.clear`: drops queued audio and visemes; the mouth returns
    /// to rest. Returns the ms of audio that were dropped. Queues [`AvatarEvent::SwitchToIdle`]
    /// when the avatar was speaking.
    pub fn clear_audio(&mut self) -> u64 {
        let dropped = self.playout.queued_ms();
        if let Some(PlayoutEvent::SwitchToIdle) = self.playout.clear() {
            self.events.push_back(AvatarEvent::SwitchToIdle);
        }
        dropped
    }

    /// Samples of audio played out so far at `config.audio_rate_hz` (for `auto_truncate`).
    pub fn played_samples(&self) -> u64 {
        self.playout.played_samples()
    }

    /// Closes the connection (session end or replacement by a second connect).
    pub fn close(&mut self) {
        if self.alive {
            self.rtc.disconnect();
            self.alive = false;
            self.events.push_back(AvatarEvent::Disconnected);
        }
    }

    fn on_rtc_event(&mut self, e: Event) {
        match e {
            Event::Connected => {
                self.media_start = Some(self.now);
                self.events.push_back(AvatarEvent::Connected);
            }
            Event::MediaAdded(m) => match m.kind {
                MediaKind::Audio if self.audio.is_none() => self.audio = Some((m.mid, None)),
                MediaKind::Video if self.video.is_none() => self.video = Some((m.mid, None)),
                _ => {}
            },
            Event::KeyframeRequest(KeyframeRequest { .. }) => {
                self.h264.request_keyframe();
                self.events.push_back(AvatarEvent::KeyframeRequested);
            }
            Event::IceConnectionStateChange(IceConnectionState::Disconnected) => {
                self.alive = false;
                self.events.push_back(AvatarEvent::Disconnected);
            }
            _ => {}
        }
    }

    fn video_period(&self) -> Duration {
        let fps = f64::from(self.config.video.fps);
        Duration::from_secs_f64(
            1.0 / if fps.is_finite() && fps >= 1.0 {
                fps
            } else {
                25.0
            },
        )
    }

    fn next_media_due(&self) -> Option<Instant> {
        let start = self.media_start?;
        let audio = start + AUDIO_PERIOD * u32::try_from(self.audio_frames).unwrap_or(u32::MAX);
        let video = start + self.video_period().mul_f64(self.video_frames as f64);
        Some(audio.min(video))
    }

    fn tick_media(&mut self, now: Instant) -> Result<(), AvatarError> {
        let Some(start) = self.media_start else {
            return Ok(());
        };
        let period_v = self.video_period();
        loop {
            let due_a = start + AUDIO_PERIOD.mul_f64(self.audio_frames as f64);
            let due_v = start + period_v.mul_f64(self.video_frames as f64);
            if due_a.min(due_v) > now {
                return Ok(());
            }
            // Far behind (the process stalled): skip frames rather than burst them.
            let behind_a = now.saturating_duration_since(due_a).as_millis() / 20;
            if behind_a > u128::from(MAX_BURST_FRAMES) {
                self.audio_frames += u64::try_from(behind_a).unwrap_or(0);
                continue;
            }
            let behind_v =
                now.saturating_duration_since(due_v).as_secs_f64() / period_v.as_secs_f64();
            if behind_v > MAX_BURST_FRAMES as f64 {
                self.video_frames += behind_v as u64;
                continue;
            }
            if due_v <= due_a {
                self.send_video_frame(due_v, period_v)?;
            } else {
                self.send_audio_frame(due_a)?;
            }
        }
    }

    fn send_audio_frame(&mut self, wallclock: Instant) -> Result<(), AvatarError> {
        let rtp = MediaTime::new(
            self.audio_frames * RTP_TICKS_PER_FRAME,
            Frequency::FORTY_EIGHT_KHZ,
        );
        self.audio_frames += 1;
        match self.playout.next_frame(&mut self.pcm) {
            Some(PlayoutEvent::SwitchToSpeaking) => {
                self.events.push_back(AvatarEvent::SwitchToSpeaking)
            }
            Some(PlayoutEvent::SwitchToIdle) => self.events.push_back(AvatarEvent::SwitchToIdle),
            None => {}
        }
        let Some((mid, pt)) = self.audio else {
            return Ok(());
        };
        let packet = self.opus.encode(&self.pcm)?;
        let Some(writer) = self.rtc.writer(mid) else {
            return Ok(());
        };
        let pt = match pt {
            Some(pt) => pt,
            None => {
                let Some(pt) = writer
                    .payload_params()
                    .find(|p| p.spec().codec == Codec::Opus)
                    .map(|p| p.pt())
                else {
                    return Ok(());
                };
                self.audio = Some((mid, Some(pt)));
                pt
            }
        };
        writer.write(pt, wallclock, rtp, packet)?;
        self.stats.audio_frames += 1;
        Ok(())
    }

    fn send_video_frame(
        &mut self,
        wallclock: Instant,
        period: Duration,
    ) -> Result<(), AvatarError> {
        let ticks = (self.video_frames as f64 * 90_000.0 * period.as_secs_f64()).round() as u64;
        let rtp = MediaTime::new(ticks, Frequency::NINETY_KHZ);
        self.video_frames += 1;
        let viseme = self.playout.viseme_now();
        let state = *self.rig.advance(period.as_secs_f32() * 1000.0, viseme);
        let Some((mid, pt)) = self.video else {
            return Ok(());
        };
        let frame = self.renderer.render(&state);
        let encoded = self.h264.encode(frame)?;
        if encoded.data.is_empty() {
            return Ok(());
        }
        let Some(writer) = self.rtc.writer(mid) else {
            return Ok(());
        };
        let pt = match pt {
            Some(pt) => pt,
            None => {
                let params: Vec<_> = writer
                    .payload_params()
                    .filter(|p| p.spec().codec == Codec::H264)
                    .map(|p| (p.pt(), p.spec().format.packetization_mode))
                    .collect();
                let Some(pt) = params
                    .iter()
                    .find(|(_, mode)| *mode == Some(1))
                    .or(params.first())
                    .map(|(pt, _)| *pt)
                else {
                    return Ok(());
                };
                self.video = Some((mid, Some(pt)));
                pt
            }
        };
        self.stats.video_frames += 1;
        self.stats.keyframes += u64::from(encoded.keyframe);
        self.stats.video_bytes += encoded.data.len() as u64;
        writer.write(pt, wallclock, rtp, encoded.data)?;
        Ok(())
    }
}
