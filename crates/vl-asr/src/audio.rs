//! WAV input for the CLI, tests and evaluations: any PCM/float WAV → 16 kHz mono `f32`.

use std::path::Path;

/// Errors reading or converting a WAV file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AudioError {
    /// The file is missing or not a WAV file hound can read.
    #[error("{path}: {source}")]
    Wav {
        /// The file.
        path: String,
        /// hound's reason.
        #[source]
        source: hound::Error,
    },
    /// The rate cannot be converted to 16 kHz.
    #[error("{path}: {source}")]
    Resample {
        /// The file.
        path: String,
        /// The resampler's reason.
        #[source]
        source: vl_codec::CodecError,
    },
}

/// Reads a WAV file (8–32-bit integer or 32-bit float, any channel count, any rate the project's
/// resampler supports) as 16 kHz mono samples in `-1.0..=1.0`. Channels are averaged.
pub fn read_wav_16k(path: &Path) -> Result<Vec<f32>, AudioError> {
    let wav_err = |source| AudioError::Wav {
        path: path.display().to_string(),
        source,
    };
    let mut reader = hound::WavReader::open(path).map_err(wav_err)?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels.max(1));
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader
            .samples::<f32>()
            .collect::<Result<_, _>>()
            .map_err(wav_err)?,
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()
                .map_err(wav_err)?
        }
    };
    let mono: Vec<f32> = interleaved
        .chunks(channels)
        .map(|frame| frame.iter().sum::<f32>() / frame.len() as f32)
        .collect();
    resample_to_16k(&mono, spec.sample_rate).map_err(|source| AudioError::Resample {
        path: path.display().to_string(),
        source,
    })
}

/// Resamples mono audio from `rate_hz` to 16 kHz with `vl-codec`'s resampler, compensating its
/// delay so the output lines up with the input.
pub fn resample_to_16k(input: &[f32], rate_hz: u32) -> Result<Vec<f32>, vl_codec::CodecError> {
    if rate_hz == 16_000 {
        return Ok(input.to_vec());
    }
    let mut rs = vl_codec::Resampler::new(rate_hz, 16_000)?;
    let delay = rs.delay_samples();
    let mut out = Vec::with_capacity(rs.max_output_len(input.len()) + rs.flush_len());
    rs.process_into(input, &mut out);
    let start = out.len();
    out.resize(start + rs.flush_len(), 0.0);
    let tail = out.get_mut(start..).unwrap_or_default();
    let written = rs.flush(tail)?;
    out.truncate(start + written);
    let want = (input.len() as u64 * 16_000).div_ceil(u64::from(rate_hz)) as usize;
    let mut out: Vec<f32> = out.into_iter().skip(delay).collect();
    out.truncate(want);
    Ok(out)
}
