//! What the engine asks the I/O layer to do, and the buffer it collects them in.

use switchboard_proto::{AppId, ServerFrame, SocketId, UserId};

use crate::ConnId;

/// One thing for the hub to carry out.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Write `text` to each recipient's outbox. Encoded once, shared by all.
    Send { to: Vec<ConnId>, text: String },
    /// Send a WebSocket protocol ping frame.
    Ping { conn: ConnId },
    /// Close the socket with a Pusher close code. The engine has already forgotten it.
    Close {
        conn: ConnId,
        code: u16,
        reason: String,
    },
    /// A webhook event for the app's webhook targets.
    Webhook { app: AppId, event: WebhookEvent },
}

/// The seven Pusher webhook events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookEvent {
    ChannelOccupied {
        channel: String,
    },
    ChannelVacated {
        channel: String,
    },
    MemberAdded {
        channel: String,
        user_id: UserId,
    },
    MemberRemoved {
        channel: String,
        user_id: UserId,
    },
    ClientEvent {
        channel: String,
        event: String,
        data: String,
        socket_id: SocketId,
        user_id: Option<UserId>,
    },
    CacheMiss {
        channel: String,
    },
    SubscriptionCount {
        channel: String,
        subscription_count: usize,
    },
}

/// Collects effects during one input, counting the frames sent.
#[derive(Debug, Default)]
pub(crate) struct Out {
    pub effects: Vec<Effect>,
    pub frames_sent: u64,
}

impl Out {
    pub fn send(&mut self, conn: ConnId, frame: &ServerFrame) {
        self.broadcast(vec![conn], frame);
    }

    pub fn broadcast(&mut self, to: Vec<ConnId>, frame: &ServerFrame) {
        if to.is_empty() {
            return;
        }
        self.frames_sent += to.len() as u64;
        self.effects.push(Effect::Send {
            to,
            text: frame.encode(),
        });
    }

    /// A non-fatal `pusher:error`.
    pub fn error(
        &mut self,
        conn: ConnId,
        code: Option<u16>,
        message: String,
        channel: Option<&str>,
    ) {
        let channel = channel.map(str::to_owned);
        self.send(
            conn,
            &ServerFrame::Error {
                code,
                message,
                channel,
            },
        );
    }

    /// `pusher:error` with the close code, then the close itself.
    pub fn close(&mut self, conn: ConnId, code: u16, reason: &str) {
        self.error(conn, Some(code), reason.to_owned(), None);
        self.effects.push(Effect::Close {
            conn,
            code,
            reason: reason.to_owned(),
        });
    }

    pub fn webhook(&mut self, app: &AppId, event: WebhookEvent) {
        self.effects.push(Effect::Webhook {
            app: app.clone(),
            event,
        });
    }
}
