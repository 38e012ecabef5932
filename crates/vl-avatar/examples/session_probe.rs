//! Streams one avatar session over loopback for N seconds (speaking 2 s of every 3) to an
//! in-process str0m client and reports the server thread's CPU time: the measured cost of one
//! session (render + H.264 + Opus + SRTP + pacing), plus delivered frame/packet rates.
//!
//! `cargo run -p vl-avatar --example session_probe -- [seconds] [width] [height]`

#![allow(
    clippy::unwrap_used,
    reason = "measurement tool over loopback: a failed socket or negotiation is a panic"
)]

use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use str0m::change::SdpAnswer;
use str0m::media::{Direction, MediaKind};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, RtcConfig};
use vl_avatar::sdp::{decode_server_sdp, encode_client_sdp};
use vl_avatar::{AvatarOutput, AvatarPeer, AvatarPeerConfig};

/// utime + stime of the calling thread, in seconds (from /proc/thread-self/stat, 100 Hz ticks).
fn thread_cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = after.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let secs: f64 = args.next().and_then(|v| v.parse().ok()).unwrap_or(20.0);
    let w: u32 = args.next().and_then(|v| v.parse().ok()).unwrap_or(512);
    let h: u32 = args.next().and_then(|v| v.parse().ok()).unwrap_or(512);

    let csock = UdpSocket::bind("127.0.0.1:0").unwrap();
    csock
        .set_read_timeout(Some(Duration::from_millis(2)))
        .unwrap();
    let caddr = csock.local_addr().unwrap();
    let mut client = RtcConfig::new()
        .set_crypto_provider(Arc::new(str0m::crypto::from_feature_flags()))
        .build(Instant::now());
    client.add_local_candidate(Candidate::host(caddr, "udp").unwrap());
    let mut api = client.sdp_api();
    let vmid = api.add_media(MediaKind::Video, Direction::RecvOnly, None, None, None);
    let amid = api.add_media(MediaKind::Audio, Direction::RecvOnly, None, None, None);
    let (offer, pending) = api.apply().unwrap();

    let ssock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let saddr = ssock.local_addr().unwrap();
    let mut cfg = AvatarPeerConfig::default();
    cfg.render.canvas = (w, h);
    cfg.render.output = (w, h);
    let (mut peer, server_sdp) = AvatarPeer::accept(
        &encode_client_sdp(&offer.to_sdp_string()),
        &[saddr],
        cfg,
        Instant::now(),
    )
    .unwrap();
    let answer = SdpAnswer::from_sdp_string(&decode_server_sdp(&server_sdp).unwrap()).unwrap();
    client.sdp_api().accept_answer(pending, answer).unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    let server = std::thread::spawn(move || {
        let mut buf = vec![0u8; 2000];
        let mut connected: Option<(Instant, f64)> = None;
        let mut next_reply = Instant::now();
        loop {
            let timeout = loop {
                match peer.poll_output().unwrap() {
                    AvatarOutput::Transmit(t) => {
                        let _ = ssock.send_to(&t.contents, t.destination);
                    }
                    AvatarOutput::Event(vl_avatar::AvatarEvent::Connected) => {
                        connected = Some((Instant::now(), thread_cpu_s()));
                        next_reply = Instant::now() + Duration::from_millis(500);
                    }
                    AvatarOutput::Event(_) => {}
                    AvatarOutput::Timeout(t) => break t,
                }
            };
            if stop2.load(Ordering::Relaxed) {
                let (t0, c0) = connected.expect("connected");
                return (
                    t0.elapsed().as_secs_f64(),
                    thread_cpu_s() - c0,
                    peer.stats(),
                );
            }
            if connected.is_some() && Instant::now() >= next_reply {
                next_reply += Duration::from_secs(3);
                peer.start_item();
                let pcm: Vec<i16> = (0..48_000)
                    .map(|i| ((i as f64 * 0.06).sin() * 7000.0) as i16)
                    .collect();
                peer.push_audio(&pcm);
                for k in 0..20u32 {
                    peer.push_viseme(k * 100, [2, 21, 7, 15, 1][(k % 5) as usize]);
                }
            }
            let wait = timeout.saturating_duration_since(Instant::now());
            if wait.is_zero() {
                peer.handle_timeout(Instant::now()).unwrap();
                continue;
            }
            ssock
                .set_read_timeout(Some(wait.min(Duration::from_millis(50))))
                .unwrap();
            match ssock.recv_from(&mut buf) {
                Ok((n, src)) => peer
                    .handle_input(Instant::now(), src, saddr, &buf[..n])
                    .unwrap(),
                Err(_) => peer.handle_timeout(Instant::now()).unwrap(),
            }
        }
    });

    let (mut frames, mut packets) = (0u64, 0u64);
    let mut buf = vec![0u8; 2000];
    let end = Instant::now() + Duration::from_secs_f64(secs + 1.0);
    while Instant::now() < end {
        loop {
            match client.poll_output().unwrap() {
                Output::Transmit(t) => {
                    let _ = csock.send_to(&t.contents, t.destination);
                }
                Output::Event(Event::MediaData(m)) if m.mid == vmid => frames += 1,
                Output::Event(Event::MediaData(m)) if m.mid == amid => packets += 1,
                Output::Event(_) => {}
                Output::Timeout(_) => break,
            }
        }
        let input = match csock.recv_from(&mut buf) {
            Ok((n, src)) => Input::Receive(
                Instant::now(),
                Receive {
                    proto: Protocol::Udp,
                    source: src,
                    destination: caddr,
                    contents: buf[..n].try_into().unwrap(),
                },
            ),
            Err(_) => Input::Timeout(Instant::now()),
        };
        client.handle_input(input).unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let (wall, cpu, stats) = server.join().unwrap();
    println!(
        "session_probe {w}x{h}: {wall:.1} s streamed, server thread CPU {cpu:.2} s = {:.1} % of one core; \
         client got {frames} video frames ({:.1} fps), {packets} audio packets ({:.1}/s); \
         video {:.0} kbit/s, {} keyframes",
        100.0 * cpu / wall,
        frames as f64 / wall,
        packets as f64 / wall,
        stats.video_bytes as f64 * 8.0 / wall / 1000.0,
        stats.keyframes
    );
}
