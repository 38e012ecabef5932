//! [`ReceiverClient`]: a small str0m WebRTC client that does what a browser does with the avatar
//! (for tests and probes, not for production).
//!
//! It offers the official sample's shape (sendrecv video + audio and an `eventChannel` data
//! channel) as a base64-JSON `client_sdp`, takes the `server_sdp`, brings ICE/DTLS/SRTP up over
//! its own UDP socket, and decodes what arrives: Opus to PCM (RMS per packet) and H.264 to I420.
//! Drive it with [`ReceiverClient::step`] in a loop.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpPendingOffer};
use str0m::media::{Direction, KeyframeRequestKind, MediaKind, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc, RtcConfig, RtcError};

use crate::frame::I420Frame;
use crate::sdp::{decode_server_sdp, encode_client_sdp};
use crate::video::nal_types;

/// Errors of the client.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// A socket error.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    /// The WebRTC stack failed.
    #[error("webrtc: {0}")]
    Rtc(#[from] RtcError),
    /// The answer could not be used.
    #[error("answer: {0}")]
    Answer(String),
    /// A received packet did not decode.
    #[error("decode: {0}")]
    Decode(String),
}

/// What the client received so far.
#[derive(Debug, Clone, Default)]
pub struct Received {
    /// When ICE/DTLS came up.
    pub connected_at: Option<Instant>,
    /// Arrival time and RMS (PCM16 units) of each decoded 20 ms Opus packet.
    pub audio: Vec<(Instant, f64)>,
    /// Arrival time, size and keyframe flag of each decoded H.264 frame.
    pub video: Vec<(Instant, (usize, usize), bool)>,
    /// The last decoded video frame.
    pub last_frame: Option<I420Frame>,
    /// Mean luma of [`ReceiverClient::watch`]'s rectangle in each decoded frame (in the order
    /// of `video`; empty when nothing is watched), in luma levels.
    pub watched_luma: Vec<f64>,
    /// Whether the `eventChannel` data channel opened.
    pub channel_open: bool,
}

/// A receiving WebRTC client on `127.0.0.1`.
pub struct ReceiverClient {
    rtc: Rtc,
    socket: UdpSocket,
    addr: SocketAddr,
    audio: Mid,
    video: Mid,
    pending: Option<SdpPendingOffer>,
    opus: opus::Decoder,
    h264: openh264::decoder::Decoder,
    pcm: Vec<i16>,
    buf: Vec<u8>,
    timeout: Instant,
    /// The rectangle whose mean luma is recorded per frame (see [`Self::watch`]).
    watch: Option<(usize, usize, usize, usize)>,
    /// What arrived.
    pub received: Received,
}

impl std::fmt::Debug for ReceiverClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiverClient")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl ReceiverClient {
    /// Binds a socket on `127.0.0.1` and makes the offer; returns the client and the
    /// `client_sdp` to send in `session.avatar.connect`.
    ///
    /// # Errors
    ///
    /// The socket or the decoders cannot be created.
    pub fn new(now: Instant) -> Result<(Self, String), ClientError> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.set_nonblocking(true)?;
        let addr = socket.local_addr()?;
        let mut rtc = RtcConfig::new()
            .set_crypto_provider(Arc::new(str0m::crypto::from_feature_flags()))
            .build(now);
        rtc.add_local_candidate(Candidate::host(addr, "udp").map_err(RtcError::from)?);
        let mut api = rtc.sdp_api();
        let video = api.add_media(MediaKind::Video, Direction::SendRecv, None, None, None);
        let audio = api.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        api.add_channel("eventChannel".into());
        let (offer, pending) = api
            .apply()
            .ok_or_else(|| ClientError::Answer("no offer".into()))?;
        let client_sdp = encode_client_sdp(&offer.to_sdp_string());
        let opus = opus::Decoder::new(48_000, opus::Channels::Mono)
            .map_err(|e| ClientError::Decode(e.to_string()))?;
        let h264 =
            openh264::decoder::Decoder::new().map_err(|e| ClientError::Decode(e.to_string()))?;
        Ok((
            Self {
                rtc,
                socket,
                addr,
                audio,
                video,
                pending: Some(pending),
                opus,
                h264,
                pcm: vec![0; 5760],
                buf: vec![0; 2048],
                timeout: now,
                watch: None,
                received: Received::default(),
            },
            client_sdp,
        ))
    }

    /// Records the mean luma of the rectangle `x0..x1, y0..y1` (pixels; e.g. the renderer's
    /// mouth region) of every decoded frame in [`Received::watched_luma`].
    pub fn watch(&mut self, (x0, y0, x1, y1): (usize, usize, usize, usize)) {
        self.watch = Some((x0, y0, x1, y1));
    }

    /// Applies the `server_sdp` of `session.avatar.connecting`.
    ///
    /// # Errors
    ///
    /// The answer does not decode or does not match the offer.
    pub fn accept_answer(&mut self, server_sdp: &str) -> Result<(), ClientError> {
        let sdp = decode_server_sdp(server_sdp)
            .ok_or_else(|| ClientError::Answer("server_sdp does not decode".into()))?;
        let answer =
            SdpAnswer::from_sdp_string(&sdp).map_err(|e| ClientError::Answer(e.to_string()))?;
        let pending = self
            .pending
            .take()
            .ok_or_else(|| ClientError::Answer("answer already applied".into()))?;
        self.rtc.sdp_api().accept_answer(pending, answer)?;
        Ok(())
    }

    /// Asks the sender for a keyframe (PLI).
    pub fn request_keyframe(&mut self) -> bool {
        let Some(mut w) = self.rtc.writer(self.video) else {
            return false;
        };
        if !w.is_request_keyframe_possible(KeyframeRequestKind::Pli) {
            return false;
        }
        w.request_keyframe(None, KeyframeRequestKind::Pli).is_ok()
    }

    /// Runs the client for at most `max_wait`: timers, received datagrams, decoding.
    ///
    /// # Errors
    ///
    /// The WebRTC stack failed or a packet did not decode.
    pub fn step(&mut self, max_wait: Duration) -> Result<(), ClientError> {
        let now = Instant::now();
        if now >= self.timeout {
            self.rtc.handle_input(Input::Timeout(now))?;
        }
        self.drain()?;
        let mut got = false;
        while let Ok((n, source)) = self.socket.recv_from(&mut self.buf) {
            got = true;
            let Some(data) = self.buf.get(..n) else {
                continue;
            };
            let Ok(contents) = data.try_into() else {
                continue;
            };
            let receive = Receive {
                proto: Protocol::Udp,
                source,
                destination: self.addr,
                contents,
            };
            self.rtc
                .handle_input(Input::Receive(Instant::now(), receive))?;
            self.drain()?;
        }
        if !got {
            let wait = self.timeout.saturating_duration_since(Instant::now());
            std::thread::sleep(wait.min(max_wait).min(Duration::from_millis(1)));
        }
        Ok(())
    }

    fn drain(&mut self) -> Result<(), ClientError> {
        loop {
            match self.rtc.poll_output()? {
                Output::Transmit(t) => {
                    let _ = self.socket.send_to(&t.contents, t.destination);
                }
                Output::Timeout(t) => {
                    self.timeout = t;
                    return Ok(());
                }
                Output::Event(Event::Connected) => {
                    self.received.connected_at = Some(Instant::now());
                }
                Output::Event(Event::ChannelOpen(_, label)) => {
                    self.received.channel_open |= label == "eventChannel";
                }
                Output::Event(Event::MediaData(m)) => {
                    let at = Instant::now();
                    if m.mid == self.audio {
                        let n = self
                            .opus
                            .decode(&m.data, &mut self.pcm, false)
                            .map_err(|e| ClientError::Decode(e.to_string()))?;
                        let pcm = self.pcm.get(..n).unwrap_or_default();
                        self.received.audio.push((at, rms(pcm)));
                    } else if m.mid == self.video {
                        let key = nal_types(&m.data).any(|t| t == 5);
                        let decoded = self
                            .h264
                            .decode(&m.data)
                            .map_err(|e| ClientError::Decode(e.to_string()))?;
                        if let Some(yuv) = decoded {
                            use openh264::formats::YUVSource as _;
                            let (w, h) = yuv.dimensions();
                            let mut f = I420Frame::new(w, h);
                            let copied =
                                f.copy_from_planes((yuv.y(), yuv.u(), yuv.v()), yuv.strides());
                            if let Some((x0, y0, x1, y1)) = self.watch {
                                let luma = if copied {
                                    f.mean_luma(x0, y0, x1, y1)
                                } else {
                                    f64::NAN
                                };
                                self.received.watched_luma.push(luma);
                            }
                            if copied {
                                self.received.last_frame = Some(f);
                            }
                            self.received.video.push((at, (w, h), key));
                        }
                    }
                }
                Output::Event(_) => {}
            }
        }
    }
}

/// RMS of PCM16 samples.
fn rms(pcm: &[i16]) -> f64 {
    (pcm.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / pcm.len().max(1) as f64).sqrt()
}
