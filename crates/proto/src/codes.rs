//! Pusher close and error codes, grouped by what pusher-js does with them.

/// The close codes Switchboard sends. 4000–4099: don't reconnect; 4100–4199: reconnect
/// after a pause; 4200–4299: reconnect at once; 4300+: other (clients give up).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseCode {
    AppDoesNotExist,
    AppDisabled,
    OverConnectionQuota,
    InvalidVersionFormat,
    UnsupportedProtocol,
    Unauthorized,
    OverCapacity,
    Reconnect,
    PongNotReceived,
    ClientEventRejected,
    WatchlistLimit,
}

impl CloseCode {
    pub fn code(self) -> u16 {
        match self {
            Self::AppDoesNotExist => 4001,
            Self::AppDisabled => 4003,
            Self::OverConnectionQuota => 4004,
            Self::InvalidVersionFormat => 4006,
            Self::UnsupportedProtocol => 4007,
            Self::Unauthorized => 4009,
            Self::OverCapacity => 4100,
            Self::Reconnect => 4200,
            Self::PongNotReceived => 4201,
            Self::ClientEventRejected => 4301,
            Self::WatchlistLimit => 4302,
        }
    }

    /// Pusher's wording for the code.
    pub fn reason(self) -> &'static str {
        match self {
            Self::AppDoesNotExist => "Application does not exist",
            Self::AppDisabled => "Application disabled",
            Self::OverConnectionQuota => "Application is over connection quota",
            Self::InvalidVersionFormat => "Invalid version string format",
            Self::UnsupportedProtocol => "Unsupported protocol version",
            Self::Unauthorized => "Connection is unauthorized",
            Self::OverCapacity => "Over capacity",
            Self::Reconnect => "Generic reconnect immediately",
            Self::PongNotReceived => "Pong reply not received",
            Self::ClientEventRejected => "Client event rejected",
            Self::WatchlistLimit => "Watchlist limit exceeded",
        }
    }

    pub fn from_code(code: u16) -> Option<Self> {
        ALL.into_iter().find(|c| c.code() == code)
    }
}

const ALL: [CloseCode; 11] = [
    CloseCode::AppDoesNotExist,
    CloseCode::AppDisabled,
    CloseCode::OverConnectionQuota,
    CloseCode::InvalidVersionFormat,
    CloseCode::UnsupportedProtocol,
    CloseCode::Unauthorized,
    CloseCode::OverCapacity,
    CloseCode::Reconnect,
    CloseCode::PongNotReceived,
    CloseCode::ClientEventRejected,
    CloseCode::WatchlistLimit,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in ALL {
            assert_eq!(CloseCode::from_code(code.code()), Some(code));
        }
        assert_eq!(CloseCode::from_code(1000), None);
    }
}
