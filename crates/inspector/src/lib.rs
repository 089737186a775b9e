//! switchboard-inspector — everything that turns the server's observations into something a
//! developer can search, trace, replay and take away: the live ring buffer and SQLite
//! sessions, the filter language, replay planning, NDJSON/HAR export and import, and the
//! inspector HTTP/WebSocket API the UI talks to.
pub mod api;
pub mod attach;
pub mod export;
pub mod filter;
pub mod recorder;
pub mod replay;
mod socket_book;
pub mod stats;
pub mod store;
pub mod ui;
