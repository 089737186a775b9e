//! switchboard-proto — the Pusher Channels wire protocol, pure: ids, frames, codes, signatures.
//!
//! Nothing here does I/O or reads a clock. Event-name strings live only in this crate's
//! frame codecs; everything else works with the typed enums.

pub mod channel;
pub mod client_frame;
pub mod codes;
pub mod ids;
pub mod raw_json;
pub mod server_frame;
pub mod sign;

pub use channel::{ChannelKind, ChannelName, ChannelNameError};
pub use client_frame::{ClientFrame, DecodeError};
pub use codes::CloseCode;
pub use ids::{AppId, AppKey, AppSecret, EventName, IdError, SocketId, UserId};
pub use raw_json::RawJson;
pub use server_frame::{PresenceRoster, ServerFrame, WatchlistEvent, WatchlistStatus};
