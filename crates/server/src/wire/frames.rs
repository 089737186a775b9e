//! Server frames encoded once, as the bytes that go on the wire (unmasked, RFC 6455 §5.2).

use bytes::Bytes;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::{CloseFrame, Frame, FrameHeader};

/// A text frame: shared by every recipient of a broadcast.
pub fn text_frame(text: &str) -> Bytes {
    let header = FrameHeader { opcode: OpCode::Data(Data::Text), ..FrameHeader::default() };
    let length = text.len() as u64;
    let mut bytes = Vec::with_capacity(header.len(length) + text.len());
    header.format(length, &mut bytes).expect("writing to a Vec cannot fail");
    bytes.extend_from_slice(text.as_bytes());
    bytes.into()
}

pub fn ping_frame() -> Bytes {
    encode(Frame::ping(Bytes::new()))
}

/// A close frame; the reason is cut to the protocol's 123 bytes on a character boundary.
pub fn close_frame(code: u16, reason: &str) -> Bytes {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    let close = CloseFrame { code: CloseCode::from(code), reason: reason[..end].into() };
    encode(Frame::close(Some(close)))
}

fn encode(frame: Frame) -> Bytes {
    let mut bytes = Vec::with_capacity(frame.len());
    frame.format(&mut bytes).expect("writing to a Vec cannot fail");
    bytes.into()
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use tokio_tungstenite::tungstenite::protocol::frame::coding::Control;

    use super::*;

    fn decode(bytes: &[u8]) -> (FrameHeader, Vec<u8>) {
        let mut cursor = Cursor::new(bytes);
        let (header, length) = FrameHeader::parse(&mut cursor).unwrap().unwrap();
        let start = cursor.position() as usize;
        assert_eq!(start + length as usize, bytes.len(), "one whole frame");
        (header, bytes[start..].to_vec())
    }

    #[test]
    fn frames_decode_back_unmasked() {
        for text in ["", "{\"event\":\"e\"}", &"x".repeat(200), &"é".repeat(40_000)] {
            let (header, payload) = decode(&text_frame(text));
            assert_eq!(header.opcode, OpCode::Data(Data::Text));
            assert!(header.is_final && header.mask.is_none());
            assert_eq!(payload, text.as_bytes());
        }
        let (header, payload) = decode(&ping_frame());
        assert_eq!((header.opcode, payload.len()), (OpCode::Control(Control::Ping), 0));
    }

    #[test]
    fn a_close_frame_carries_its_code_and_a_cut_reason() {
        let (header, payload) = decode(&close_frame(4100, &"é".repeat(100)));
        assert_eq!(header.opcode, OpCode::Control(Control::Close));
        assert_eq!(u16::from_be_bytes([payload[0], payload[1]]), 4100);
        let reason = std::str::from_utf8(&payload[2..]).unwrap();
        assert_eq!(reason.len(), 122, "61 two-byte characters fit in 123 bytes");
    }
}
