//! The PNG plot of a load run, drawn without any font (plotters' bitmap backend only), so it
//! needs nothing from the system.
//!
//! Layout, 800 × 500 px, time (s) left to right over the run:
//! * top panel: p99 server event latency per second (red) and p99 time to first audio per
//!   second (blue); grey grid lines every 5 ms, the top of the panel is the largest value
//!   rounded up to 5 ms;
//! * bottom panel: server RSS (green, grid every 16 MiB) and server CPU in cores (black, on the
//!   same panel scaled so the top is 2 cores).

use std::path::Path;

use plotters::prelude::*;

use crate::report::Report;

/// Draws `report`'s timeline into `path` (PNG).
///
/// # Errors
///
/// The file cannot be written.
pub fn draw(report: &Report, path: &Path) -> anyhow::Result<()> {
    let mut rgb = vec![0u8; (W * H * 3) as usize];
    render(report, &mut rgb)?;
    let file = std::fs::File::create(path)?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), W, H);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header()?;
    writer.write_image_data(&rgb)?;
    writer.finish()?;
    Ok(())
}

/// Width and height of the plot, in px.
const W: u32 = 800;
const H: u32 = 500;

fn render(report: &Report, rgb: &mut [u8]) -> anyhow::Result<()> {
    let root = BitMapBackend::with_buffer(rgb, (W, H)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (top, bottom) = root.split_vertically(300);
    let t_max = report.timeline.len().max(2) as f64;

    let lat_max = report
        .timeline
        .iter()
        .map(|s| s.event_p99_ms.max(s.first_audio_p99_ms))
        .fold(5.0_f64, f64::max);
    let lat_top = (lat_max / 5.0).ceil() * 5.0;
    let mut chart = ChartBuilder::on(&top)
        .margin(8)
        .build_cartesian_2d(0.0..t_max, 0.0..lat_top)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let grid = RGBColor(220, 220, 220);
    let mut y = 5.0;
    while y < lat_top {
        chart
            .draw_series(LineSeries::new([(0.0, y), (t_max, y)], grid))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        y += 5.0;
    }
    let ev = report.timeline.iter().map(|s| (s.t_s, s.event_p99_ms));
    chart
        .draw_series(LineSeries::new(ev, RED.stroke_width(2)))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let au = report
        .timeline
        .iter()
        .map(|s| (s.t_s, s.first_audio_p99_ms));
    chart
        .draw_series(LineSeries::new(au, BLUE.stroke_width(2)))
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    let rss_max = report
        .timeline
        .iter()
        .map(|s| s.rss_mib)
        .fold(16.0, f64::max);
    let rss_top = (rss_max / 16.0).ceil() * 16.0;
    let mut chart = ChartBuilder::on(&bottom)
        .margin(8)
        .build_cartesian_2d(0.0..t_max, 0.0..rss_top)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut y = 16.0;
    while y < rss_top {
        chart
            .draw_series(LineSeries::new([(0.0, y), (t_max, y)], grid))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        y += 16.0;
    }
    let rss = report.timeline.iter().map(|s| (s.t_s, s.rss_mib));
    chart
        .draw_series(LineSeries::new(rss, GREEN.stroke_width(2)))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let cpu = report
        .timeline
        .iter()
        .map(|s| (s.t_s, s.cpu_cores / 2.0 * rss_top));
    chart
        .draw_series(LineSeries::new(cpu, BLACK.stroke_width(1)))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Second;

    #[test]
    fn a_plot_is_a_small_png() {
        let mut r = Report::default();
        for t in 0..30 {
            r.timeline.push(Second {
                t_s: f64::from(t),
                event_p99_ms: 2.0 + f64::from(t % 5),
                first_audio_p99_ms: 4.0,
                rss_mib: 40.0,
                cpu_cores: 0.5,
            });
        }
        let path = std::env::temp_dir().join(format!("vl-load-plot-{}.png", std::process::id()));
        draw(&r, &path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.get(..8).unwrap(), b"\x89PNG\r\n\x1a\n");
        assert!(bytes.len() < 100_000, "{}", bytes.len());
        std::fs::remove_file(&path).unwrap();
    }
}
