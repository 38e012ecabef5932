//! A sans-IO Server-Sent Events parser (the WHATWG `text/event-stream` rules).
//!
//! Bytes go in as they come off the socket, in chunks of any size (a chunk may end inside a
//! line, inside a `CRLF` pair or inside a UTF-8 character); complete events come out. Lines end
//! with `LF`, `CR` or `CRLF`; lines starting with `:` are comments (keep-alives such as
//! `: ping`); a blank line ends an event. Memory is capped: an event larger than the configured
//! limit is an error, never an allocation without bound.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseEvent {
    /// The `event:` field, if one was given (`None` means the default `message`).
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub data: String,
}

/// The event exceeded the size cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("server-sent event larger than {limit} bytes")]
pub struct SseTooLarge {
    /// The cap, in bytes.
    pub limit: usize,
}

/// Incremental SSE parser; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct SseParser {
    line: Vec<u8>,
    data: String,
    has_data: bool,
    event: Option<String>,
    after_cr: bool,
    at_start: bool,
    max_event_bytes: usize,
}

impl SseParser {
    /// A parser that rejects events (and lines) larger than `max_event_bytes` bytes.
    pub fn new(max_event_bytes: usize) -> Self {
        Self {
            line: Vec::new(),
            data: String::new(),
            has_data: false,
            event: None,
            after_cr: false,
            at_start: true,
            max_event_bytes,
        }
    }

    /// Feeds `bytes` and appends every event they complete to `out`.
    ///
    /// # Errors
    /// [`SseTooLarge`] when a line or an event grows past the cap; the parser should then be
    /// dropped (the stream is unusable).
    pub fn push(&mut self, bytes: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseTooLarge> {
        let mut rest = bytes;
        if self.after_cr {
            if let Some((&b'\n', tail)) = rest.split_first() {
                rest = tail;
            }
            if !rest.is_empty() {
                self.after_cr = false;
            }
        }
        while let Some(pos) = rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            let (line, tail) = rest.split_at(pos);
            let is_cr = tail.first() == Some(&b'\r');
            let mut tail = tail.get(1..).unwrap_or_default();
            if is_cr {
                match tail.first() {
                    Some(b'\n') => tail = tail.get(1..).unwrap_or_default(),
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
            self.extend_line(line)?;
            self.process_line(out)?;
            rest = tail;
        }
        self.extend_line(rest)
    }

    /// Ends the stream: returns the event still being collected, if it has data (servers that
    /// omit the final blank line are tolerated), and resets the parser.
    pub fn finish(&mut self) -> Option<SseEvent> {
        let mut out = Vec::new();
        if !self.line.is_empty() {
            // Size was checked while the line grew.
            let _ = self.process_line(&mut out);
        }
        let ev = if self.has_data {
            Some(self.take_event())
        } else {
            None
        };
        *self = Self::new(self.max_event_bytes);
        out.into_iter().next().or(ev)
    }

    fn extend_line(&mut self, bytes: &[u8]) -> Result<(), SseTooLarge> {
        if self.line.len() + self.data.len() + bytes.len() > self.max_event_bytes {
            return Err(SseTooLarge {
                limit: self.max_event_bytes,
            });
        }
        self.line.extend_from_slice(bytes);
        Ok(())
    }

    fn take_event(&mut self) -> SseEvent {
        let mut data = std::mem::take(&mut self.data);
        if data.ends_with('\n') {
            data.pop();
        }
        self.has_data = false;
        SseEvent {
            event: self.event.take(),
            data,
        }
    }

    fn process_line(&mut self, out: &mut Vec<SseEvent>) -> Result<(), SseTooLarge> {
        let mut line = std::mem::take(&mut self.line);
        if self.at_start {
            // A UTF-8 byte-order mark may open the stream.
            self.at_start = false;
            if line.starts_with(&[0xEF, 0xBB, 0xBF]) {
                line.drain(..3);
            }
        }
        if line.is_empty() {
            if self.has_data {
                out.push(self.take_event());
            } else {
                self.event = None;
            }
            return Ok(());
        }
        if line.first() == Some(&b':') {
            self.line = line;
            self.line.clear();
            return Ok(());
        }
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(i) => {
                let (n, v) = line.split_at(i);
                let v = v.get(1..).unwrap_or_default();
                (n, v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (line.as_slice(), &[][..]),
        };
        match name {
            b"data" => {
                if self.data.len() + value.len() + 1 > self.max_event_bytes {
                    return Err(SseTooLarge {
                        limit: self.max_event_bytes,
                    });
                }
                self.data.push_str(&String::from_utf8_lossy(value));
                self.data.push('\n');
                self.has_data = true;
            }
            b"event" => self.event = Some(String::from_utf8_lossy(value).into_owned()),
            // `id`, `retry` and unknown fields do not matter for one-shot responses.
            _ => {}
        }
        self.line = line;
        self.line.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_chunks(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut p = SseParser::new(1 << 20);
        let mut out = Vec::new();
        for c in chunks {
            p.push(c, &mut out).unwrap();
        }
        out.extend(p.finish());
        out
    }

    fn data(evs: &[SseEvent]) -> Vec<&str> {
        evs.iter().map(|e| e.data.as_str()).collect()
    }

    #[test]
    fn basic_events_and_comments() {
        let evs = parse_chunks(&[b": ping\n\ndata: {\"a\":1}\n\n: keep-alive\ndata: [DONE]\n\n"]);
        assert_eq!(data(&evs), ["{\"a\":1}", "[DONE]"]);
    }

    #[test]
    fn crlf_and_cr_line_endings_split_anywhere() {
        let whole = b"data: one\r\n\r\ndata: two\r\rdata:three\n\n";
        for split in 0..whole.len() {
            let (a, b) = whole.split_at(split);
            let evs = parse_chunks(&[a, b]);
            assert_eq!(data(&evs), ["one", "two", "three"], "split at {split}");
        }
    }

    #[test]
    fn byte_by_byte_with_utf8() {
        let whole = "data: héllo wörld €\n\ndata: 😀\n\n".as_bytes();
        let chunks: Vec<&[u8]> = whole.chunks(1).collect();
        let evs = parse_chunks(&chunks);
        assert_eq!(data(&evs), ["héllo wörld €", "😀"]);
    }

    #[test]
    fn multi_line_data_event_name_and_bom() {
        let evs = parse_chunks(&[b"\xEF\xBB\xBFevent: x\ndata: a\ndata: b\nid: 7\nretry: 5\n\n"]);
        assert_eq!(evs.len(), 1);
        assert_eq!(evs[0].event.as_deref(), Some("x"));
        assert_eq!(evs[0].data, "a\nb");
    }

    #[test]
    fn missing_final_blank_line_is_tolerated() {
        assert_eq!(data(&parse_chunks(&[b"data: last"])), ["last"]);
        assert_eq!(data(&parse_chunks(&[b"data: last\n"])), ["last"]);
        assert!(parse_chunks(&[b": only a comment"]).is_empty());
    }

    #[test]
    fn field_without_colon_and_empty_data() {
        let evs = parse_chunks(&[b"data\n\ndata:\n\n"]);
        assert_eq!(data(&evs), ["", ""]);
    }

    #[test]
    fn size_cap() {
        let mut p = SseParser::new(16);
        let mut out = Vec::new();
        assert!(p.push(b"data: 0123456789abcdef", &mut out).is_err());
        let mut p = SseParser::new(16);
        let mut out = Vec::new();
        p.push(b"data: 0123456\n", &mut out).unwrap();
        assert!(p.push(b"data: 0123456\n", &mut out).is_err());
    }
}
