//! I420 (YUV 4:2:0 planar, BT.601 limited range) frames and the RGBA → I420 conversion.

/// An I420 frame with tightly packed planes (strides = width, width/2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct I420Frame {
    width: usize,
    height: usize,
    y: Vec<u8>,
    u: Vec<u8>,
    v: Vec<u8>,
}

impl I420Frame {
    /// A black frame; `width` and `height` (pixels) are rounded down to even, minimum 2.
    pub fn new(width: usize, height: usize) -> Self {
        let (w, h) = (even(width), even(height));
        Self {
            width: w,
            height: h,
            y: vec![16; w * h],
            u: vec![128; w * h / 4],
            v: vec![128; w * h / 4],
        }
    }

    /// Width in pixels (even).
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels (even).
    pub fn height(&self) -> usize {
        self.height
    }

    /// The luma plane (stride = width).
    pub fn y(&self) -> &[u8] {
        &self.y
    }

    /// The Cb plane (stride = width / 2).
    pub fn u(&self) -> &[u8] {
        &self.u
    }

    /// The Cr plane (stride = width / 2).
    pub fn v(&self) -> &[u8] {
        &self.v
    }

    /// Fills the frame from premultiplied, opaque RGBA8 pixels of the same size (`width * height
    /// * 4` bytes, rows packed). Rows missing from `rgba` keep their old content.
    pub fn fill_from_rgba(&mut self, rgba: &[u8]) {
        let w = self.width;
        let cw = w / 2;
        let row_pairs = rgba.chunks_exact(w * 8).take(self.height / 2);
        let y_pairs = self.y.chunks_exact_mut(w * 2);
        let chroma = self.u.chunks_exact_mut(cw).zip(self.v.chunks_exact_mut(cw));
        for ((src, ys), (us, vs)) in row_pairs.zip(y_pairs).zip(chroma) {
            let (top, bottom) = src.split_at(w * 4);
            let (y0, y1) = ys.split_at_mut(w);
            let quads = top
                .chunks_exact(8)
                .zip(bottom.chunks_exact(8))
                .zip(y0.chunks_exact_mut(2).zip(y1.chunks_exact_mut(2)))
                .zip(us.iter_mut().zip(vs.iter_mut()));
            for (((t, b), (ya, yb)), (u, v)) in quads {
                let px = [rgb(t, 0), rgb(t, 4), rgb(b, 0), rgb(b, 4)];
                for (dst, p) in ya
                    .iter_mut()
                    .chain(yb.iter_mut())
                    .zip([px[0], px[1], px[2], px[3]])
                {
                    *dst = luma(p);
                }
                let (mut r, mut g, mut bl) = (0i32, 0i32, 0i32);
                for p in px {
                    r += p.0;
                    g += p.1;
                    bl += p.2;
                }
                let (r, g, bl) = ((r + 2) >> 2, (g + 2) >> 2, (bl + 2) >> 2);
                *u = clamp_u8(((-38 * r - 74 * g + 112 * bl + 128) >> 8) + 128);
                *v = clamp_u8(((112 * r - 94 * g - 18 * bl + 128) >> 8) + 128);
            }
        }
    }

    /// Mean absolute luma difference to `other` inside the rectangle `x0..x1, y0..y1` (pixels,
    /// clamped to both frames), in luma levels. Used by tests and probes.
    pub fn luma_mad(&self, other: &Self, x0: usize, y0: usize, x1: usize, y1: usize) -> f64 {
        let x1 = x1.min(self.width).min(other.width);
        let y1 = y1.min(self.height).min(other.height);
        if x0 >= x1 || y0 >= y1 {
            return 0.0;
        }
        let mut sum = 0u64;
        for y in y0..y1 {
            let a = self.y.get(y * self.width + x0..y * self.width + x1);
            let b = other.y.get(y * other.width + x0..y * other.width + x1);
            if let (Some(a), Some(b)) = (a, b) {
                sum += a
                    .iter()
                    .zip(b)
                    .map(|(&p, &q)| u64::from(p.abs_diff(q)))
                    .sum::<u64>();
            }
        }
        sum as f64 / ((x1 - x0) * (y1 - y0)) as f64
    }

    /// Mean luma inside the rectangle `x0..x1, y0..y1` (pixels, clamped to the frame), in luma
    /// levels; 0 for an empty rectangle. Used by tests and probes.
    pub fn mean_luma(&self, x0: usize, y0: usize, x1: usize, y1: usize) -> f64 {
        let (x1, y1) = (x1.min(self.width), y1.min(self.height));
        if x0 >= x1 || y0 >= y1 {
            return 0.0;
        }
        let sum: u64 = (y0..y1)
            .filter_map(|y| self.y.get(y * self.width + x0..y * self.width + x1))
            .map(|row| row.iter().map(|&p| u64::from(p)).sum::<u64>())
            .sum();
        sum as f64 / ((x1 - x0) * (y1 - y0)) as f64
    }

    /// Copies planes from `y`, `u`, `v` with the given strides (bytes) into this frame of the
    /// same size; returns `false` (frame unchanged) when a plane is too short.
    pub fn copy_from_planes(
        &mut self,
        (y, u, v): (&[u8], &[u8], &[u8]),
        (ys, us, vs): (usize, usize, usize),
    ) -> bool {
        let (w, h, cw, ch) = (self.width, self.height, self.width / 2, self.height / 2);
        let fits = |plane: &[u8], stride: usize, pw: usize, ph: usize| {
            stride >= pw && plane.len() >= stride * (ph - 1) + pw
        };
        if !(fits(y, ys, w, h) && fits(u, us, cw, ch) && fits(v, vs, cw, ch)) {
            return false;
        }
        copy_plane(&mut self.y, w, y, ys);
        copy_plane(&mut self.u, cw, u, us);
        copy_plane(&mut self.v, cw, v, vs);
        true
    }
}

fn copy_plane(dst: &mut [u8], width: usize, src: &[u8], stride: usize) {
    for (d, s) in dst.chunks_exact_mut(width).zip(src.chunks(stride)) {
        if let Some(s) = s.get(..width) {
            d.copy_from_slice(s);
        }
    }
}

fn rgb(px: &[u8], at: usize) -> (i32, i32, i32) {
    let c = |i: usize| i32::from(px.get(at + i).copied().unwrap_or(0));
    (c(0), c(1), c(2))
}

fn luma((r, g, b): (i32, i32, i32)) -> u8 {
    clamp_u8(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16)
}

fn clamp_u8(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

fn even(n: usize) -> usize {
    (n & !1).max(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_primaries_to_bt601_limited_range() {
        let mut f = I420Frame::new(4, 2);
        let mut rgba = Vec::new();
        for _ in 0..2 {
            rgba.extend_from_slice(&[255, 0, 0, 255, 255, 0, 0, 255]); // red pair
            rgba.extend_from_slice(&[255, 255, 255, 255, 255, 255, 255, 255]); // white pair
        }
        f.fill_from_rgba(&rgba);
        assert_eq!(f.y(), &[82, 82, 235, 235, 82, 82, 235, 235]);
        assert_eq!(f.u(), &[90, 128]);
        assert_eq!(f.v(), &[240, 128]);
    }

    #[test]
    fn odd_sizes_round_down_and_mad_compares_regions() {
        let a = I420Frame::new(5, 7);
        assert_eq!((a.width(), a.height()), (4, 6));
        let mut b = a.clone();
        assert!(b.copy_from_planes((&[116; 24], &[128; 6], &[128; 6]), (4, 2, 2)));
        assert!((a.luma_mad(&b, 0, 0, 4, 6) - 100.0).abs() < 1e-9);
        assert!(
            (a.mean_luma(0, 0, 4, 6) - 16.0).abs() < 1e-9,
            "black is luma 16"
        );
        assert_eq!(a.mean_luma(3, 0, 3, 6), 0.0, "empty rectangle");
        assert!(!b.copy_from_planes((&[0; 3], &[0; 6], &[0; 6]), (4, 2, 2)));
    }
}
