//! H.264 encoding with OpenH264 (built from the crate's bundled source): Constrained Baseline,
//! bitrate rate control, an IDR every `gop_size` frames and on request (PLI/FIR).

use openh264::OpenH264API;
use openh264::encoder::{
    BitRate, Complexity, Encoder, EncoderConfig, FrameRate, FrameType, IntraFramePeriod, Profile,
    RateControlMode, UsageType, VuiConfig,
};
use openh264::formats::YUVSource;

use crate::frame::I420Frame;

/// Encoder settings (from `session.avatar.video`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VideoConfig {
    /// Frame rate, frames/s.
    pub fps: f32,
    /// Target bit rate, bit/s (`video.bitrate`, default 2 000 000).
    pub bitrate_bps: u32,
    /// Keyframe interval, frames (`video.gop_size`, default 10).
    pub gop_size: u32,
}

impl Default for VideoConfig {
    fn default() -> Self {
        Self {
            fps: 25.0,
            bitrate_bps: 2_000_000,
            gop_size: 10,
        }
    }
}

/// Video encoder errors.
#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    /// OpenH264 reported an error.
    #[error("openh264: {0}")]
    OpenH264(#[from] openh264::Error),
}

/// One encoded access unit (Annex-B NAL units with start codes), borrowed from the encoder.
#[derive(Debug, Clone, Copy)]
pub struct EncodedFrame<'a> {
    /// Annex-B bytes; empty when the encoder skipped the frame.
    pub data: &'a [u8],
    /// Whether this is an IDR (keyframe).
    pub keyframe: bool,
}

struct Planes<'a>(&'a I420Frame);

impl YUVSource for Planes<'_> {
    fn dimensions(&self) -> (usize, usize) {
        (self.0.width(), self.0.height())
    }
    fn strides(&self) -> (usize, usize, usize) {
        let w = self.0.width();
        (w, w / 2, w / 2)
    }
    fn y(&self) -> &[u8] {
        self.0.y()
    }
    fn u(&self) -> &[u8] {
        self.0.u()
    }
    fn v(&self) -> &[u8] {
        self.0.v()
    }
}

/// An OpenH264 encoder with a reusable output buffer.
pub struct H264Encoder {
    enc: Encoder,
    config: VideoConfig,
    out: Vec<u8>,
    frames: u64,
}

impl std::fmt::Debug for H264Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("H264Encoder")
            .field("config", &self.config)
            .field("frames", &self.frames)
            .finish_non_exhaustive()
    }
}

impl H264Encoder {
    /// Creates the encoder (the frame size is taken from the first frame).
    pub fn new(config: VideoConfig) -> Result<Self, VideoError> {
        let fps = if config.fps.is_finite() && config.fps > 0.0 {
            config.fps
        } else {
            25.0
        };
        let cfg = EncoderConfig::new()
            .bitrate(BitRate::from_bps(config.bitrate_bps.max(50_000)))
            .max_frame_rate(FrameRate::from_hz(fps))
            .rate_control_mode(RateControlMode::Bitrate)
            .usage_type(UsageType::CameraVideoRealTime)
            .profile(Profile::Baseline)
            .complexity(Complexity::Low)
            .intra_frame_period(IntraFramePeriod::from_num_frames(
                config.gop_size.clamp(1, 2000),
            ))
            .skip_frames(false)
            .vui(VuiConfig::bt601());
        let enc = Encoder::with_api_config(OpenH264API::from_source(), cfg)?;
        Ok(Self {
            enc,
            config,
            out: Vec::with_capacity(256 * 1024),
            frames: 0,
        })
    }

    /// The settings.
    pub fn config(&self) -> &VideoConfig {
        &self.config
    }

    /// Makes the next frame an IDR (on PLI/FIR).
    pub fn request_keyframe(&mut self) {
        self.enc.force_intra_frame();
    }

    /// Encodes one frame.
    pub fn encode(&mut self, frame: &I420Frame) -> Result<EncodedFrame<'_>, VideoError> {
        let ts = openh264::Timestamp::from_millis(
            (self.frames as f64 * 1000.0 / f64::from(self.config.fps.max(1.0))) as u64,
        );
        self.frames += 1;
        let bits = self.enc.encode_at(&Planes(frame), ts)?;
        let keyframe = matches!(bits.frame_type(), FrameType::IDR | FrameType::I);
        self.out.clear();
        bits.write_vec(&mut self.out);
        Ok(EncodedFrame {
            data: &self.out,
            keyframe,
        })
    }
}

/// The NAL unit types in an Annex-B byte stream, in order.
pub fn nal_types(annex_b: &[u8]) -> impl Iterator<Item = u8> + '_ {
    openh264::nal_units(annex_b).filter_map(|nal| {
        let start = nal.iter().position(|&b| b != 0).map(|i| i + 1)?;
        nal.get(start).map(|h| h & 0x1f)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::renderer::{RenderConfig, Renderer};
    use crate::rig::Rig;
    use openh264::decoder::Decoder;

    fn psnr(a: &[u8], b: &[u8]) -> f64 {
        let mse = a
            .iter()
            .zip(b)
            .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
            .sum::<f64>()
            / a.len() as f64;
        10.0 * (255.0f64 * 255.0 / mse.max(1e-9)).log10()
    }

    #[test]
    fn encode_decode_round_trip_keeps_size_and_image() {
        let mut renderer = Renderer::new(RenderConfig::default()).unwrap();
        let mut rig = Rig::default();
        let mut enc = H264Encoder::new(VideoConfig::default()).unwrap();
        let mut dec = Decoder::new().unwrap();
        let mut decoded = I420Frame::new(512, 512);
        let mut keyframes = Vec::new();
        let mut worst = f64::MAX;
        for i in 0..30u32 {
            if i == 13 {
                enc.request_keyframe();
            }
            let viseme = if (8..20).contains(&i) { 2 } else { 0 };
            let state = *rig.advance(40.0, viseme);
            let src = renderer.render(&state).clone();
            let out = enc.encode(&src).unwrap();
            assert!(!out.data.is_empty());
            if out.keyframe {
                keyframes.push(i);
                assert!(
                    nal_types(out.data).any(|t| t == 5),
                    "IDR NAL in keyframe {i}"
                );
                assert!(nal_types(out.data).any(|t| t == 7), "SPS with keyframe {i}");
            }
            let data = out.data.to_vec();
            let yuv = dec
                .decode(&data)
                .unwrap()
                .expect("a decoded picture per access unit");
            assert_eq!(yuv.dimensions(), (512, 512));
            assert!(decoded.copy_from_planes((yuv.y(), yuv.u(), yuv.v()), yuv.strides()));
            worst = worst.min(psnr(src.y(), decoded.y()));
        }
        // OpenH264 restarts the GOP count at a forced IDR.
        assert_eq!(
            keyframes,
            vec![0, 10, 13, 23],
            "gop 10 plus the requested one"
        );
        assert!(worst > 32.0, "worst luma PSNR {worst:.1} dB");
    }

    #[test]
    fn nal_types_parses_annex_b() {
        let bytes = [
            0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 9,
        ];
        assert_eq!(nal_types(&bytes).collect::<Vec<_>>(), vec![7, 8, 5]);
    }
}
