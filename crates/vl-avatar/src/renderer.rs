//! A flat 2D face drawn with tiny-skia: head, hair, eyes (with blinks), brows and a mouth whose
//! opening, spread and rounding follow the [`RigState`]. Output is an [`I420Frame`].

use tiny_skia::{Color, Pixmap, Point, Transform};

use crate::frame::I420Frame;
use crate::rig::RigState;

/// An opaque RGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Parses `#RRGGBB` or `#RRGGBBAA` (alpha ignored, as Azure does).
    pub fn parse(s: &str) -> Option<Self> {
        let hex = s.strip_prefix('#')?;
        if !(hex.len() == 6 || hex.len() == 8) || !hex.is_ascii() {
            return None;
        }
        let byte = |i: usize| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        };
        Some(Self(byte(0)?, byte(2)?, byte(4)?))
    }

    fn color(self) -> Color {
        Color::from_rgba8(self.0, self.1, self.2, 255)
    }
}

/// A crop rectangle in canvas pixels: `x0..x1`, `y0..y1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crop {
    /// Left edge.
    pub x0: u32,
    /// Top edge.
    pub y0: u32,
    /// Right edge (exclusive).
    pub x1: u32,
    /// Bottom edge (exclusive).
    pub y1: u32,
}

/// What to draw and at which size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenderConfig {
    /// The canvas the face is laid out on (`avatar.video.resolution`), pixels.
    pub canvas: (u32, u32),
    /// The part of the canvas that is sent (`avatar.video.crop`); `None` = all of it.
    pub crop: Option<Crop>,
    /// The encoded frame size, pixels (rounded down to even); the crop is scaled to it.
    pub output: (u32, u32),
    /// Background colour.
    pub background: Rgb,
    /// Skin colour.
    pub skin: Rgb,
    /// Hair colour.
    pub hair: Rgb,
}

impl Default for RenderConfig {
    fn default() -> Self {
        Self {
            canvas: (512, 512),
            crop: None,
            output: (512, 512),
            background: Rgb(0, 120, 70),
            skin: Rgb(236, 188, 150),
            hair: Rgb(70, 45, 30),
        }
    }
}

/// The face layout in canvas coordinates, fixed per configuration.
#[derive(Debug, Clone, Copy)]
struct Layout {
    cx: f32,
    cy: f32,
    r: f32,
}

/// Renders rig states to I420 frames. Buffers are allocated once in [`Renderer::new`].
#[derive(Debug)]
pub struct Renderer {
    config: RenderConfig,
    layout: Layout,
    base: Transform,
    pixmap: Pixmap,
    frame: I420Frame,
}

/// The renderer could not allocate its canvas (zero or absurd size).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid avatar frame size {0}x{1}")]
pub struct InvalidSize(pub u32, pub u32);

impl Renderer {
    /// Allocates the canvas for `config.output` (rounded down to even, ≥ 2×2).
    pub fn new(config: RenderConfig) -> Result<Self, InvalidSize> {
        let (ow, oh) = ((config.output.0 & !1).max(2), (config.output.1 & !1).max(2));
        let pixmap = Pixmap::new(ow, oh).ok_or(InvalidSize(config.output.0, config.output.1))?;
        let (cw, ch) = (config.canvas.0.max(1) as f32, config.canvas.1.max(1) as f32);
        let crop = config.crop.unwrap_or(Crop {
            x0: 0,
            y0: 0,
            x1: config.canvas.0.max(1),
            y1: config.canvas.1.max(1),
        });
        let crop_w = crop.x1.saturating_sub(crop.x0).max(1) as f32;
        let crop_h = crop.y1.saturating_sub(crop.y0).max(1) as f32;
        let base = Transform::from_translate(-(crop.x0 as f32), -(crop.y0 as f32))
            .post_scale(ow as f32 / crop_w, oh as f32 / crop_h);
        Ok(Self {
            config,
            layout: Layout {
                cx: cw / 2.0,
                cy: ch * 0.5,
                r: cw.min(ch) * 0.34,
            },
            base,
            pixmap,
            frame: I420Frame::new(ow as usize, oh as usize),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &RenderConfig {
        &self.config
    }

    /// The last rendered frame.
    pub fn frame(&self) -> &I420Frame {
        &self.frame
    }

    /// The mouth's bounding box in output pixels (`x0, y0, x1, y1`), at rest position, with a
    /// margin covering sway and the widest opening.
    pub fn mouth_region(&self) -> (usize, usize, usize, usize) {
        let Layout { cx, cy, r } = self.layout;
        let (mx, my) = (cx, cy + 0.45 * r);
        self.map_box(mx - 0.42 * r, my - 0.25 * r, mx + 0.42 * r, my + 0.42 * r)
    }

    /// The eyes' bounding box in output pixels (`x0, y0, x1, y1`).
    pub fn eye_region(&self) -> (usize, usize, usize, usize) {
        let Layout { cx, cy, r } = self.layout;
        self.map_box(cx - 0.55 * r, cy - 0.35 * r, cx + 0.55 * r, cy - 0.02 * r)
    }

    fn map_box(&self, x0: f32, y0: f32, x1: f32, y1: f32) -> (usize, usize, usize, usize) {
        let mut p = [Point::from_xy(x0, y0), Point::from_xy(x1, y1)];
        self.base.map_points(&mut p);
        let c = |v: f32| v.max(0.0) as usize;
        (c(p[0].x), c(p[0].y), c(p[1].x), c(p[1].y))
    }

    /// Draws `state` and converts it to I420; returns the frame.
    pub fn render(&mut self, state: &RigState) -> &I420Frame {
        self.pixmap.fill(self.config.background.color());
        let Layout { cx, cy, r } = self.layout;
        let cx = cx + state.head_offset.0 * r;
        let cy = cy + state.head_offset.1 * r;
        let skin = self.config.skin;
        let hair = self.config.hair;
        let dark = Rgb(40, 30, 30);

        // Neck and shoulders, then hair behind the head, then the head.
        self.oval(cx, cy + 1.25 * r, 1.1 * r, 0.45 * r, Rgb(60, 80, 140));
        self.oval(cx, cy + 0.95 * r, 0.3 * r, 0.35 * r, skin);
        self.oval(cx, cy - 0.12 * r, 1.02 * r, 1.05 * r, hair);
        self.oval(cx, cy + 0.05 * r, 0.82 * r, 0.98 * r, skin);

        // Eyes: white, iris, and the lid closing with the blink.
        let open = state.eye_open.clamp(0.0, 1.0);
        for side in [-1.0f32, 1.0] {
            let ex = cx + side * 0.33 * r;
            let ey = cy - 0.18 * r;
            if open > 0.08 {
                self.oval(ex, ey, 0.16 * r, 0.1 * r * open, Rgb(250, 250, 250));
                self.oval(ex, ey, 0.065 * r, 0.065 * r * open, Rgb(60, 90, 120));
            } else {
                self.oval(ex, ey, 0.16 * r, 0.015 * r, dark);
            }
            self.oval(ex, ey - 0.2 * r, 0.17 * r, 0.035 * r, hair);
        }
        self.oval(cx, cy + 0.15 * r, 0.07 * r, 0.1 * r, Rgb(220, 165, 130));

        // Mouth: lips as an outer ellipse, the opening as a dark inner one.
        let m = state.mouth;
        let mx = cx;
        let my = cy + 0.45 * r;
        let half_w =
            r * (0.16 + 0.16 * m.width.clamp(0.0, 1.0)) * (1.0 - 0.35 * m.round.clamp(0.0, 1.0));
        let open_h = r * 0.22 * m.open.clamp(0.0, 1.0);
        let lip = 0.035 * r * (1.0 + 0.8 * m.round.clamp(0.0, 1.0));
        self.oval(
            mx,
            my + open_h * 0.3,
            half_w + lip,
            lip + open_h * 0.5 + 0.02 * r,
            Rgb(180, 70, 80),
        );
        if open_h > 0.01 * r {
            self.oval(
                mx,
                my + open_h * 0.3,
                half_w * 0.92,
                open_h * 0.5,
                Rgb(70, 20, 30),
            );
            if open_h > 0.06 * r {
                self.oval(
                    mx,
                    my + open_h * 0.3 - open_h * 0.42,
                    half_w * 0.6,
                    open_h * 0.12,
                    Rgb(245, 245, 240),
                );
            }
        } else {
            self.oval(mx, my, half_w, 0.008 * r, Rgb(110, 40, 50));
        }

        self.frame.fill_from_rgba(self.pixmap.data());
        &self.frame
    }

    /// Fills an anti-aliased ellipse given in canvas coordinates (the base transform is a
    /// translation plus an axis scale, so it stays axis-aligned). Allocation-free.
    fn oval(&mut self, cx: f32, cy: f32, rx: f32, ry: f32, color: Rgb) {
        let mut c = [Point::from_xy(cx, cy)];
        self.base.map_points(&mut c);
        let Some(c) = c.first() else { return };
        let (w, h) = (self.pixmap.width() as usize, self.pixmap.height() as usize);
        fill_ellipse(
            self.pixmap.data_mut(),
            (w, h),
            (c.x, c.y),
            (rx * self.base.sx.abs(), ry * self.base.sy.abs()),
            color,
        );
    }
}

/// Coverage (0–1) of the pixel whose centre is `(px, py)` from the ellipse centre, with the
/// signed distance to the outline approximated by `f / |grad f|` (pixels).
fn coverage(px: f32, py: f32, irx2: f32, iry2: f32) -> f32 {
    let f = px * px * irx2 + py * py * iry2 - 1.0;
    let gx = px * irx2;
    let gy = py * iry2;
    let g = 2.0 * (gx * gx + gy * gy).sqrt();
    if g <= f32::EPSILON {
        return if f <= 0.0 { 1.0 } else { 0.0 };
    }
    (0.5 - f / g).clamp(0.0, 1.0)
}

/// Source-over fill of an opaque colour into RGBA8 `data` (`size` = width, height in pixels)
/// over the axis-aligned ellipse at `centre` with radii `radii` (pixels), anti-aliased over about
/// one pixel (coverage from the distance to the outline). Allocation-free; out-of-canvas parts are
/// clipped.
pub fn fill_ellipse(
    data: &mut [u8],
    size: (usize, usize),
    centre: (f32, f32),
    radii: (f32, f32),
    color: Rgb,
) {
    let ((w, h), (cx, cy), (rx, ry)) = (size, centre, radii);
    if !(rx > 0.05 && ry > 0.05 && cx.is_finite() && cy.is_finite()) {
        return;
    }
    let src = [f32::from(color.0), f32::from(color.1), f32::from(color.2)];
    let (irx2, iry2) = (1.0 / (rx * rx), 1.0 / (ry * ry));
    let y0 = (cy - ry - 1.0).floor().max(0.0) as usize;
    let y1 = ((cy + ry + 1.0).ceil().max(0.0) as usize).min(h);
    let (ro, rio) = (rx + 1.0, ry + 1.0);
    for y in y0..y1 {
        let py = y as f32 + 0.5 - cy;
        let t_out = 1.0 - py * py / (rio * rio);
        if t_out <= 0.0 {
            continue;
        }
        let half_out = ro * t_out.sqrt();
        let xa = (cx - half_out).floor().max(0.0) as usize;
        let xb = ((cx + half_out).ceil().max(0.0) as usize).min(w);
        // Pixels whose centre lies inside the ellipse shrunk by 1 px are fully covered.
        let (sa, sb) = if rx > 1.5 && ry > 1.5 {
            let ri = ry - 1.0;
            let t_in = 1.0 - py * py / (ri * ri);
            if t_in > 0.0 {
                let half_in = (rx - 1.0) * t_in.sqrt();
                let a = (cx - half_in - 0.5).ceil().max(0.0) as usize;
                let b = ((cx + half_in - 0.5).floor().max(-1.0) + 1.0) as usize;
                (a, b.min(w))
            } else {
                (xb, xb)
            }
        } else {
            (xb, xb)
        };
        let Some(row) = data.get_mut(y * w * 4..(y + 1) * w * 4) else {
            return;
        };
        for x in xa..xb {
            let a = if x >= sa && x < sb {
                1.0
            } else {
                coverage(x as f32 + 0.5 - cx, py, irx2, iry2)
            };
            if a <= 0.0 {
                continue;
            }
            let Some(px) = row.get_mut(x * 4..x * 4 + 4) else {
                break;
            };
            for (d, s) in px.iter_mut().zip(src) {
                let v = f32::from(*d);
                *d = (v + (s - v) * a + 0.5).clamp(0.0, 255.0) as u8;
            }
            if let Some(alpha) = px.get_mut(3) {
                *alpha = 255;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rig::Rig;

    #[test]
    fn ellipse_area_and_edges_are_right() {
        let (w, h) = (100usize, 80usize);
        let mut data = vec![0u8; w * h * 4];
        fill_ellipse(
            &mut data,
            (w, h),
            (50.0, 40.0),
            (30.5, 20.5),
            Rgb(255, 255, 255),
        );
        let covered: f64 = data.chunks_exact(4).map(|p| f64::from(p[0]) / 255.0).sum();
        let area = std::f64::consts::PI * 30.5 * 20.5;
        assert!(
            (covered / area - 1.0).abs() < 0.01,
            "{covered:.1} vs {area:.1}"
        );
        let px = |x: usize, y: usize| data[(y * w + x) * 4];
        assert_eq!(px(50, 40), 255, "centre");
        assert_eq!(px(18, 40), 0, "outside left");
        assert_eq!(px(50, 18), 0, "outside top");
        assert_eq!(px(20, 40), 255, "inside left");
        // The outline at x = 19.5 halves pixel 19 (centre 19.5).
        assert!(
            (100..=155).contains(&px(19, 40)),
            "edge pixel: {}",
            px(19, 40)
        );
        // Clipped at the canvas border without panicking.
        fill_ellipse(&mut data, (w, h), (-5.0, 90.0), (30.0, 30.0), Rgb(1, 2, 3));
        fill_ellipse(&mut data, (w, h), (f32::NAN, 0.0), (3.0, 3.0), Rgb(1, 2, 3));
    }
    use crate::viseme::pose_for;

    fn state(viseme: u32) -> RigState {
        RigState {
            mouth: pose_for(viseme),
            eye_open: 1.0,
            head_offset: (0.0, 0.0),
        }
    }

    #[test]
    fn mouth_region_differs_between_visemes_and_nothing_else_does() {
        let mut r = Renderer::new(RenderConfig::default()).unwrap();
        let a = r.render(&state(0)).clone();
        let b = r.render(&state(2)).clone();
        let c = r.render(&state(7)).clone();
        let (x0, y0, x1, y1) = r.mouth_region();
        let (w, h) = (a.width(), a.height());
        assert!(
            a.luma_mad(&b, x0, y0, x1, y1) > 8.0,
            "{}",
            a.luma_mad(&b, x0, y0, x1, y1)
        );
        assert!(b.luma_mad(&c, x0, y0, x1, y1) > 3.0);
        // Outside the mouth box the frames agree.
        assert_eq!(a.luma_mad(&b, 0, 0, w, y0), 0.0);
        assert_eq!(a.luma_mad(&b, 0, y1, w, h), 0.0);
    }

    #[test]
    fn background_colour_and_blink_show() {
        let cfg = RenderConfig {
            background: Rgb::parse("#FF0000FF").unwrap(),
            ..RenderConfig::default()
        };
        let mut r = Renderer::new(cfg).unwrap();
        let open = r.render(&state(0)).clone();
        assert_eq!(open.y()[0], 82, "red background luma");
        let closed = r
            .render(&RigState {
                eye_open: 0.0,
                ..state(0)
            })
            .clone();
        let (x0, y0, x1, y1) = r.eye_region();
        assert!(open.luma_mad(&closed, x0, y0, x1, y1) > 5.0);
    }

    #[test]
    fn idle_frames_blink() {
        let mut rig = Rig::new(3);
        let mut r = Renderer::new(RenderConfig::default()).unwrap();
        let first = r.render(rig.state()).clone();
        let (x0, y0, x1, y1) = r.eye_region();
        let mut max_eye_change: f64 = 0.0;
        for _ in 0..200 {
            let s = *rig.advance(40.0, 0);
            let f = r.render(&s);
            max_eye_change = max_eye_change.max(first.luma_mad(f, x0, y0, x1, y1));
        }
        assert!(max_eye_change > 5.0, "{max_eye_change}");
    }

    #[test]
    fn crop_and_scale_map_the_canvas() {
        // 1920x1080 canvas cropped to the middle 800x1080, sent at 400x540.
        let cfg = RenderConfig {
            canvas: (1920, 1080),
            crop: Some(Crop {
                x0: 560,
                y0: 0,
                x1: 1360,
                y1: 1080,
            }),
            output: (400, 540),
            ..RenderConfig::default()
        };
        let mut r = Renderer::new(cfg).unwrap();
        let f = r.render(&state(0));
        assert_eq!((f.width(), f.height()), (400, 540));
        let (x0, _, x1, _) = r.mouth_region();
        assert!(x0 > 100 && x1 < 300, "{x0}..{x1} centred");
        assert!(Rgb::parse("#12345").is_none());
        assert_eq!(Rgb::parse("#0a0B0c"), Some(Rgb(10, 11, 12)));
    }
}
