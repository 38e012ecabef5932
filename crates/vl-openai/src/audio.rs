//! `/v1/audio/transcriptions` (multipart WAV upload, `response_format=json`) and
//! `/v1/audio/speech` (`response_format=pcm`: 24 kHz mono s16le, streamed) clients, with the
//! same retries, timeouts and caps as the chat client.

use std::sync::Arc;

use reqwest::header::CONTENT_TYPE;
use reqwest::multipart::{Form, Part};
use reqwest::{Response, Url};
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::config::{ClientConfig, resolve_url};
use crate::error::{Error, excerpt, json_error_message};
use crate::transport::{Transport, describe, read_capped};

/// The rate of `response_format=pcm` speech, in Hz (OpenAI's definition).
pub const SPEECH_SAMPLE_RATE_HZ: u32 = 24_000;

/// A mono PCM16 WAV file of `samples` at `sample_rate_hz` Hz.
pub fn wav_bytes(samples: &[i16], sample_rate_hz: u32) -> Vec<u8> {
    let data_len = u32::try_from(samples.len() * 2).unwrap_or(u32::MAX - 36);
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&sample_rate_hz.to_le_bytes());
    out.extend_from_slice(&(sample_rate_hz * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// One transcription request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TranscriptionRequest {
    /// Mono PCM16 samples.
    pub audio: Vec<i16>,
    /// Their rate, in Hz.
    pub sample_rate_hz: u32,
    /// `model` (default: the configured one, else `whisper-1`).
    pub model: Option<String>,
    /// `language` (ISO-639-1), if known.
    pub language: Option<String>,
    /// `prompt` (vocabulary hints), if any.
    pub prompt: Option<String>,
}

/// A client for `POST {endpoint}/audio/transcriptions`.
#[derive(Debug, Clone)]
pub struct TranscriptionClient {
    transport: Arc<Transport>,
    url: Url,
}

impl TranscriptionClient {
    /// A client for `cfg`.
    ///
    /// # Errors
    /// As [`ChatClient::new`](crate::ChatClient::new).
    pub fn new(cfg: ClientConfig) -> Result<Self, Error> {
        let url = resolve_url(&cfg.endpoint, "audio/transcriptions")?;
        let transport = Arc::new(Transport::new(cfg, &url)?);
        Ok(Self { transport, url })
    }

    /// The resolved request URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Uploads the audio as a WAV file and returns the transcript text.
    ///
    /// # Errors
    /// Request errors as for chat; [`Error::Protocol`] for an answer without text.
    pub async fn transcribe(&self, req: &TranscriptionRequest) -> Result<String, Error> {
        let cfg = &self.transport.cfg;
        let wav = bytes_of(wav_bytes(&req.audio, req.sample_rate_hz));
        let model = req
            .model
            .clone()
            .or_else(|| cfg.model.clone())
            .unwrap_or_else(|| "whisper-1".to_owned());
        let (language, prompt) = (req.language.clone(), req.prompt.clone());
        let make = move |rb: reqwest::RequestBuilder| {
            let len = wav.len() as u64;
            let part = || {
                Part::stream_with_length(reqwest::Body::from(wav.clone()), len)
                    .file_name("audio.wav")
            };
            let file = part().mime_str("audio/wav").unwrap_or_else(|_| part());
            let mut form = Form::new()
                .part("file", file)
                .text("model", model.clone())
                .text("response_format", "json");
            if let Some(l) = language.clone().filter(|l| !l.is_empty()) {
                form = form.text("language", l);
            }
            if let Some(p) = prompt.clone().filter(|p| !p.is_empty()) {
                form = form.text("prompt", p);
            }
            rb.multipart(form)
        };
        let (resp, _) = self.transport.post(&self.url, &make).await?;
        let body = read_capped(
            resp,
            cfg.limits.max_response_bytes,
            cfg.timeouts.stall,
            false,
        )
        .await?;
        transcript_from_body(&body)
    }
}

fn bytes_of(v: Vec<u8>) -> bytes::Bytes {
    bytes::Bytes::from(v)
}

/// The transcript in a `/audio/transcriptions` answer: `text` of a JSON object, or the body
/// itself when it is plain text.
fn transcript_from_body(body: &[u8]) -> Result<String, Error> {
    let text = String::from_utf8_lossy(body);
    match serde_json::from_str::<Value>(&text) {
        Ok(v) => {
            if let Some(t) = v.get("text").and_then(Value::as_str) {
                return Ok(t.trim().to_owned());
            }
            if let Some(m) = v.get("error").and_then(|_| json_error_message(&v)) {
                return Err(Error::Service(excerpt(&m)));
            }
            Err(Error::Protocol(format!(
                "the transcription has no `text`: {}",
                excerpt(&text)
            )))
        }
        Err(_) if !text.trim_start().starts_with(['{', '[']) => Ok(text.trim().to_owned()),
        Err(e) => Err(Error::Protocol(format!(
            "the transcription is not valid JSON ({e})"
        ))),
    }
}

/// One speech request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpeechRequest {
    /// The text to speak.
    pub input: String,
    /// The voice (`alloy`, `af_bella`, ...).
    pub voice: String,
    /// `model` (default: the configured one, else `tts-1`).
    pub model: Option<String>,
    /// `speed` (0.25–4), if not the default.
    pub speed: Option<f32>,
    /// `instructions` (voice style, gpt-4o-mini-tts), if any.
    pub instructions: Option<String>,
}

/// A client for `POST {endpoint}/audio/speech`.
#[derive(Debug, Clone)]
pub struct SpeechClient {
    transport: Arc<Transport>,
    url: Url,
}

impl SpeechClient {
    /// A client for `cfg`.
    ///
    /// # Errors
    /// As [`ChatClient::new`](crate::ChatClient::new).
    pub fn new(cfg: ClientConfig) -> Result<Self, Error> {
        let url = resolve_url(&cfg.endpoint, "audio/speech")?;
        let transport = Arc::new(Transport::new(cfg, &url)?);
        Ok(Self { transport, url })
    }

    /// The resolved request URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Requests `response_format=pcm` speech; returns once the headers arrived. Read the audio
    /// with [`SpeechStream::next`]; drop the stream to cancel.
    ///
    /// # Errors
    /// Request errors as for chat.
    pub async fn stream(&self, req: &SpeechRequest) -> Result<SpeechStream, Error> {
        let cfg = &self.transport.cfg;
        let mut body = json!({
            "model": req.model.clone().or_else(|| cfg.model.clone()).unwrap_or_else(|| "tts-1".to_owned()),
            "input": req.input,
            "voice": req.voice,
            "response_format": "pcm",
        });
        if let Some(obj) = body.as_object_mut() {
            if let Some(s) = req.speed.filter(|s| s.is_finite()) {
                obj.insert("speed".to_owned(), json!(s));
            }
            if let Some(i) = req.instructions.as_ref().filter(|i| !i.is_empty()) {
                obj.insert("instructions".to_owned(), json!(i));
            }
        }
        let json = bytes_of(serde_json::to_vec(&body).map_err(|e| Error::Request(e.to_string()))?);
        let make = move |rb: reqwest::RequestBuilder| {
            rb.header(CONTENT_TYPE, "application/json")
                .body(json.clone())
        };
        let (resp, started) = self.transport.post(&self.url, &make).await?;
        let is_json = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.contains("json"));
        if is_json {
            // A 200 with a JSON body is an error report, not audio.
            let body = read_capped(
                resp,
                cfg.limits.max_error_body_bytes,
                cfg.timeouts.stall,
                true,
            )
            .await?;
            return Err(Error::Service(crate::error::error_message_from_body(&body)));
        }
        Ok(SpeechStream {
            resp: Some(resp),
            first_deadline: started + cfg.timeouts.first_token,
            timeouts: cfg.timeouts,
            max_bytes: cfg.limits.max_audio_bytes,
            received: 0,
            carry: None,
            header: Some(Vec::new()),
            rate: SPEECH_SAMPLE_RATE_HZ,
        })
    }

    /// Streams `req` and collects all samples.
    ///
    /// # Errors
    /// As [`stream`](Self::stream), plus the stream's errors.
    pub async fn synthesize(&self, req: &SpeechRequest) -> Result<(Vec<i16>, u32), Error> {
        let mut s = self.stream(req).await?;
        let mut out = Vec::new();
        while let Some(chunk) = s.next().await {
            out.extend(chunk?);
        }
        Ok((out, s.sample_rate_hz()))
    }
}

/// Streamed speech audio: PCM16 sample chunks, then `None`.
#[derive(Debug)]
pub struct SpeechStream {
    resp: Option<Response>,
    first_deadline: Instant,
    timeouts: crate::config::Timeouts,
    max_bytes: usize,
    received: usize,
    carry: Option<u8>,
    /// Bytes collected while deciding whether the body is a WAV file (`None` once decided).
    header: Option<Vec<u8>>,
    rate: u32,
}

/// Longest WAV header this client will look through, in bytes.
const MAX_WAV_HEADER: usize = 4096;

/// Where the samples start in a WAV header, and their rate: `Ok(None)` when more bytes are needed.
fn parse_wav_header(b: &[u8]) -> Result<Option<(usize, u32)>, Error> {
    let bad = || Error::Protocol("the speech audio is a WAV file this client cannot read".into());
    let mut pos = 12usize;
    let mut rate = None;
    loop {
        let Some(head) = b.get(pos..pos + 8) else {
            return Ok(None);
        };
        let (id, len) = head.split_at(4);
        let len = u32::from_le_bytes(len.try_into().map_err(|_| bad())?) as usize;
        if id == b"data" {
            return Ok(Some((pos + 8, rate.unwrap_or(SPEECH_SAMPLE_RATE_HZ))));
        }
        if id == b"fmt " {
            let Some(fmt) = b.get(pos + 8..pos + 8 + len.min(16)) else {
                return Ok(None);
            };
            let le16 = |at: usize| {
                fmt.get(at..at + 2)
                    .and_then(|c| c.try_into().ok())
                    .map(u16::from_le_bytes)
            };
            if le16(2) != Some(1) || le16(14) != Some(16) {
                return Err(Error::Protocol(
                    "the speech audio is not mono 16-bit PCM".into(),
                ));
            }
            rate = fmt
                .get(4..8)
                .and_then(|c| c.try_into().ok())
                .map(u32::from_le_bytes);
        }
        pos = pos.saturating_add(8).saturating_add(len + (len & 1));
        if pos > MAX_WAV_HEADER {
            return Err(bad());
        }
    }
}

impl SpeechStream {
    /// The rate of the samples, in Hz ([`SPEECH_SAMPLE_RATE_HZ`] unless the server sent a WAV
    /// file with another rate; known once the first chunk was returned).
    pub fn sample_rate_hz(&self) -> u32 {
        self.rate
    }

    /// The next chunk of samples; `None` at the end or after an error.
    pub async fn next(&mut self) -> Option<Result<Vec<i16>, Error>> {
        loop {
            let mut resp = self.resp.take()?;
            let (wait, first) = if self.received == 0 {
                (
                    self.first_deadline
                        .saturating_duration_since(Instant::now())
                        .min(self.timeouts.first_token),
                    true,
                )
            } else {
                (self.timeouts.stall, false)
            };
            let chunk = match tokio::time::timeout(wait, resp.chunk()).await {
                Err(_) if first => {
                    return Some(Err(Error::FirstTokenTimeout(self.timeouts.first_token)));
                }
                Err(_) => return Some(Err(Error::Stalled(self.timeouts.stall))),
                Ok(Err(e)) => return Some(Err(Error::Interrupted(describe(&e)))),
                Ok(Ok(None)) => {
                    if let Some(h) = self.header.take().filter(|h| !h.is_empty()) {
                        // A body shorter than a WAV header check: plain PCM.
                        return Some(Ok(self.samples(&h)));
                    }
                    if self.received == 0 {
                        return Some(Err(Error::EmptyResponse));
                    }
                    return None;
                }
                Ok(Ok(Some(c))) => c,
            };
            self.received += chunk.len();
            if self.received > self.max_bytes {
                return Some(Err(Error::TooLarge {
                    what: "audio",
                    limit: self.max_bytes,
                }));
            }
            self.resp = Some(resp);
            let bytes: Vec<u8> = match self.header.take() {
                None => chunk.to_vec(),
                Some(mut h) => {
                    h.extend_from_slice(&chunk);
                    let maybe_riff = h.iter().zip(b"RIFF").all(|(a, b)| a == b);
                    if h.len() < 12 && maybe_riff {
                        self.header = Some(h);
                        continue;
                    }
                    if h.starts_with(b"RIFF") && h.get(8..12) == Some(b"WAVE") {
                        match parse_wav_header(&h) {
                            Ok(None) if h.len() <= MAX_WAV_HEADER => {
                                self.header = Some(h);
                                continue;
                            }
                            Ok(None) => {
                                self.resp = None;
                                return Some(Err(Error::Protocol(
                                    "the speech WAV header is too long".into(),
                                )));
                            }
                            Err(e) => {
                                self.resp = None;
                                return Some(Err(e));
                            }
                            Ok(Some((start, rate))) => {
                                self.rate = rate;
                                h.get(start..).unwrap_or_default().to_vec()
                            }
                        }
                    } else {
                        h
                    }
                }
            };
            let samples = self.samples(&bytes);
            if !samples.is_empty() {
                return Some(Ok(samples));
            }
        }
    }

    /// Little-endian PCM16 from `bytes`, carrying an odd byte to the next chunk.
    fn samples(&mut self, bytes: &[u8]) -> Vec<i16> {
        let mut out = Vec::with_capacity(bytes.len() / 2 + 1);
        let mut rest = bytes;
        if let Some(lo) = self.carry.take() {
            match rest.split_first() {
                Some((&hi, tail)) => {
                    out.push(i16::from_le_bytes([lo, hi]));
                    rest = tail;
                }
                None => {
                    self.carry = Some(lo);
                    return out;
                }
            }
        }
        let mut pairs = rest.chunks_exact(2);
        for p in &mut pairs {
            if let [a, b] = p {
                out.push(i16::from_le_bytes([*a, *b]));
            }
        }
        self.carry = pairs.remainder().first().copied();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wav_roundtrip_header() {
        let w = wav_bytes(&[1, -2, 3], 16_000);
        assert_eq!(w.len(), 44 + 6);
        assert_eq!(parse_wav_header(&w).unwrap(), Some((44, 16_000)));
        assert_eq!(parse_wav_header(&w[..30]).unwrap(), None);
        assert_eq!(&w[44..], &[1, 0, 0xFE, 0xFF, 3, 0]);
    }

    #[test]
    fn transcripts() {
        assert_eq!(
            transcript_from_body(br#"{"text":" hello world "}"#).unwrap(),
            "hello world"
        );
        assert_eq!(transcript_from_body(b"plain text\n").unwrap(), "plain text");
        assert!(
            matches!(transcript_from_body(br#"{"error":{"message":"bad audio"}}"#), Err(Error::Service(m)) if m == "bad audio")
        );
        assert!(matches!(
            transcript_from_body(br#"{"segments":[]}"#),
            Err(Error::Protocol(_))
        ));
        assert!(matches!(
            transcript_from_body(b"{broken"),
            Err(Error::Protocol(_))
        ));
    }
}
