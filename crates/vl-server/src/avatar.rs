//! Avatar video over WebRTC (feature `avatar`, avatar.md): one UDP socket per server, one
//! [`vl_avatar::AvatarPeer`] per session that sent `session.avatar.connect`.
//!
//! ```text
//!  session task ──Command──► avatar thread (owns the UDP socket and every peer)
//!       ▲                          │  datagrams in/out, media pacing, render + encode
//!       └────────Notice────────────┘  (connecting / error / speaking / idle / disconnected)
//! ```
//!
//! The engine hands `session.avatar.connect` over as a [`vl_engine::AvatarConnect`]; this module
//! answers `session.avatar.connecting {server_sdp}` (all host candidates in the answer, no
//! trickle) or an `error` with `param: client_sdp`. While a peer runs, the session's reply audio
//! (`response.audio.delta`, decoded PCM16) and visemes (`response.animation_viseme.delta`) go to
//! the peer, and `response.audio.delta` is not sent to the client unless the avatar config says
//! `output_audit_audio: true` (avatar.md §1.4). `output_audio_buffer.cleared`, a cancelled
//! `response.done` and `conversation.item.truncated` (barge-in) clear the peer's queued audio.
//! A second connect replaces the first peer; the session's end closes it.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use tokio::sync::mpsc as tokio_mpsc;
use tracing::{debug, info, warn};
use vl_avatar::{AvatarEvent, AvatarOutput, AvatarPeer, AvatarPeerConfig};
use vl_engine::AvatarConnect;
use vl_schema::ServerEvent;
use vl_schema::audio_format::OutputAudioFormat;
use vl_schema::server::{
    ErrorEvent, ResponseStatus, SessionAvatarConnecting, SessionAvatarSwitchToIdle,
    SessionAvatarSwitchToSpeaking,
};
use vl_schema::session::IceServer;
use vl_schema::{ProtocolError, ResponseSession};

/// Longest wait of the avatar thread before it looks at new commands, ms.
const COMMAND_POLL: Duration = Duration::from_millis(5);
/// Largest UDP datagram read.
const MAX_DATAGRAM: usize = 2048;

/// The avatar flags (only with the cargo feature `avatar`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AvatarArgs {
    /// Serve `session.avatar` over WebRTC (`false` answers `session.avatar.connect` with
    /// `unsupported_feature`) [default: true]
    #[arg(long = "avatar", env = "VL_AVATAR", value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub enabled: Option<bool>,

    /// UDP address of the avatar media socket (one socket for all sessions; port 0 picks a free
    /// port) [default: 0.0.0.0:0]
    #[arg(long, env = "VL_AVATAR_UDP_BIND", value_name = "ADDR")]
    pub avatar_udp_bind: Option<SocketAddr>,

    /// Comma-separated addresses announced as ICE host candidates in the answer (`IP` or
    /// `IP:PORT`, a port for a 1:1 NAT mapping; without a port the socket's). Every candidate is
    /// in the answer (no trickle) [default: the bind IP; for 0.0.0.0, 127.0.0.1 and the IP of the
    /// default route]
    #[arg(
        long,
        env = "VL_AVATAR_ANNOUNCE",
        value_name = "ADDRS",
        value_delimiter = ','
    )]
    pub avatar_announce: Vec<String>,

    /// Largest encoded video frame, `WIDTHxHEIGHT` pixels; a larger `video.resolution` or crop is
    /// scaled down into it [default: 1280x720]
    #[arg(long, env = "VL_AVATAR_MAX_RESOLUTION", value_name = "WxH", value_parser = parse_resolution)]
    pub avatar_max_resolution: Option<(u32, u32)>,

    /// Video frame rate, frames/s (1–60) [default: 25]
    #[arg(long, env = "VL_AVATAR_FPS", value_name = "FPS")]
    pub avatar_fps: Option<f32>,

    /// ICE servers returned in `session.updated` (`avatar.ice_servers`) to a client that gave
    /// none: a JSON array as the protocol has it (`[{"urls": ["turn:host:3478"], "username":
    /// "u", "credential": "c"}]`) or comma-separated STUN/TURN URLs [default: none, `[]`: the
    /// server's host candidates are reachable directly]
    #[arg(long, env = "VL_AVATAR_ICE_SERVERS", value_name = "JSON|URLS")]
    pub avatar_ice_servers: Option<String>,
}

/// Parses `--avatar-ice-servers`: a JSON array of ICE servers, or comma-separated URLs (one
/// server each, no credentials).
///
/// # Errors
///
/// Invalid JSON, an entry without `urls`, or a URL that is not `stun:`, `stuns:`, `turn:` or
/// `turns:`.
pub fn parse_ice_servers(text: &str) -> Result<Vec<IceServer>, String> {
    let text = text.trim();
    let servers: Vec<IceServer> = if text.starts_with('[') {
        serde_json::from_str(text).map_err(|e| format!("not a JSON array of ICE servers: {e}"))?
    } else {
        text.split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(|u| IceServer {
                urls: vec![u.to_owned()],
                username: None,
                credential: None,
            })
            .collect()
    };
    for server in &servers {
        if server.urls.is_empty() {
            return Err("an ICE server has no urls".to_owned());
        }
        for url in &server.urls {
            let scheme = url.split_once(':').map_or("", |(s, _)| s);
            if !matches!(scheme, "stun" | "stuns" | "turn" | "turns") {
                return Err(format!(
                    "{url:?} is not a stun:, stuns:, turn: or turns: URL"
                ));
            }
        }
    }
    Ok(servers)
}

/// Parses `WIDTHxHEIGHT`.
///
/// # Errors
///
/// Not two positive integers separated by `x`.
pub fn parse_resolution(text: &str) -> Result<(u32, u32), String> {
    let (w, h) = text
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("expected WIDTHxHEIGHT, got {text:?}"))?;
    let parse = |v: &str| {
        v.trim()
            .parse::<u32>()
            .ok()
            .filter(|&v| (16..=4096).contains(&v))
            .ok_or_else(|| format!("{v:?} is not a size in 16..=4096"))
    };
    Ok((parse(w)?, parse(h)?))
}

/// The resolved avatar settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AvatarSettings {
    /// Whether avatars are served.
    pub enabled: bool,
    /// The UDP bind address.
    pub bind: SocketAddr,
    /// Announced candidate addresses (`IP` → the socket's port).
    pub announce: Vec<(IpAddr, Option<u16>)>,
    /// The output cap, pixels.
    pub max_resolution: (u32, u32),
    /// Frame rate, frames/s.
    pub fps: f32,
    /// ICE servers for clients that gave none.
    pub ice_servers: Vec<IceServer>,
}

impl Default for AvatarSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            bind: SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)),
            announce: Vec::new(),
            max_resolution: vl_avatar::config::DEFAULT_CAP,
            fps: 25.0,
            ice_servers: Vec::new(),
        }
    }
}

impl AvatarSettings {
    /// Resolves the flags.
    ///
    /// # Errors
    ///
    /// An announced address is not `IP` or `IP:PORT`, or the frame rate is out of range.
    pub fn from_args(args: AvatarArgs) -> anyhow::Result<Self> {
        let d = Self::default();
        let mut announce = Vec::new();
        for a in args
            .avatar_announce
            .iter()
            .map(|a| a.trim())
            .filter(|a| !a.is_empty())
        {
            if let Ok(ip) = a.parse::<IpAddr>() {
                announce.push((ip, None));
            } else if let Ok(sa) = a.parse::<SocketAddr>() {
                announce.push((sa.ip(), Some(sa.port())));
            } else {
                anyhow::bail!("--avatar-announce: {a:?} is not IP or IP:PORT");
            }
        }
        let fps = args.avatar_fps.unwrap_or(d.fps);
        if !(1.0..=60.0).contains(&fps) {
            anyhow::bail!("--avatar-fps must be in 1..=60, got {fps}");
        }
        let ice_servers = match args.avatar_ice_servers.as_deref() {
            Some(text) => {
                parse_ice_servers(text).map_err(|e| anyhow::anyhow!("--avatar-ice-servers: {e}"))?
            }
            None => d.ice_servers,
        };
        Ok(Self {
            ice_servers,
            enabled: args.enabled.unwrap_or(d.enabled),
            bind: args.avatar_udp_bind.unwrap_or(d.bind),
            announce,
            max_resolution: args.avatar_max_resolution.unwrap_or(d.max_resolution),
            fps,
        })
    }
}

/// What a session asks the avatar thread.
#[derive(Debug)]
enum Command {
    /// Answer an offer (replacing the session's previous peer).
    Connect {
        session: u64,
        client_sdp: String,
        config: Box<AvatarPeerConfig>,
        event_id: Option<String>,
        notices: tokio_mpsc::UnboundedSender<Notice>,
    },
    StartItem(u64),
    Audio(u64, Vec<i16>),
    Viseme(u64, u32, u32),
    Clear(u64),
    Close(u64),
}

/// What the avatar thread tells a session.
#[derive(Debug)]
pub(crate) enum Notice {
    /// The answer for `session.avatar.connecting`.
    Connecting(String),
    /// The connect failed: an `error` event.
    Failed(ProtocolError),
    /// `session.avatar.switch_to_speaking`.
    Speaking,
    /// `session.avatar.switch_to_idle`.
    Idle,
    /// The peer is gone (ICE disconnected, error).
    Disconnected,
}

/// The process's avatar service: the UDP socket and the thread that drives every peer.
#[derive(Debug)]
pub struct AvatarHub {
    commands: mpsc::Sender<Command>,
    next_session: AtomicU64,
    local: SocketAddr,
    candidates: Vec<SocketAddr>,
    settings: AvatarSettings,
}

impl AvatarHub {
    /// Binds the UDP socket and starts the avatar thread. `None` when avatars are disabled.
    ///
    /// # Errors
    ///
    /// The socket cannot be bound.
    pub fn start(settings: &AvatarSettings) -> std::io::Result<Option<Arc<Self>>> {
        if !settings.enabled {
            return Ok(None);
        }
        let socket = UdpSocket::bind(settings.bind)?;
        let local = socket.local_addr()?;
        let candidates = candidates(settings, local);
        info!(%local, ?candidates, "avatar: UDP media socket");
        let (tx, rx) = mpsc::channel();
        let driver = Driver {
            socket,
            candidates: candidates.clone(),
            peers: HashMap::new(),
            commands: rx,
        };
        std::thread::Builder::new()
            .name("vl-avatar".to_owned())
            .spawn(move || driver.run())?;
        Ok(Some(Arc::new(Self {
            commands: tx,
            next_session: AtomicU64::new(1),
            local,
            candidates,
            settings: settings.clone(),
        })))
    }

    /// The bound UDP address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The ICE servers for `session.updated` when the client gave none.
    pub fn ice_servers(&self) -> &[IceServer] {
        &self.settings.ice_servers
    }

    /// The ICE host candidates put in every answer.
    pub fn candidates(&self) -> &[SocketAddr] {
        &self.candidates
    }

    /// A session's handle (closes its peer when dropped).
    pub(crate) fn session(
        self: &Arc<Self>,
    ) -> (SessionAvatar, tokio_mpsc::UnboundedReceiver<Notice>) {
        let (tx, rx) = tokio_mpsc::unbounded_channel();
        let avatar = SessionAvatar {
            hub: Arc::clone(self),
            id: self.next_session.fetch_add(1, Ordering::Relaxed),
            notices: tx,
            active: None,
            item: None,
        };
        (avatar, rx)
    }
}

/// The candidates: the announced addresses, else the bound IP, else loopback + default route.
fn candidates(settings: &AvatarSettings, local: SocketAddr) -> Vec<SocketAddr> {
    let port = local.port();
    if !settings.announce.is_empty() {
        return settings
            .announce
            .iter()
            .map(|&(ip, p)| SocketAddr::new(ip, p.unwrap_or(port)))
            .collect();
    }
    if !local.ip().is_unspecified() {
        return vec![local];
    }
    let mut out = vec![SocketAddr::from((Ipv4Addr::LOCALHOST, port))];
    // The IP of the default route (connect() on UDP sends nothing).
    let routed = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))
        .and_then(|s| s.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).map(|()| s))
        .and_then(|s| s.local_addr());
    if let Ok(a) = routed {
        if !a.ip().is_loopback() && !a.ip().is_unspecified() {
            out.push(SocketAddr::new(a.ip(), port));
        }
    }
    out
}

/// The peer of the session, as the session sees it.
#[derive(Debug, Clone, Copy)]
struct Active {
    /// Also send `response.audio.delta` to the client.
    audit_audio: bool,
    /// The output format at connect time; `None`: not PCM16 at an Opus rate, audio not sent.
    pcm_rate: Option<u32>,
}

/// One session's avatar: forwards the reply media to the avatar thread.
#[derive(Debug)]
pub(crate) struct SessionAvatar {
    hub: Arc<AvatarHub>,
    id: u64,
    notices: tokio_mpsc::UnboundedSender<Notice>,
    active: Option<Active>,
    /// The item whose audio/visemes are being forwarded.
    item: Option<String>,
}

/// `response.animation_viseme.delta` or `.done`.
fn is_viseme_event(event: &ServerEvent) -> bool {
    matches!(
        event,
        ServerEvent::ResponseAnimationVisemeDelta(_) | ServerEvent::ResponseAnimationVisemeDone(_)
    )
}

/// The PCM rate the peer takes for this output format (Opus accepts 8/12/16/24/48 kHz).
fn pcm_rate(format: OutputAudioFormat) -> Option<u32> {
    let rate = format.sample_rate();
    (!format.is_g711() && matches!(rate, 8000 | 12_000 | 16_000 | 24_000 | 48_000)).then_some(rate)
}

impl SessionAvatar {
    /// Asks for a peer answering this connect (the answer comes back as a [`Notice`]).
    pub(crate) fn connect(&mut self, connect: AvatarConnect, session: &ResponseSession) {
        let s = &self.hub.settings;
        let mut config = AvatarPeerConfig::from_session(&connect.avatar, s.max_resolution, s.fps);
        let rate = pcm_rate(session.output_audio_format);
        if let Some(rate) = rate {
            config.audio_rate_hz = rate;
        } else {
            warn!(
                format = ?session.output_audio_format,
                "avatar: output_audio_format is not PCM16 at an Opus rate; the avatar stays silent"
            );
        }
        self.active = Some(Active {
            audit_audio: connect.avatar.output_audit_audio == Some(true),
            pcm_rate: rate,
        });
        self.item = None;
        self.send(Command::Connect {
            session: self.id,
            client_sdp: connect.client_sdp,
            config: Box::new(config),
            event_id: connect.event_id,
            notices: self.notices.clone(),
        });
    }

    /// Looks at a server event before it is sent: feeds the peer; `false` withholds the event
    /// from the client (`response.audio.delta` in avatar mode without `output_audit_audio`, and
    /// the viseme events the engine makes for the avatar when `client_visemes` is false).
    pub(crate) fn observe(&mut self, event: &ServerEvent, client_visemes: bool) -> bool {
        let Some(active) = self.active else {
            // No peer (never connected, failed or gone): the engine may still make visemes for
            // an earlier avatar; only a client that asked for them gets them.
            return client_visemes || !is_viseme_event(event);
        };
        match event {
            ServerEvent::ResponseAudioDelta(d) => {
                self.enter_item(&d.item_id);
                let bytes = active.pcm_rate.and_then(|_| {
                    base64::engine::general_purpose::STANDARD
                        .decode(&d.delta)
                        .ok()
                });
                if let Some(bytes) = bytes {
                    let pcm: Vec<i16> = bytes
                        .chunks_exact(2)
                        .map(|b| i16::from_le_bytes(b.try_into().unwrap_or([0, 0])))
                        .collect();
                    self.send(Command::Audio(self.id, pcm));
                }
                return active.audit_audio;
            }
            ServerEvent::ResponseAnimationVisemeDelta(v) => {
                self.enter_item(&v.item_id);
                self.send(Command::Viseme(self.id, v.audio_offset_ms, v.viseme_id));
                return client_visemes;
            }
            ServerEvent::ResponseAnimationVisemeDone(_) => return client_visemes,
            ServerEvent::OutputAudioBufferCleared(_)
            | ServerEvent::ConversationItemTruncated(_) => {
                self.send(Command::Clear(self.id));
            }
            ServerEvent::ResponseDone(d) if d.response.status == ResponseStatus::Cancelled => {
                self.send(Command::Clear(self.id));
            }
            _ => {}
        }
        true
    }

    /// The server event for a notice, if any (a disconnect ends avatar mode).
    pub(crate) fn on_notice(&mut self, notice: Notice) -> Option<ServerEvent> {
        Some(match notice {
            Notice::Connecting(server_sdp) => SessionAvatarConnecting {
                event_id: None,
                server_sdp,
            }
            .into(),
            Notice::Failed(error) => {
                self.active = None;
                ErrorEvent {
                    event_id: None,
                    error,
                }
                .into()
            }
            Notice::Speaking => SessionAvatarSwitchToSpeaking::default().into(),
            Notice::Idle => SessionAvatarSwitchToIdle::default().into(),
            Notice::Disconnected => {
                self.active = None;
                return None;
            }
        })
    }

    fn enter_item(&mut self, item_id: &str) {
        if self.item.as_deref() != Some(item_id) {
            self.item = Some(item_id.to_owned());
            self.send(Command::StartItem(self.id));
        }
    }

    fn send(&self, command: Command) {
        // The thread lives as long as any sender; a send error means it died (logged there).
        let _ = self.hub.commands.send(command);
    }
}

impl Drop for SessionAvatar {
    fn drop(&mut self) {
        self.send(Command::Close(self.id));
    }
}

/// One peer in the avatar thread.
struct Slot {
    peer: AvatarPeer,
    notices: tokio_mpsc::UnboundedSender<Notice>,
    timeout: Instant,
}

/// The avatar thread's state.
struct Driver {
    socket: UdpSocket,
    candidates: Vec<SocketAddr>,
    peers: HashMap<u64, Slot>,
    commands: mpsc::Receiver<Command>,
}

impl Driver {
    fn run(mut self) {
        let mut buf = vec![0u8; MAX_DATAGRAM];
        loop {
            // Commands: block while there is nothing else to do.
            if self.peers.is_empty() {
                match self.commands.recv() {
                    Ok(c) => self.command(c),
                    Err(_) => return,
                }
            }
            loop {
                match self.commands.try_recv() {
                    Ok(c) => self.command(c),
                    Err(mpsc::TryRecvError::Empty) => break,
                    Err(mpsc::TryRecvError::Disconnected) => {
                        for id in self.peers.keys().copied().collect::<Vec<_>>() {
                            self.close(id);
                        }
                        return;
                    }
                }
            }
            // Timers (media pacing, ICE/DTLS).
            let now = Instant::now();
            let due: Vec<u64> = self
                .peers
                .iter()
                .filter(|(_, s)| s.timeout <= now)
                .map(|(&id, _)| id)
                .collect();
            for id in due {
                let result = match self.peers.get_mut(&id) {
                    Some(slot) => slot.peer.handle_timeout(now),
                    None => continue,
                };
                self.after(id, result.map_err(|e| e.to_string()));
            }
            // Datagrams, until the next timer (or a command poll).
            let next = self.peers.values().map(|s| s.timeout).min();
            let wait = next
                .map_or(COMMAND_POLL, |t| {
                    t.saturating_duration_since(Instant::now())
                })
                .clamp(Duration::from_micros(200), COMMAND_POLL);
            if self.socket.set_read_timeout(Some(wait)).is_err() {
                std::thread::sleep(wait);
            }
            while let Ok((n, source)) = self.socket.recv_from(&mut buf) {
                let data = buf.get(..n).unwrap_or_default();
                self.datagram(source, data);
                // Later datagrams of a burst without waiting.
                if self
                    .socket
                    .set_read_timeout(Some(Duration::from_micros(1)))
                    .is_err()
                {
                    break;
                }
            }
        }
    }

    /// The local candidate a datagram from `source` arrived on (the socket may be bound to the
    /// unspecified address): same family and loopback-ness, else the first.
    fn destination(&self, source: SocketAddr) -> Option<SocketAddr> {
        let same = |c: &&SocketAddr| {
            c.is_ipv4() == source.is_ipv4() && c.ip().is_loopback() == source.ip().is_loopback()
        };
        self.candidates
            .iter()
            .find(same)
            .or(self.candidates.first())
            .copied()
    }

    fn datagram(&mut self, source: SocketAddr, data: &[u8]) {
        let Some(destination) = self.destination(source) else {
            return;
        };
        let Some(id) = self
            .peers
            .iter()
            .find(|(_, s)| s.peer.accepts(source, destination, data))
            .map(|(&id, _)| id)
        else {
            return;
        };
        let result = match self.peers.get_mut(&id) {
            Some(slot) => slot
                .peer
                .handle_input(Instant::now(), source, destination, data),
            None => return,
        };
        self.after(id, result.map_err(|e| e.to_string()));
    }

    /// After an input: on error drop the peer, else drain it.
    fn after(&mut self, id: u64, result: Result<(), String>) {
        if let Err(e) = result {
            warn!(session = id, error = %e, "avatar peer failed");
            self.drop_peer(id);
            return;
        }
        self.drain(id);
    }

    fn drain(&mut self, id: u64) {
        let Some(slot) = self.peers.get_mut(&id) else {
            return;
        };
        let mut gone = false;
        loop {
            match slot.peer.poll_output() {
                Ok(AvatarOutput::Transmit(t)) => {
                    let _ = self.socket.send_to(&t.contents, t.destination);
                }
                Ok(AvatarOutput::Event(e)) => {
                    debug!(session = id, event = ?e, "avatar");
                    let notice = match e {
                        AvatarEvent::SwitchToSpeaking => Notice::Speaking,
                        AvatarEvent::SwitchToIdle => Notice::Idle,
                        AvatarEvent::Disconnected => {
                            gone = true;
                            Notice::Disconnected
                        }
                        _ => continue,
                    };
                    let _ = slot.notices.send(notice);
                }
                Ok(AvatarOutput::Timeout(t)) => {
                    slot.timeout = t;
                    break;
                }
                Err(e) => {
                    warn!(session = id, error = %e, "avatar peer failed");
                    let _ = slot.notices.send(Notice::Disconnected);
                    gone = true;
                    break;
                }
            }
        }
        if gone {
            self.peers.remove(&id);
        }
    }

    fn drop_peer(&mut self, id: u64) {
        if let Some(slot) = self.peers.remove(&id) {
            let _ = slot.notices.send(Notice::Disconnected);
        }
    }

    /// Closes a peer, sending what it still has to send; no notice (the session asked).
    fn close(&mut self, id: u64) {
        if let Some(mut slot) = self.peers.remove(&id) {
            slot.peer.close();
            while let Ok(out) = slot.peer.poll_output() {
                match out {
                    AvatarOutput::Transmit(t) => {
                        let _ = self.socket.send_to(&t.contents, t.destination);
                    }
                    AvatarOutput::Event(_) => {}
                    AvatarOutput::Timeout(_) => break,
                }
            }
        }
    }

    fn command(&mut self, command: Command) {
        match command {
            Command::Connect {
                session,
                client_sdp,
                config,
                event_id,
                notices,
            } => {
                // A second connect replaces the first.
                self.close(session);
                let now = Instant::now();
                match AvatarPeer::accept(&client_sdp, &self.candidates, *config, now) {
                    Ok((peer, server_sdp)) => {
                        info!(session, "avatar: answered an offer");
                        let _ = notices.send(Notice::Connecting(server_sdp));
                        self.peers.insert(
                            session,
                            Slot {
                                peer,
                                notices,
                                timeout: now,
                            },
                        );
                        self.drain(session);
                    }
                    Err(e) => {
                        debug!(session, error = %e, "avatar: connect refused");
                        let error = match e.param() {
                            Some(param) => ProtocolError::invalid_request(
                                "invalid_value",
                                format!("Invalid client_sdp: {e}"),
                                Some(param.to_owned()),
                            ),
                            None => ProtocolError::server_error(
                                "avatar_error",
                                format!("The avatar could not start: {e}"),
                            ),
                        };
                        let _ = notices.send(Notice::Failed(error.with_event_id(event_id)));
                    }
                }
            }
            Command::StartItem(id) => {
                if let Some(s) = self.peers.get_mut(&id) {
                    s.peer.start_item();
                }
            }
            Command::Audio(id, pcm) => {
                if let Some(s) = self.peers.get_mut(&id) {
                    s.peer.push_audio(&pcm);
                }
            }
            Command::Viseme(id, offset_ms, viseme) => {
                if let Some(s) = self.peers.get_mut(&id) {
                    s.peer.push_viseme(offset_ms, viseme);
                }
            }
            Command::Clear(id) => {
                if let Some(s) = self.peers.get_mut(&id) {
                    s.peer.clear_audio();
                }
                self.drain(id);
            }
            Command::Close(id) => self.close(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ice_server_flag_takes_json_or_urls_and_refuses_the_rest() {
        let json = r#"[{"urls": ["turn:relay.example:3478"], "username": "u", "credential": "c"}]"#;
        let servers = parse_ice_servers(json).unwrap();
        assert_eq!(servers.len(), 1);
        assert_eq!(servers[0].urls, ["turn:relay.example:3478"]);
        assert_eq!(servers[0].credential.as_deref(), Some("c"));
        let servers = parse_ice_servers("stun:a.example:3478, turns:b.example").unwrap();
        assert_eq!(servers.len(), 2);
        assert_eq!(servers[1].urls, ["turns:b.example"]);
        assert!(parse_ice_servers("http://a.example").is_err());
        assert!(parse_ice_servers(r#"[{"urls": []}]"#).is_err());
        assert!(parse_ice_servers("[not json").is_err());
        let s = AvatarSettings::from_args(AvatarArgs {
            avatar_ice_servers: Some("stun:a.example".into()),
            ..AvatarArgs::default()
        })
        .unwrap();
        assert_eq!(s.ice_servers.len(), 1);
        assert!(
            AvatarSettings::from_args(AvatarArgs {
                avatar_ice_servers: Some("ftp:x".into()),
                ..AvatarArgs::default()
            })
            .is_err()
        );
    }

    #[test]
    fn resolution_and_announce_flags_parse() {
        assert_eq!(parse_resolution("640x480"), Ok((640, 480)));
        assert!(parse_resolution("640").is_err());
        assert!(parse_resolution("0x480").is_err());
        let s = AvatarSettings::from_args(AvatarArgs {
            avatar_announce: vec!["192.0.2.7".into(), "198.51.100.1:4000".into()],
            ..AvatarArgs::default()
        })
        .unwrap();
        let local = SocketAddr::from((Ipv4Addr::UNSPECIFIED, 5555));
        assert_eq!(
            candidates(&s, local),
            vec![
                "192.0.2.7:5555".parse::<SocketAddr>().unwrap(),
                "198.51.100.1:4000".parse().unwrap()
            ]
        );
        assert!(
            AvatarSettings::from_args(AvatarArgs {
                avatar_announce: vec!["nope".into()],
                ..AvatarArgs::default()
            })
            .is_err()
        );
        assert!(
            AvatarSettings::from_args(AvatarArgs {
                avatar_fps: Some(0.0),
                ..AvatarArgs::default()
            })
            .is_err()
        );
        // Unspecified bind: loopback first.
        let d = AvatarSettings::default();
        assert_eq!(candidates(&d, local)[0], "127.0.0.1:5555".parse().unwrap());
    }

    #[test]
    fn without_a_peer_only_a_client_that_asked_gets_visemes() {
        let hub = AvatarHub::start(&AvatarSettings {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            ..AvatarSettings::default()
        })
        .unwrap()
        .unwrap();
        let (mut avatar, _notices) = hub.session();
        // A failed connect leaves no peer (the engine keeps making visemes for the avatar).
        assert!(
            avatar
                .on_notice(Notice::Failed(ProtocolError::server_error(
                    "avatar_error",
                    "x"
                )))
                .is_some()
        );
        let viseme: ServerEvent = serde_json::from_value(serde_json::json!({
            "type": "response.animation_viseme.delta", "event_id": "e", "response_id": "r",
            "item_id": "i", "output_index": 0, "content_index": 0, "audio_offset_ms": 0,
            "viseme_id": 1
        }))
        .unwrap();
        assert!(!avatar.observe(&viseme, false));
        assert!(avatar.observe(&viseme, true));
        let done: ServerEvent = serde_json::from_value(serde_json::json!({
            "type": "response.done", "event_id": "e",
            "response": {"id": "r", "object": "realtime.response", "status": "completed",
                         "output": []}
        }))
        .unwrap();
        assert!(avatar.observe(&done, false), "other events pass");
    }

    #[test]
    fn only_pcm16_at_opus_rates_feeds_the_peer() {
        assert_eq!(pcm_rate(OutputAudioFormat::Pcm16), Some(24_000));
        assert_eq!(pcm_rate(OutputAudioFormat::Pcm16At16000), Some(16_000));
        assert_eq!(pcm_rate(OutputAudioFormat::Pcm16At22050), None);
        assert_eq!(pcm_rate(OutputAudioFormat::G711Ulaw), None);
    }
}
