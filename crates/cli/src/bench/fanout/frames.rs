//! A subscriber's read buffer: the server's WebSocket frames, parsed in place.
//!
//! Bytes read from the socket are appended to the buffer; `next` hands out each complete
//! message, ping or close, borrowing its payload from the buffer (or, for a fragmented
//! message, from the reassembly buffer), so a delivery costs no allocation and no copy.
//! Headers are parsed by tungstenite's `FrameHeader::parse`.

use std::io::Cursor;
use std::ops::Range;

use tokio_tungstenite::tungstenite::protocol::frame::coding::{Control, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;

/// A read buffer's size to start with; it grows when a frame does not fit.
pub const BUFFER: usize = 4 * 1024;

/// The largest message accepted, as tungstenite's default `max_message_size`.
const MAX_MESSAGE: usize = 64 << 20;

/// The largest control frame payload RFC 6455 allows.
const MAX_CONTROL: usize = 125;

/// Something complete the server said.
#[derive(Debug, PartialEq, Eq)]
pub enum Received<'a> {
    /// A text or binary message, reassembled if it came in fragments.
    Message(&'a [u8]),
    /// A WebSocket ping, with its payload (a pong must carry it back).
    Ping(&'a [u8]),
    /// The server closes the connection.
    Close,
}

/// A frame no server may send (tungstenite would have failed the connection too).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("malformed frame header")]
    Malformed,
    #[error("masked frame from the server")]
    Masked,
    #[error("reserved bits set without an extension")]
    Reserved,
    #[error("message larger than {MAX_MESSAGE} bytes")]
    TooLarge,
    #[error("fragmented or oversized control frame")]
    BadControl,
    #[error("continuation frame outside a fragmented message")]
    StrayContinuation,
    #[error("new message before the fragmented one ended")]
    Interleaved,
}

/// The bytes read from one socket and not yet handled.
#[derive(Debug)]
pub struct Frames {
    buf: Vec<u8>,
    /// `buf[start..end]` holds bytes read but not yet parsed.
    start: usize,
    end: usize,
    /// The size, from `start`, of the frame waiting for more bytes (0 if unknown).
    needed: usize,
    /// A fragmented message's payload so far; meaningful while `assembling`.
    fragments: Vec<u8>,
    assembling: bool,
}

impl Default for Frames {
    fn default() -> Self {
        Self {
            buf: vec![0; BUFFER],
            start: 0,
            end: 0,
            needed: 0,
            fragments: Vec::new(),
            assembling: false,
        }
    }
}

impl Frames {
    /// Free space to read into, after the unparsed bytes (moved to the front first); grown
    /// when a frame is bigger than the buffer.
    pub fn spare(&mut self) -> &mut [u8] {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let size = self.needed.max(self.buf.len() * 2);
            self.buf.resize(size, 0);
        }
        &mut self.buf[self.end..]
    }

    /// Records that `count` bytes were read into the start of `spare()`.
    pub fn filled(&mut self, count: usize) {
        self.end = (self.end + count).min(self.buf.len());
    }

    /// The next complete message, ping or close in the buffer; `None` until more is read.
    /// Pongs are skipped.
    pub fn next(&mut self) -> Result<Option<Received<'_>>, FrameError> {
        loop {
            let Some((header, payload)) = self.take_frame()? else {
                return Ok(None);
            };
            match header.opcode {
                OpCode::Data(Data::Continue) => {
                    if self.continue_message(&header, payload)? {
                        return Ok(Some(Received::Message(&self.fragments)));
                    }
                }
                OpCode::Data(_) if header.is_final => {
                    if self.assembling {
                        return Err(FrameError::Interleaved);
                    }
                    return Ok(Some(Received::Message(&self.buf[payload])));
                }
                OpCode::Data(_) => self.start_message(payload)?,
                OpCode::Control(_) if !header.is_final || payload.len() > MAX_CONTROL => {
                    return Err(FrameError::BadControl)
                }
                OpCode::Control(Control::Ping) => {
                    return Ok(Some(Received::Ping(&self.buf[payload])))
                }
                OpCode::Control(Control::Close) => return Ok(Some(Received::Close)),
                OpCode::Control(_) => {}
            }
        }
    }

    /// The next whole frame's header and where its payload is in `buf`, consumed.
    fn take_frame(&mut self) -> Result<Option<(FrameHeader, Range<usize>)>, FrameError> {
        let mut cursor = Cursor::new(&self.buf[self.start..self.end]);
        let parsed = FrameHeader::parse(&mut cursor).map_err(|_| FrameError::Malformed)?;
        let Some((header, length)) = parsed else {
            return Ok(None);
        };
        if header.mask.is_some() {
            return Err(FrameError::Masked);
        }
        if header.rsv1 || header.rsv2 || header.rsv3 {
            return Err(FrameError::Reserved);
        }
        let length = usize::try_from(length).ok().filter(|&l| l <= MAX_MESSAGE);
        let length = length.ok_or(FrameError::TooLarge)?;
        let header_len = usize::try_from(cursor.position()).map_err(|_| FrameError::Malformed)?;
        let payload = self.start + header_len..self.start + header_len + length;
        if payload.end > self.end {
            self.needed = payload.end - self.start;
            return Ok(None);
        }
        self.start = payload.end;
        self.needed = 0;
        Ok(Some((header, payload)))
    }

    /// The first frame of a fragmented message.
    fn start_message(&mut self, payload: Range<usize>) -> Result<(), FrameError> {
        if self.assembling {
            return Err(FrameError::Interleaved);
        }
        self.assembling = true;
        self.fragments.clear();
        self.fragments.extend_from_slice(&self.buf[payload]);
        Ok(())
    }

    /// A continuation frame; true when it ended the message (then in `fragments`).
    fn continue_message(
        &mut self,
        header: &FrameHeader,
        payload: Range<usize>,
    ) -> Result<bool, FrameError> {
        if !self.assembling {
            return Err(FrameError::StrayContinuation);
        }
        if self.fragments.len() + payload.len() > MAX_MESSAGE {
            return Err(FrameError::TooLarge);
        }
        self.fragments.extend_from_slice(&self.buf[payload]);
        self.assembling = !header.is_final;
        Ok(header.is_final)
    }
}

#[cfg(test)]
mod tests {
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;

    use super::*;

    /// A server frame (unmasked) as it travels.
    fn wire(frame: Frame) -> Vec<u8> {
        let mut bytes = Vec::new();
        frame.format(&mut bytes).unwrap();
        bytes
    }

    fn text(payload: &str, is_final: bool) -> Vec<u8> {
        wire(Frame::message(payload.to_owned(), OpCode::Data(Data::Text), is_final))
    }

    fn continuation(payload: &str, is_final: bool) -> Vec<u8> {
        wire(Frame::message(payload.to_owned(), OpCode::Data(Data::Continue), is_final))
    }

    /// Copies `bytes` in as one read would (possibly over several `spare` calls).
    fn feed(frames: &mut Frames, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let spare = frames.spare();
            let count = spare.len().min(bytes.len());
            spare[..count].copy_from_slice(&bytes[..count]);
            frames.filled(count);
            bytes = &bytes[count..];
        }
    }

    /// Every message's text (pings as `ping:<payload>`, close as `close`) until `None`.
    fn drain(frames: &mut Frames) -> Vec<String> {
        let mut seen = Vec::new();
        while let Some(received) = frames.next().unwrap() {
            seen.push(match received {
                Received::Message(bytes) => String::from_utf8(bytes.to_vec()).unwrap(),
                Received::Ping(bytes) => format!("ping:{}", String::from_utf8_lossy(bytes)),
                Received::Close => "close".to_owned(),
            });
        }
        seen
    }

    #[test]
    fn one_read_may_hold_several_frames() {
        let mut frames = Frames::default();
        let bytes = [text("one", true), text("two", true), text("three", true)].concat();
        feed(&mut frames, &bytes);
        assert_eq!(drain(&mut frames), ["one", "two", "three"]);
        assert_eq!(frames.start, frames.end);
    }

    #[test]
    fn a_frame_split_across_reads_is_handled_once_whole() {
        let mut frames = Frames::default();
        let big = "x".repeat(300); // a 16-bit length: the header alone is 4 bytes
        let bytes = [text("a", true), text(&big, true)].concat();
        feed(&mut frames, &bytes[..4]);
        assert_eq!(drain(&mut frames), ["a"]);
        feed(&mut frames, &bytes[4..6]); // half of the second header
        assert_eq!(drain(&mut frames), Vec::<String>::new());
        feed(&mut frames, &bytes[6..100]);
        assert_eq!(drain(&mut frames), Vec::<String>::new());
        feed(&mut frames, &bytes[100..]);
        assert_eq!(drain(&mut frames), [big]);
    }

    #[test]
    fn a_frame_bigger_than_the_buffer_grows_it() {
        let mut frames = Frames::default();
        let big = "y".repeat(3 * BUFFER);
        let bytes = [text("before", true), text(&big, true), text("after", true)].concat();
        for chunk in bytes.chunks(1000) {
            feed(&mut frames, chunk);
        }
        assert_eq!(drain(&mut frames), ["before".to_owned(), big, "after".to_owned()]);
    }

    #[test]
    fn a_fragmented_message_is_reassembled_around_control_frames() {
        let mut frames = Frames::default();
        let bytes = [
            text("frag", false),
            wire(Frame::ping(b"hb".to_vec())),
            continuation("men", false),
            wire(Frame::pong(Vec::new())),
            continuation("ted", true),
            text("next", true),
        ]
        .concat();
        for byte in &bytes {
            feed(&mut frames, std::slice::from_ref(byte));
        }
        // Fed byte by byte, then drained at once: the same as arriving in one read.
        assert_eq!(drain(&mut frames), ["ping:hb", "fragmented", "next"]);
        let mut split = Frames::default();
        let mut seen = Vec::new();
        for byte in &bytes {
            feed(&mut split, std::slice::from_ref(byte));
            seen.extend(drain(&mut split));
        }
        assert_eq!(seen, ["ping:hb", "fragmented", "next"]);
    }

    #[test]
    fn pings_and_close_are_reported() {
        let mut frames = Frames::default();
        let bytes = [wire(Frame::ping(b"abc".to_vec())), wire(Frame::close(None))].concat();
        feed(&mut frames, &bytes);
        assert_eq!(drain(&mut frames), ["ping:abc", "close"]);
    }

    #[test]
    fn frames_no_server_may_send_are_errors() {
        let mut masked = Frame::message("m".to_owned(), OpCode::Data(Data::Text), true);
        masked.header_mut().mask = Some([1, 2, 3, 4]);
        let stray = continuation("c", true);
        let interleaved = [text("a", false), text("b", true)].concat();
        let cases = [
            (wire(masked), FrameError::Masked),
            (stray, FrameError::StrayContinuation),
            (interleaved, FrameError::Interleaved),
            (vec![0x83, 0x00], FrameError::Malformed), // reserved opcode 3
        ];
        for (bytes, error) in cases {
            let mut frames = Frames::default();
            feed(&mut frames, &bytes);
            assert_eq!(frames.next(), Err(error));
        }
    }
}
