//! The load generator's lean SSE subscriber: one tokio task per connection
//! over a raw `TcpStream`, an HTTP/1.1 response decoder (chunked or not) and
//! a line scanner that only looks at what the benchmark needs — the event
//! number at the start of each `data:` line (`{"id":N,…`, the same shape for
//! our server and for the peers' published messages) and `retry:`.
//!
//! Why not reqwest or eventsource-client: at 10,000 connections their
//! per-connection state and per-frame allocations would make the load
//! generator, not the server, the bottleneck on 2 shared cores. Here a
//! connection costs one task and one 4 KiB read buffer, and a frame costs
//! a scan of its bytes.

use socket2::SockRef;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A GET request for an event stream.
pub fn get_request(addr: SocketAddr, path: &str, headers: &[(&str, String)]) -> Vec<u8> {
    let mut r = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n"
    );
    for (k, v) in headers {
        r.push_str(&format!("{k}: {v}\r\n"));
    }
    r.push_str("\r\n");
    r.into_bytes()
}

/// What the scanner found in a stretch of body bytes.
#[derive(Debug, Default)]
pub struct Found {
    pub ids: Vec<u64>,
    pub retry_ms: Option<u64>,
}

enum Body {
    Headers(Vec<u8>),
    /// Reading a chunk-size line.
    Size(Vec<u8>),
    /// Bytes left in the current chunk.
    Data(usize),
    /// The CRLF after a chunk's data: bytes left to skip.
    DataEnd(usize),
    Raw,
    Done,
}

/// Incremental HTTP/1.1 response decoder + SSE line scanner.
pub struct Decoder {
    body: Body,
    pub status: u16,
    line: Vec<u8>,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder {
            body: Body::Headers(Vec::new()),
            status: 0,
            line: Vec::new(),
        }
    }
}

impl Decoder {
    /// True once the status line and headers were read.
    pub fn headers_done(&self) -> bool {
        !matches!(self.body, Body::Headers(_))
    }

    /// True when a chunked body ended (the server closed the stream).
    #[cfg(test)]
    pub fn ended(&self) -> bool {
        matches!(self.body, Body::Done)
    }

    /// Feeds bytes from the socket; the scanner's findings go to `found`.
    pub fn feed(&mut self, mut input: &[u8], found: &mut Found) {
        while !input.is_empty() {
            match &mut self.body {
                Body::Headers(buf) => {
                    buf.extend_from_slice(input);
                    input = &[];
                    if let Some(end) = find(buf, b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                        self.status = head
                            .split_whitespace()
                            .nth(1)
                            .and_then(|s| s.parse().ok())
                            .unwrap_or(0);
                        let chunked = head
                            .lines()
                            .any(|l| l.starts_with("transfer-encoding:") && l.contains("chunked"));
                        let rest = buf[end + 4..].to_vec();
                        self.body = if chunked {
                            Body::Size(Vec::new())
                        } else {
                            Body::Raw
                        };
                        self.feed(&rest, found);
                    }
                }
                Body::Size(line) => {
                    if let Some(nl) = input.iter().position(|&b| b == b'\n') {
                        line.extend_from_slice(&input[..nl]);
                        input = &input[nl + 1..];
                        let text = String::from_utf8_lossy(line);
                        let hex = text.trim().split(';').next().unwrap_or("").trim();
                        let n = usize::from_str_radix(hex, 16).unwrap_or(0);
                        self.body = if n == 0 { Body::Done } else { Body::Data(n) };
                    } else {
                        line.extend_from_slice(input);
                        input = &[];
                    }
                }
                Body::Data(left) => {
                    let n = (*left).min(input.len());
                    let (now, rest) = input.split_at(n);
                    *left -= n;
                    if *left == 0 {
                        self.body = Body::DataEnd(2);
                    }
                    self.scan(now, found);
                    input = rest;
                }
                Body::DataEnd(left) => {
                    let n = (*left).min(input.len());
                    *left -= n;
                    input = &input[n..];
                    if *left == 0 {
                        self.body = Body::Size(Vec::new());
                    }
                }
                Body::Raw => {
                    let all = input;
                    input = &[];
                    self.scan(all, found);
                }
                Body::Done => return,
            }
        }
    }

    /// Splits body bytes into SSE lines (a line may span reads/chunks).
    fn scan(&mut self, mut bytes: &[u8], found: &mut Found) {
        while let Some(nl) = bytes.iter().position(|&b| b == b'\n') {
            if self.line.is_empty() {
                line_found(&bytes[..nl], found);
            } else {
                self.line.extend_from_slice(&bytes[..nl]);
                let l = std::mem::take(&mut self.line);
                line_found(&l, found);
            }
            bytes = &bytes[nl + 1..];
        }
        self.line.extend_from_slice(bytes);
    }
}

fn line_found(line: &[u8], found: &mut Found) {
    // `data:` takes one optional space (better-sse writes none).
    if let Some(rest) = line.strip_prefix(b"data:") {
        let rest = rest.strip_prefix(b" ").unwrap_or(rest);
        if let Some(n) = rest.strip_prefix(b"{\"id\":").and_then(leading_number) {
            found.ids.push(n);
        }
    } else if let Some(rest) = line.strip_prefix(b"retry:") {
        let rest = rest.strip_prefix(b" ").unwrap_or(rest);
        found.retry_ms = leading_number(rest);
    }
}

fn leading_number(b: &[u8]) -> Option<u64> {
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    std::str::from_utf8(&b[..digits]).ok()?.parse().ok()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Connects, retrying briefly: with thousands of connects in flight the
/// listen backlog can overflow and a SYN be dropped or refused.
pub async fn connect(addr: SocketAddr) -> std::io::Result<TcpStream> {
    let mut last = None;
    for i in 0..6 {
        match tokio::time::timeout(Duration::from_secs(10), TcpStream::connect(addr)).await {
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                // Closed with RST: no TIME_WAIT piles up between workloads.
                let _ = SockRef::from(&s).set_linger(Some(Duration::ZERO));
                return Ok(s);
            }
            Ok(Err(e)) => last = Some(e),
            Err(_) => last = Some(std::io::Error::other("connect timeout")),
        }
        tokio::time::sleep(Duration::from_millis(100 << i)).await;
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("connect failed")))
}

/// Reads from `s` into `buf`, feeding the decoder; returns the instant the
/// read completed with what it found, `None` on EOF/error.
pub async fn read_some(
    s: &mut TcpStream,
    buf: &mut [u8],
    dec: &mut Decoder,
) -> Option<(Instant, Found)> {
    match s.read(buf).await {
        Ok(0) | Err(_) => None,
        Ok(n) => {
            let at = Instant::now();
            let mut f = Found::default();
            dec.feed(&buf[..n], &mut f);
            Some((at, f))
        }
    }
}

/// Opens a stream: connects, sends the request, reads to the end of the
/// headers. Returns the socket, the decoder and anything already found.
pub async fn open(
    addr: SocketAddr,
    request: &[u8],
    buf: &mut [u8],
) -> std::io::Result<(TcpStream, Decoder, Found)> {
    let mut s = connect(addr).await?;
    s.write_all(request).await?;
    let mut dec = Decoder::default();
    let mut found = Found::default();
    while !dec.headers_done() {
        match tokio::time::timeout(Duration::from_secs(30), read_some(&mut s, buf, &mut dec)).await
        {
            Ok(Some((_, f))) => {
                found.ids.extend(f.ids);
                found.retry_ms = f.retry_ms.or(found.retry_ms);
            }
            Ok(None) => return Err(std::io::Error::other("closed before headers")),
            Err(_) => return Err(std::io::Error::other("no headers within 30 s")),
        }
    }
    if dec.status != 200 {
        return Err(std::io::Error::other(format!("HTTP status {}", dec.status)));
    }
    Ok((s, dec, found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_frames_split_anywhere() {
        let body = "retry: 3000\nevent: connected\ndata: {\"connectionId\":\"x\"}\n\nid: 7\nevent: qr-scanned\ndata: {\"id\":7,\"at\":\"t\"}\n\n";
        let (a, b) = body.split_at(40);
        let wire = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
            a.len(),
            b.len()
        );
        for split in [1usize, 3, 17, 64, wire.len()] {
            let mut d = Decoder::default();
            let mut f = Found::default();
            for part in wire.as_bytes().chunks(split) {
                d.feed(part, &mut f);
            }
            assert_eq!(d.status, 200);
            assert_eq!(f.ids, vec![7], "split {split}");
            assert_eq!(f.retry_ms, Some(3000));
            assert!(d.ended());
        }
    }

    #[test]
    fn raw_body() {
        let mut d = Decoder::default();
        let mut f = Found::default();
        d.feed(
            b"HTTP/1.1 200 OK\r\n\r\ndata: {\"id\":1}\n\ndata:{\"id\":2",
            &mut f,
        );
        d.feed(b"}\n\n", &mut f);
        assert_eq!(f.ids, vec![1, 2]);
    }
}
