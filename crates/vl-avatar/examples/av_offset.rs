//! Measures the avatar's audio/video offset as a viewer sees it: one peer streams over loopback
//! to the in-process [`ReceiverClient`] (str0m, Opus and OpenH264 decoders), which records when
//! each decoded audio packet and video frame arrives. Each burst is 200 ms of silence, 600 ms of
//! a tone with the viseme ɑ (open mouth) on the tone's first sample and silence (closed) on its
//! last, then silence. The offset of an edge is the arrival of the first video frame whose mouth
//! region (mean luma) has moved half-way between rest and open, minus the arrival of the first
//! audio packet of the tone (onset) or of the silence after it (release); positive = video late.
//! The broadcast lip-sync tolerance it is compared with is |offset| ≤ 45 ms.
//!
//! `cargo run --release -p vl-avatar --example av_offset -- [bursts]`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "measurement tool over loopback: a failed socket or negotiation is a panic"
)]

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use vl_avatar::client::ReceiverClient;
use vl_avatar::renderer::Renderer;
use vl_avatar::{AvatarOutput, AvatarPeer, AvatarPeerConfig};

/// Audio rate of the pushed reply, Hz.
const RATE: usize = 24_000;
/// One burst: lead-in silence, tone, tail silence, ms.
const LEAD_MS: usize = 200;
const TONE_MS: usize = 600;
const TAIL_MS: usize = 800;
/// RMS (PCM16) above which a 20 ms packet counts as the tone.
const LOUD: f64 = 1000.0;

fn main() {
    let bursts: usize = std::env::args()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let config = AvatarPeerConfig::default();
    let mouth = Renderer::new(config.render).unwrap().mouth_region();
    let (mut client, client_sdp) = ReceiverClient::new(Instant::now()).unwrap();
    client.watch(mouth);
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_nonblocking(true).unwrap();
    let addr = socket.local_addr().unwrap();
    let (mut peer, server_sdp) =
        AvatarPeer::accept(&client_sdp, &[addr], config, Instant::now()).unwrap();
    client.accept_answer(&server_sdp).unwrap();

    let burst_ms = LEAD_MS + TONE_MS + TAIL_MS;
    let mut starts: Vec<Instant> = Vec::new();
    let mut connected: Option<Instant> = None;
    let mut timeout = Instant::now();
    let mut buf = vec![0u8; 2048];
    let deadline = Instant::now() + Duration::from_secs(20 + 2 * bursts as u64);
    loop {
        let now = Instant::now();
        assert!(now < deadline, "timed out");
        if let Some(t0) = connected {
            let next = t0 + Duration::from_millis(600 + (starts.len() * burst_ms) as u64);
            if starts.len() < bursts && now >= next {
                starts.push(now);
                peer.start_item();
                let mut pcm = vec![0i16; RATE * burst_ms / 1000];
                let tone = RATE * LEAD_MS / 1000..RATE * (LEAD_MS + TONE_MS) / 1000;
                for (i, s) in pcm.iter_mut().enumerate().take(tone.end).skip(tone.start) {
                    *s = ((i as f64 * 2.0 * std::f64::consts::PI * 220.0 / RATE as f64).sin()
                        * 8000.0) as i16;
                }
                peer.push_audio(&pcm);
                peer.push_viseme(0, 0);
                peer.push_viseme(LEAD_MS as u32, 2);
                peer.push_viseme((LEAD_MS + TONE_MS) as u32, 0);
            } else if starts.len() == bursts && now >= next + Duration::from_millis(burst_ms as u64)
            {
                break;
            }
        }
        if now >= timeout {
            peer.handle_timeout(now).unwrap();
        }
        loop {
            match peer.poll_output().unwrap() {
                AvatarOutput::Transmit(t) => {
                    let _ = socket.send_to(&t.contents, t.destination);
                }
                AvatarOutput::Event(vl_avatar::AvatarEvent::Connected) => {
                    connected.get_or_insert_with(Instant::now);
                }
                AvatarOutput::Event(_) => {}
                AvatarOutput::Timeout(t) => {
                    timeout = t;
                    break;
                }
            }
        }
        while let Ok((n, source)) = socket.recv_from(&mut buf) {
            peer.handle_input(Instant::now(), source, addr, &buf[..n])
                .unwrap();
        }
        client.step(Duration::from_millis(1)).unwrap();
    }

    let got = client.received;
    let frames: Vec<(Instant, f64)> = got
        .video
        .iter()
        .zip(&got.watched_luma)
        .map(|((t, _, _), &l)| (*t, l))
        .filter(|(_, l)| l.is_finite())
        .collect();
    let mut onsets = Vec::new();
    let mut releases = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let end = starts
            .get(i + 1)
            .copied()
            .unwrap_or(start + Duration::from_millis(2 * burst_ms as u64));
        let audio: Vec<&(Instant, f64)> = got
            .audio
            .iter()
            .filter(|(t, _)| *t >= start && *t < end)
            .collect();
        let video: Vec<&(Instant, f64)> = frames
            .iter()
            .filter(|(t, _)| *t >= start && *t < end)
            .collect();
        let Some(a_on) = audio.iter().position(|(_, r)| *r > LOUD) else {
            continue;
        };
        let Some(a_off) = audio.iter().skip(a_on).position(|(_, r)| *r <= LOUD) else {
            continue;
        };
        let (a_on_t, a_off_t) = (audio[a_on].0, audio[a_on + a_off].0);
        let rest = video
            .iter()
            .rev()
            .find(|(t, _)| *t < a_on_t)
            .map(|(_, l)| *l);
        let Some(rest) = rest else { continue };
        let open = video
            .iter()
            .map(|(_, l)| *l)
            .max_by(|a, b| (a - rest).abs().total_cmp(&(b - rest).abs()))
            .unwrap_or(rest);
        let half = (open - rest).abs() / 2.0;
        let moved = |l: f64| (l - rest).abs() > half;
        let v_on = video.iter().find(|(t, l)| *t >= start && moved(*l));
        let v_off = v_on.and_then(|(t_on, _)| {
            video
                .iter()
                .find(|(t, l)| *t > *t_on && *t >= a_on_t && !moved(*l))
        });
        let ms = |v: Instant, a: Instant| {
            if v >= a {
                (v - a).as_secs_f64() * 1000.0
            } else {
                -((a - v).as_secs_f64() * 1000.0)
            }
        };
        if let Some((t, _)) = v_on {
            onsets.push(ms(*t, a_on_t));
        }
        if let Some((t, _)) = v_off {
            releases.push(ms(*t, a_off_t));
        }
    }
    let report = |name: &str, v: &[f64]| {
        if v.is_empty() {
            println!("{name}: no edges measured");
            return;
        }
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let worst = v.iter().copied().fold(0.0f64, |m, x| m.max(x.abs()));
        println!(
            "{name}: {} edges, mean {mean:+.1} ms, max |offset| {worst:.1} ms, each {:?}",
            v.len(),
            v.iter().map(|x| x.round() as i64).collect::<Vec<_>>()
        );
    };
    println!(
        "av_offset: {bursts} bursts, {} audio packets, {} frames (video late = positive)",
        got.audio.len(),
        got.video.len()
    );
    report("mouth opens vs tone onset", &onsets);
    report("mouth closes vs tone end", &releases);
}
