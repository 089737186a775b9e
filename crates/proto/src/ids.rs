//! Newtypes for identity: apps, sockets, users, event names. Validated once on construction.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Why a string was refused as an identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{what} must not be empty")]
    Empty { what: &'static str },
    #[error("socket_id {0:?} is not of the form 123.456")]
    SocketIdFormat(String),
    #[error("{what} is {len} characters long; the limit is {max}")]
    TooLong { what: &'static str, len: usize, max: usize },
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[serde(transparent)]
        #[ts(export)]
        pub struct $name(String);

        impl $name {
            /// Wraps a non-empty string.
            pub fn new(value: impl Into<String>) -> Result<Self, IdError> {
                let value = value.into();
                if value.is_empty() {
                    return Err(IdError::Empty { what: stringify!($name) });
                }
                Ok(Self(value))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }
    };
}

string_id!(
    /// An application id, as used in HTTP API paths (`/apps/{id}/…`).
    AppId
);
string_id!(
    /// An application key, as used in WebSocket paths (`/app/{key}`) and signatures.
    AppKey
);
string_id!(
    /// A user id from presence `channel_data` or sign-in `user_data`.
    UserId
);
string_id!(
    /// An event name (`my-event`, `client-typing`).
    EventName
);

/// An application secret. Its `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct AppSecret(String);

impl AppSecret {
    pub fn new(value: impl Into<String>) -> Result<Self, IdError> {
        let value = value.into();
        if value.is_empty() {
            return Err(IdError::Empty { what: "AppSecret" });
        }
        Ok(Self(value))
    }

    /// The raw secret, for computing signatures only.
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// A masked form for display: the first two characters, then stars.
    pub fn masked(&self) -> String {
        let head: String = self.0.chars().take(2).collect();
        format!("{head}******")
    }
}

impl fmt::Debug for AppSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppSecret(<redacted>)")
    }
}

impl fmt::Display for AppSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A connection's public id, `^\d+\.\d+$`, as SDKs expect. Shared, not copied: every record
/// about a connection names its socket, so a clone is a reference count.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(transparent)]
#[ts(export, type = "string")]
pub struct SocketId(Arc<str>);

impl SocketId {
    /// Builds a socket id from two numbers (the caller supplies the randomness).
    pub fn from_parts(major: u64, minor: u64) -> Self {
        Self(format!("{major}.{minor}").into())
    }

    /// Parses and validates `123.456`.
    pub fn parse(value: &str) -> Result<Self, IdError> {
        let valid = value.split_once('.').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        });
        if valid {
            Ok(Self(value.into()))
        } else {
            Err(IdError::SocketIdFormat(value.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Equality that skips comparing the text when both are clones of one id (`==` on
    /// `Arc<str>` always compares it).
    pub fn same_as(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl fmt::Display for SocketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SocketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SocketId({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_ids_must_be_two_digit_runs() {
        for ok in ["1.2", "1234.5678", "0.0"] {
            assert!(SocketId::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1", "1.", ".1", "a.1", "1.2.3", "1,2", " 1.2"] {
            assert!(SocketId::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(SocketId::from_parts(12, 34).as_str(), "12.34");
    }

    #[test]
    fn secrets_never_show_in_debug_or_display() {
        let secret = AppSecret::new("super-secret-value").unwrap();
        assert!(!format!("{secret:?}").contains("super"));
        assert!(!format!("{secret}").contains("super"));
        assert_eq!(secret.masked(), "su******");
    }

    #[test]
    fn empty_ids_are_refused() {
        assert!(AppKey::new("").is_err());
        assert!(UserId::new("").is_err());
        assert!(AppSecret::new("").is_err());
    }
}
