//! A small incremental parser of `text/event-stream` (the WHATWG rules the
//! contract relies on), fed with the raw chunks of a reqwest body.
//!
//! Why not the `eventsource-client` crate: the engine needs things that
//! crate hides or owns. (1) Liveness must count every received byte,
//! comments and partial lines included (F-02), while the crate only yields
//! whole parsed items. (2) The crate runs its own reconnect loop and retry
//! policy; ours (full jitter, floor, cap, reset after a stable connection,
//! polling fallback while down) must own every reconnect, with the cursor
//! from the cache as `Last-Event-ID`. (3) It drops a `retry:` standing in a
//! block without data; here `retry:` is reported the moment it is read.
//! (4) It brings a second HTTP stack beside reqwest, which the REST client
//! already uses. The parser is ~150 lines and unit-tested below.

/// One thing read from the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseItem {
    /// A dispatched block (`event:` defaults to `message`).
    Event(SseEvent),
    /// A `retry:` field (milliseconds), reported as soon as it is read.
    Retry(u64),
    /// A `:` comment line (heartbeat).
    Comment,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The block's own `id:` (None when the block had none).
    pub id: Option<String>,
    pub event: String,
    pub data: String,
}

/// A line longer than this is treated as a broken stream, so a bad peer
/// cannot make us buffer without bound. Real frames are a few KiB.
pub const MAX_LINE: usize = 1 << 20;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("event-stream line longer than {MAX_LINE} bytes")]
pub struct LineTooLong;

#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    /// The previous chunk ended in CR: a leading LF of the next one belongs
    /// to that line break (CRLF split across chunks).
    after_cr: bool,
    /// Still at the very start of the stream (a UTF-8 BOM may follow).
    at_start: bool,
    event: String,
    data: String,
    has_data: bool,
    id: Option<String>,
}

impl SseParser {
    pub fn new() -> SseParser {
        SseParser {
            at_start: true,
            ..Default::default()
        }
    }

    /// Feeds one chunk; returns the items it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Vec<SseItem>, LineTooLong> {
        let mut out = Vec::new();
        let mut bytes = chunk;
        if self.at_start {
            // The BOM may itself be split; buffer until 3 bytes are known.
            self.line.extend_from_slice(bytes);
            if self.line.len() < 3 && b"\xEF\xBB\xBF".starts_with(&self.line) {
                return Ok(out);
            }
            self.at_start = false;
            let mut buf = std::mem::take(&mut self.line);
            if buf.starts_with(b"\xEF\xBB\xBF") {
                buf.drain(..3);
            }
            return self.feed_bytes(&buf, out);
        }
        if self.after_cr {
            if let Some(rest) = bytes.strip_prefix(b"\n") {
                bytes = rest;
            }
            self.after_cr = false;
        }
        self.feed_bytes(bytes, std::mem::take(&mut out))
    }

    fn feed_bytes(
        &mut self,
        mut bytes: &[u8],
        mut out: Vec<SseItem>,
    ) -> Result<Vec<SseItem>, LineTooLong> {
        while let Some(pos) = bytes.iter().position(|&b| b == b'\n' || b == b'\r') {
            self.line.extend_from_slice(&bytes[..pos]);
            let was_cr = bytes[pos] == b'\r';
            bytes = &bytes[pos + 1..];
            if was_cr {
                match bytes.first() {
                    Some(b'\n') => bytes = &bytes[1..],
                    None => self.after_cr = true,
                    _ => {}
                }
            }
            let line = std::mem::take(&mut self.line);
            self.line_done(&line, &mut out);
        }
        self.line.extend_from_slice(bytes);
        if self.line.len() > MAX_LINE {
            self.line.clear();
            return Err(LineTooLong);
        }
        Ok(out)
    }

    fn line_done(&mut self, raw: &[u8], out: &mut Vec<SseItem>) {
        // Whole lines only reach here, so a UTF-8 sequence split across
        // chunks has been joined already.
        let line = String::from_utf8_lossy(raw);
        if line.is_empty() {
            if self.has_data {
                let mut data = std::mem::take(&mut self.data);
                data.pop(); // the LF appended after the last data line
                out.push(SseItem::Event(SseEvent {
                    id: self.id.take(),
                    event: if self.event.is_empty() {
                        "message".to_string()
                    } else {
                        std::mem::take(&mut self.event)
                    },
                    data,
                }));
            }
            self.has_data = false;
            self.event.clear();
            self.data.clear();
            self.id = None;
            return;
        }
        if line.starts_with(':') {
            out.push(SseItem::Comment);
            return;
        }
        let (field, value) = match line.find(':') {
            Some(i) => {
                let v = &line[i + 1..];
                (&line[..i], v.strip_prefix(' ').unwrap_or(v))
            }
            None => (&line[..], ""),
        };
        match field {
            "event" => self.event = value.to_string(),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
                self.has_data = true;
            }
            "id" if !value.contains('\0') => self.id = Some(value.to_string()),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                if let Ok(ms) = value.parse() {
                    out.push(SseItem::Retry(ms));
                }
            }
            _ => {} // unknown fields are ignored, as the standard says
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: Option<&str>, event: &str, data: &str) -> SseItem {
        SseItem::Event(SseEvent {
            id: id.map(str::to_string),
            event: event.into(),
            data: data.into(),
        })
    }

    fn parse_in_pieces(input: &[u8], piece: usize) -> Vec<SseItem> {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        for c in input.chunks(piece) {
            out.extend(p.feed(c).unwrap());
        }
        out
    }

    #[test]
    fn the_servers_frames() {
        let input = "retry: 1000\nevent: connected\ndata: {\"version\":3}\n\n: ping\n\nid: 4\nevent: qr-scanned\ndata: {\"id\":4}\n\n";
        let want = vec![
            SseItem::Retry(1000),
            ev(None, "connected", "{\"version\":3}"),
            SseItem::Comment,
            ev(Some("4"), "qr-scanned", "{\"id\":4}"),
        ];
        for piece in [1, 2, 3, 7, 1000] {
            assert_eq!(
                parse_in_pieces(input.as_bytes(), piece),
                want,
                "piece {piece}"
            );
        }
    }

    #[test]
    fn bom_line_endings_and_utf8_split_anywhere() {
        let input = "\u{FEFF}data: Cumpleaños ñ\r\ndata: línea 2\rid: 9\r\n\r\ndata:x\n\n";
        let want = vec![
            ev(Some("9"), "message", "Cumpleaños ñ\nlínea 2"),
            ev(None, "message", "x"),
        ];
        for piece in 1..8 {
            assert_eq!(
                parse_in_pieces(input.as_bytes(), piece),
                want,
                "piece {piece}"
            );
        }
    }

    #[test]
    fn retry_without_data_is_kept_and_blocks_without_data_are_not_events() {
        let input = "retry: 5\n\nevent: x\n\nretry: nope\nping: 1\n\n";
        assert_eq!(
            parse_in_pieces(input.as_bytes(), 4),
            vec![SseItem::Retry(5)]
        );
    }

    #[test]
    fn an_endless_line_is_an_error_not_a_memory_leak() {
        let mut p = SseParser::new();
        let big = vec![b'a'; MAX_LINE + 10];
        assert_eq!(p.feed(&big), Err(LineTooLong));
    }
}
