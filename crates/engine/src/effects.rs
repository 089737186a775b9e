//! What the engine asks the I/O layer to do, and the buffer it collects them in.

use switchboard_proto::{AppId, ServerFrame, SocketId, UserId};

use crate::observation::{Detail, Observation, Origin, SkipReason, Target};
use crate::{ConnId, Millis};

/// One thing for the hub to carry out.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Write `text` to each recipient's outbox. Encoded once, shared by all.
    Send { to: Vec<ConnId>, text: String },
    /// Send a WebSocket protocol ping frame.
    Ping { conn: ConnId },
    /// Close the socket with a Pusher close code. The engine has already forgotten it.
    Close { conn: ConnId, code: u16, reason: String },
    /// A webhook event for the app's webhook targets; `cause` is the `seq` of the record
    /// that raised it (so the attempt's record can point back at it).
    Webhook { app: AppId, event: WebhookEvent, cause: Option<u64> },
    /// A record for the inspector (only while recording is on).
    Observe(Box<Observation>),
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

/// Numbering of observations, kept by the engine across inputs.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Recording {
    pub on: bool,
    pub next_seq: u64,
}

/// Collects effects during one input, counting frames and numbering observations.
#[derive(Debug)]
pub(crate) struct Out {
    pub effects: Vec<Effect>,
    pub frames_sent: u64,
    pub recording: Recording,
    now: Millis,
    origin: Origin,
    app: Option<AppId>,
    cause: Option<u64>,
}

impl Out {
    pub fn new(recording: Recording, now: Millis, origin: Origin) -> Self {
        Self { effects: Vec::new(), frames_sent: 0, recording, now, origin, app: None, cause: None }
    }

    /// Sets the app later observations belong to (unless they say otherwise).
    pub fn in_app(&mut self, app: &AppId) {
        self.app = Some(app.clone());
    }

    /// Later observations point at `seq` as their cause.
    pub fn caused_by(&mut self, seq: Option<u64>) {
        self.cause = seq;
    }

    pub fn recording(&self) -> bool {
        self.recording.on
    }

    /// A fresh observation in this input's origin.
    pub fn obs(&self, detail: Detail) -> Observation {
        Observation::new(self.origin, detail)
    }

    /// Numbers and stamps an observation; returns its `seq` (None while not recording).
    pub fn observe(&mut self, mut observation: Observation) -> Option<u64> {
        if !self.recording.on {
            return None;
        }
        observation.seq = self.recording.next_seq;
        self.recording.next_seq += 1;
        observation.at = self.now;
        if observation.app.is_none() {
            observation.app.clone_from(&self.app);
        }
        if observation.cause.is_none() {
            observation.cause = self.cause;
        }
        let seq = observation.seq;
        self.effects.push(Effect::Observe(Box::new(observation)));
        Some(seq)
    }

    pub fn send(&mut self, conn: ConnId, frame: &ServerFrame) {
        let text = frame.encode();
        if self.recording.on {
            let observation = self.obs(Detail::FrameOut { raw: text.clone() }).conn(conn);
            self.observe(with_frame_names(observation, frame));
        }
        self.frames_sent += 1;
        self.effects.push(Effect::Send { to: vec![conn], text });
    }

    /// Any text to one socket (the inspector's raw frame).
    pub fn send_text(&mut self, conn: ConnId, text: String) {
        if self.recording.on {
            self.observe(self.obs(Detail::FrameOut { raw: text.clone() }).conn(conn));
        }
        self.frames_sent += 1;
        self.effects.push(Effect::Send { to: vec![conn], text });
    }

    pub fn broadcast(&mut self, to: Vec<ConnId>, frame: &ServerFrame) {
        self.deliver(to, Vec::new(), frame);
    }

    /// Sends to `to` and records who was reached and who was skipped (and why); a delivery
    /// that reached and skipped no one is not recorded.
    pub fn deliver(
        &mut self,
        to: Vec<ConnId>,
        skipped: Vec<(ConnId, SkipReason)>,
        frame: &ServerFrame,
    ) {
        let record = self.recording.on && !(to.is_empty() && skipped.is_empty());
        self.fan_out(to, skipped, 0, frame, record);
    }

    /// A published event: always recorded (an event nobody received is the answer to "why
    /// didn't my client get it?"), with a count of not-subscribed sockets not listed.
    pub fn publish(
        &mut self,
        to: Vec<ConnId>,
        skipped: Vec<(ConnId, SkipReason)>,
        not_subscribed_more: usize,
        frame: &ServerFrame,
    ) {
        let record = self.recording.on;
        self.fan_out(to, skipped, not_subscribed_more, frame, record);
    }

    fn fan_out(
        &mut self,
        to: Vec<ConnId>,
        skipped: Vec<(ConnId, SkipReason)>,
        not_subscribed_more: usize,
        frame: &ServerFrame,
        record: bool,
    ) {
        if to.is_empty() && !record {
            return;
        }
        let text = frame.encode();
        if record {
            let target = |conn, reason| Target { conn, socket: None, reason };
            let detail = Detail::Delivery {
                raw: text.clone(),
                reached: to.iter().map(|c| target(*c, None)).collect(),
                skipped: skipped.into_iter().map(|(c, r)| target(c, Some(r))).collect(),
                not_subscribed_more,
            };
            let observation = self.obs(detail);
            self.observe(with_frame_names(observation, frame));
        }
        if to.is_empty() {
            return;
        }
        self.frames_sent += to.len() as u64;
        self.effects.push(Effect::Send { to, text });
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
        self.send(conn, &ServerFrame::Error { code, message, channel });
    }

    /// `pusher:error` with the close code, then the close itself.
    pub fn close(&mut self, conn: ConnId, code: u16, reason: &str) {
        self.error(conn, Some(code), reason.to_owned(), None);
        self.effects.push(Effect::Close { conn, code, reason: reason.to_owned() });
    }

    pub fn webhook(&mut self, app: &AppId, event: WebhookEvent) {
        self.effects.push(Effect::Webhook { app: app.clone(), event, cause: self.cause });
    }
}

fn with_frame_names(observation: Observation, frame: &ServerFrame) -> Observation {
    let observation = observation.event(frame.event_name());
    match frame.channel() {
        Some(channel) => observation.channel(channel),
        None => observation,
    }
}
