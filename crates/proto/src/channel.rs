//! Channel names and the one place where a name's prefix decides its kind.

use std::fmt;

use serde::Serialize;

use crate::ids::UserId;

/// The reserved prefix of per-user channels.
pub const SERVER_TO_USER_PREFIX: &str = "#server-to-user-";

/// What a channel is, from its name. `cache` is orthogonal to the kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    Public {
        cache: bool,
    },
    Private {
        cache: bool,
    },
    PrivateEncrypted {
        cache: bool,
    },
    Presence {
        cache: bool,
    },
    /// `#server-to-user-{id}`: reaches every socket signed in as that user.
    ServerToUser(UserId),
}

impl ChannelKind {
    /// Classifies a name by prefix: presence, then private-encrypted, then private.
    pub fn of(name: &str) -> Self {
        if let Some(user) = name.strip_prefix(SERVER_TO_USER_PREFIX) {
            if let Ok(user) = UserId::new(user) {
                return Self::ServerToUser(user);
            }
        }
        if let Some(rest) = name.strip_prefix("presence-") {
            return Self::Presence { cache: rest.starts_with("cache-") };
        }
        if let Some(rest) = name.strip_prefix("private-encrypted-") {
            return Self::PrivateEncrypted { cache: rest.starts_with("cache-") };
        }
        if let Some(rest) = name.strip_prefix("private-") {
            return Self::Private { cache: rest.starts_with("cache-") };
        }
        Self::Public { cache: name.starts_with("cache-") }
    }

    /// Whether subscribing needs a signature (`private-…`, `presence-…`).
    pub fn needs_auth(&self) -> bool {
        matches!(self, Self::Private { .. } | Self::PrivateEncrypted { .. } | Self::Presence { .. })
    }

    pub fn is_presence(&self) -> bool {
        matches!(self, Self::Presence { .. })
    }

    pub fn is_cache(&self) -> bool {
        match self {
            Self::Public { cache }
            | Self::Private { cache }
            | Self::PrivateEncrypted { cache }
            | Self::Presence { cache } => *cache,
            Self::ServerToUser(_) => false,
        }
    }

    /// Whether clients may send `client-*` events here (encrypted channels excluded).
    pub fn allows_client_events(&self) -> bool {
        matches!(self, Self::Private { .. } | Self::Presence { .. })
    }

    /// A short label for logs and the inspector.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Public { .. } => "public",
            Self::Private { .. } => "private",
            Self::PrivateEncrypted { .. } => "private-encrypted",
            Self::Presence { .. } => "presence",
            Self::ServerToUser(_) => "server-to-user",
        }
    }
}

/// Why a channel name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelNameError {
    #[error("channel name must not be empty")]
    Empty,
    #[error("channel name is {len} characters long; the limit is {max}")]
    TooLong { len: usize, max: usize },
    #[error(
        "channel name {name:?} contains {bad:?}; allowed are letters, digits and - _ = @ , . ;"
    )]
    BadCharacter { name: String, bad: char },
}

/// A validated channel name with its kind decided once.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ChannelName {
    name: String,
    #[serde(skip)]
    kind: ChannelKind,
}

impl ChannelName {
    /// Validates characters (`[-a-zA-Z0-9_=@,.;]`, plus the `#server-to-user-` prefix)
    /// and length against `max_len`.
    pub fn parse(name: &str, max_len: usize) -> Result<Self, ChannelNameError> {
        if name.is_empty() {
            return Err(ChannelNameError::Empty);
        }
        let len = name.chars().count();
        if len > max_len {
            return Err(ChannelNameError::TooLong { len, max: max_len });
        }
        let body = match name.strip_prefix(SERVER_TO_USER_PREFIX) {
            Some(user) if !user.is_empty() => user,
            _ => name,
        };
        if let Some(bad) = body.chars().find(|c| !is_channel_char(*c)) {
            return Err(ChannelNameError::BadCharacter { name: name.to_owned(), bad });
        }
        Ok(Self { name: name.to_owned(), kind: ChannelKind::of(name) })
    }

    pub fn as_str(&self) -> &str {
        &self.name
    }

    pub fn kind(&self) -> &ChannelKind {
        &self.kind
    }
}

fn is_channel_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '=' | '@' | ',' | '.' | ';')
}

impl fmt::Display for ChannelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl fmt::Debug for ChannelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChannelName({:?})", self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_decide_the_kind() {
        let table = [
            ("news", ChannelKind::Public { cache: false }),
            ("cache-news", ChannelKind::Public { cache: true }),
            ("foo-cache-bar", ChannelKind::Public { cache: false }),
            ("private-x", ChannelKind::Private { cache: false }),
            ("private-cache-x", ChannelKind::Private { cache: true }),
            ("private-encrypted-x", ChannelKind::PrivateEncrypted { cache: false }),
            ("private-encrypted-cache-x", ChannelKind::PrivateEncrypted { cache: true }),
            ("presence-room", ChannelKind::Presence { cache: false }),
            ("presence-cache-room", ChannelKind::Presence { cache: true }),
            ("#server-to-user-42", ChannelKind::ServerToUser(UserId::new("42").unwrap())),
        ];
        for (name, kind) in table {
            assert_eq!(ChannelKind::of(name), kind, "{name}");
        }
    }

    #[test]
    fn names_are_validated() {
        assert!(ChannelName::parse("a-Z_0=@,.;", 200).is_ok());
        assert!(ChannelName::parse("#server-to-user-abc", 200).is_ok());
        assert_eq!(ChannelName::parse("", 200), Err(ChannelNameError::Empty));
        assert!(matches!(
            ChannelName::parse("has space", 200),
            Err(ChannelNameError::BadCharacter { bad: ' ', .. })
        ));
        assert!(ChannelName::parse("#server-to-user-", 200).is_err());
        assert!(matches!(
            ChannelName::parse("#other", 200),
            Err(ChannelNameError::BadCharacter { bad: '#', .. })
        ));
        assert_eq!(
            ChannelName::parse(&"x".repeat(201), 200),
            Err(ChannelNameError::TooLong { len: 201, max: 200 })
        );
    }

    #[test]
    fn capabilities_follow_the_kind() {
        assert!(ChannelKind::of("private-a").allows_client_events());
        assert!(ChannelKind::of("presence-a").allows_client_events());
        assert!(!ChannelKind::of("private-encrypted-a").allows_client_events());
        assert!(!ChannelKind::of("public").allows_client_events());
        assert!(ChannelKind::of("private-encrypted-a").needs_auth());
        assert!(!ChannelKind::of("cache-a").needs_auth());
    }
}
