//! [`AvatarPeerConfig`] from the session's `avatar` object (avatar.md §1.1, §2.3 policy).

use vl_schema::session::AvatarConfig;

use crate::renderer::{Crop, RenderConfig, Rgb};
use crate::video::VideoConfig;

/// The canvas used when `video.resolution` is absent, pixels.
pub const DEFAULT_CANVAS: (u32, u32) = (512, 512);
/// The default output cap (largest encoded frame), pixels.
pub const DEFAULT_CAP: (u32, u32) = (1280, 720);
/// Default Opus bit rate, bit/s.
pub const DEFAULT_AUDIO_BITRATE: u32 = 32_000;

/// Everything an [`crate::AvatarPeer`] needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AvatarPeerConfig {
    /// Renderer settings (canvas, crop, output size, colours).
    pub render: RenderConfig,
    /// Encoder settings (fps, bit rate, GOP).
    pub video: VideoConfig,
    /// Rate of the PCM16 passed to `push_audio`, Hz (Voice Live output: 24 000).
    pub audio_rate_hz: u32,
    /// Opus bit rate, bit/s.
    pub audio_bitrate_bps: u32,
}

impl Default for AvatarPeerConfig {
    fn default() -> Self {
        Self {
            render: RenderConfig::default(),
            video: VideoConfig::default(),
            audio_rate_hz: 24_000,
            audio_bitrate_bps: DEFAULT_AUDIO_BITRATE,
        }
    }
}

/// Skin/hair presets chosen by the character name.
const PRESETS: [(Rgb, Rgb); 4] = [
    (Rgb(236, 188, 150), Rgb(70, 45, 30)),
    (Rgb(198, 134, 96), Rgb(25, 20, 20)),
    (Rgb(245, 205, 175), Rgb(200, 150, 60)),
    (Rgb(141, 85, 60), Rgb(15, 10, 10)),
];

impl AvatarPeerConfig {
    /// Builds the configuration from a validated `session.avatar`: `video.resolution` is the
    /// canvas (default 512×512), `video.crop` (clamped to the canvas) the part sent, scaled down
    /// to fit `cap` keeping its aspect ratio; `bitrate` (default 2 Mbit/s), `gop_size` (default
    /// 10), `background.color` (alpha ignored); `character` picks a colour preset. `fps` is the
    /// server's frame rate (Azure does not document one; 25 recommended).
    pub fn from_session(avatar: &AvatarConfig, cap: (u32, u32), fps: f32) -> Self {
        let mut cfg = Self::default();
        let video = avatar.video.as_ref();
        let canvas = video
            .and_then(|v| v.resolution.as_ref())
            .map_or(DEFAULT_CANVAS, |r| (r.width.max(2), r.height.max(2)));
        let crop = video.and_then(|v| v.crop.as_ref()).and_then(|c| {
            let coord = |v: &[i64], i: usize, max: u32| {
                v.get(i).map(|&x| x.clamp(0, i64::from(max)) as u32)
            };
            let crop = Crop {
                x0: coord(&c.top_left, 0, canvas.0)?,
                y0: coord(&c.top_left, 1, canvas.1)?,
                x1: coord(&c.bottom_right, 0, canvas.0)?,
                y1: coord(&c.bottom_right, 1, canvas.1)?,
            };
            (crop.x1 > crop.x0 + 1 && crop.y1 > crop.y0 + 1).then_some(crop)
        });
        let (sw, sh) = crop.map_or(canvas, |c| (c.x1 - c.x0, c.y1 - c.y0));
        let scale = (f64::from(cap.0.max(2)) / f64::from(sw))
            .min(f64::from(cap.1.max(2)) / f64::from(sh))
            .min(1.0);
        let out = |v: u32| (((f64::from(v) * scale) as u32) & !1).max(2);
        cfg.render.canvas = canvas;
        cfg.render.crop = crop;
        cfg.render.output = (out(sw), out(sh));
        if let Some(bg) = video
            .and_then(|v| v.background.as_ref())
            .and_then(|b| b.color.as_deref())
            .and_then(Rgb::parse)
        {
            cfg.render.background = bg;
        }
        let preset = avatar.character.bytes().fold(0usize, |h, b| {
            h.wrapping_mul(31).wrapping_add(usize::from(b))
        });
        if let Some(&(skin, hair)) = PRESETS.get(preset % PRESETS.len()) {
            cfg.render.skin = skin;
            cfg.render.hair = hair;
        }
        cfg.video.fps = if fps.is_finite() && fps >= 1.0 {
            fps.min(60.0)
        } else {
            25.0
        };
        if let Some(b) = video.and_then(|v| v.bitrate) {
            cfg.video.bitrate_bps = b.clamp(50_000, 20_000_000);
        }
        if let Some(g) = video.and_then(|v| v.gop_size) {
            cfg.video.gop_size = g.clamp(1, 2000);
        }
        cfg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_the_official_sample_settings() {
        let avatar: AvatarConfig = serde_json::from_value(serde_json::json!({
            "character": "lisa", "style": "casual-sitting",
            "video": {"bitrate": 1000000, "gop_size": 25,
                      "resolution": {"width": 1920, "height": 1080},
                      "crop": {"top_left": [560, 0], "bottom_right": [1360, 1080]},
                      "background": {"color": "#00FF00FF"}}
        }))
        .unwrap();
        let c = AvatarPeerConfig::from_session(&avatar, DEFAULT_CAP, 25.0);
        assert_eq!(c.render.canvas, (1920, 1080));
        assert_eq!(
            c.render.crop,
            Some(Crop {
                x0: 560,
                y0: 0,
                x1: 1360,
                y1: 1080
            })
        );
        // 800x1080 scaled into 1280x720: 533.3x720 -> even.
        assert_eq!(c.render.output, (532, 720));
        assert_eq!(c.render.background, Rgb(0, 255, 0));
        assert_eq!(c.video.bitrate_bps, 1_000_000);
        assert_eq!(c.video.gop_size, 25);
    }

    #[test]
    fn defaults_and_clamps() {
        let avatar: AvatarConfig =
            serde_json::from_value(serde_json::json!({"character": "max"})).unwrap();
        let c = AvatarPeerConfig::from_session(&avatar, DEFAULT_CAP, f32::NAN);
        assert_eq!(c.render.output, (512, 512));
        assert_eq!(c.render.crop, None);
        assert_eq!(c.video.bitrate_bps, 2_000_000);
        assert_eq!(c.video.gop_size, 10);
        assert_eq!(c.video.fps, 25.0);
        let odd: AvatarConfig = serde_json::from_value(serde_json::json!({
            "character": "x",
            "video": {"resolution": {"width": 640, "height": 480},
                      "crop": {"top_left": [-5, 900], "bottom_right": [9999, 100]}}
        }))
        .unwrap();
        let c = AvatarPeerConfig::from_session(&odd, DEFAULT_CAP, 30.0);
        assert_eq!(
            c.render.crop, None,
            "an empty crop after clamping is ignored"
        );
        assert_eq!(c.render.output, (640, 480));
    }
}
