//! The grace window: `channel_vacated` and `member_removed` wait a little, and are dropped —
//! with the `channel_occupied` / `member_added` that cancels them — if the channel or member
//! is back before it ends, so a page reload does not flap. Pure: time comes in as `now`.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use switchboard_engine::WebhookEvent;
use switchboard_proto::{AppId, UserId};
use tokio::time::Instant;

/// What a held event is about: a channel, or a member of a channel.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Slot {
    Channel(AppId, String),
    Member(AppId, String, UserId),
}

#[derive(Debug)]
struct Held {
    slot: Slot,
    due: Instant,
    event: WebhookEvent,
    cause: Option<u64>,
}

/// Events held back, in arrival order (every hold is as long, so that is also due order).
#[derive(Debug)]
pub struct Grace {
    period: Duration,
    held: BTreeMap<u64, Held>,
    by_slot: HashMap<Slot, u64>,
    /// Channels whose vacate was just cancelled: the engine's fresh `cache_miss` for the
    /// resubscribe is a repeat the receiver already had, so it is dropped until this time.
    resumed: HashMap<(AppId, String), Instant>,
    next: u64,
}

/// An event with its app and the `seq` of the record that raised it, as the sender routes it.
pub type AppEvent = (AppId, WebhookEvent, Option<u64>);

impl Grace {
    pub fn new(period: Duration) -> Self {
        Self {
            period,
            held: BTreeMap::new(),
            by_slot: HashMap::new(),
            resumed: HashMap::new(),
            next: 0,
        }
    }

    /// Takes an event that happened at `at`; returns it if it goes out now, `None` if it is
    /// held or cancelled.
    pub fn offer(
        &mut self,
        app: AppId,
        event: WebhookEvent,
        cause: Option<u64>,
        at: Instant,
    ) -> Option<AppEvent> {
        if self.period.is_zero() {
            return Some((app, event, cause));
        }
        let slot = match &event {
            WebhookEvent::ChannelVacated { channel } => Slot::Channel(app, channel.clone()),
            WebhookEvent::MemberRemoved { channel, user_id } => {
                Slot::Member(app, channel.clone(), user_id.clone())
            }
            WebhookEvent::ChannelOccupied { channel } => {
                let slot = Slot::Channel(app.clone(), channel.clone());
                if !self.cancel(&slot) {
                    return Some((app, event, cause));
                }
                self.resumed.insert((app, channel.clone()), at + self.period);
                return None;
            }
            WebhookEvent::MemberAdded { channel, user_id } => {
                let slot = Slot::Member(app.clone(), channel.clone(), user_id.clone());
                return (!self.cancel(&slot)).then_some((app, event, cause));
            }
            WebhookEvent::CacheMiss { channel } => {
                let repeat = self.resumed.remove(&(app.clone(), channel.clone()));
                return repeat.filter(|until| at < *until).is_none().then_some((app, event, cause));
            }
            _ => return Some((app, event, cause)),
        };
        self.hold(slot, (event, cause), at);
        None
    }

    /// The held events whose window has ended by `now`, in order.
    pub fn expire(&mut self, now: Instant) -> Vec<AppEvent> {
        self.resumed.retain(|_, until| *until > now);
        let mut out = Vec::new();
        while let Some(entry) = self.held.first_entry() {
            if entry.get().due > now {
                break;
            }
            let held = entry.remove();
            out.push(self.release(held));
        }
        out
    }

    /// Every held event, at once (shutdown).
    pub fn drain(&mut self) -> Vec<AppEvent> {
        let held = std::mem::take(&mut self.held);
        held.into_values().map(|held| self.release(held)).collect()
    }

    /// When the next held event is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.held.first_key_value().map(|(_, held)| held.due)
    }

    /// Events currently held.
    pub fn len(&self) -> usize {
        self.held.len()
    }

    fn hold(&mut self, slot: Slot, (event, cause): (WebhookEvent, Option<u64>), at: Instant) {
        if self.by_slot.contains_key(&slot) {
            return; // already held: the engine never vacates twice without reoccupying
        }
        let seq = self.next;
        self.next += 1;
        self.by_slot.insert(slot.clone(), seq);
        self.held.insert(seq, Held { slot, due: at + self.period, event, cause });
    }

    fn cancel(&mut self, slot: &Slot) -> bool {
        match self.by_slot.remove(slot) {
            Some(seq) => self.held.remove(&seq).is_some(),
            None => false,
        }
    }

    fn release(&mut self, held: Held) -> AppEvent {
        self.by_slot.remove(&held.slot);
        let app = match held.slot {
            Slot::Channel(app, _) | Slot::Member(app, ..) => app,
        };
        (app, held.event, held.cause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERIOD: Duration = Duration::from_millis(3000);

    fn app() -> AppId {
        AppId::new("app").unwrap()
    }

    fn ms(base: Instant, ms: u64) -> Instant {
        base + Duration::from_millis(ms)
    }

    fn occupied(c: &str) -> WebhookEvent {
        WebhookEvent::ChannelOccupied { channel: c.into() }
    }
    fn vacated(c: &str) -> WebhookEvent {
        WebhookEvent::ChannelVacated { channel: c.into() }
    }
    fn added(c: &str, u: &str) -> WebhookEvent {
        WebhookEvent::MemberAdded { channel: c.into(), user_id: UserId::new(u).unwrap() }
    }
    fn removed(c: &str, u: &str) -> WebhookEvent {
        WebhookEvent::MemberRemoved { channel: c.into(), user_id: UserId::new(u).unwrap() }
    }
    fn miss(c: &str) -> WebhookEvent {
        WebhookEvent::CacheMiss { channel: c.into() }
    }

    /// Feeds `(at_ms, event)` in order, expiring before each; returns what went out, with
    /// the time it went out, then expires at `end_ms`.
    fn run(steps: &[(u64, WebhookEvent)], end_ms: u64) -> Vec<(u64, WebhookEvent)> {
        let base = Instant::now();
        let mut grace = Grace::new(PERIOD);
        let mut out = Vec::new();
        for (at, event) in steps {
            out.extend(grace.expire(ms(base, *at)).into_iter().map(|(_, e, _)| (*at, e)));
            out.extend(
                grace.offer(app(), event.clone(), None, ms(base, *at)).map(|(_, e, _)| (*at, e)),
            );
        }
        out.extend(grace.expire(ms(base, end_ms)).into_iter().map(|(_, e, _)| (end_ms, e)));
        out
    }

    #[test]
    fn a_quick_return_cancels_both_sides() {
        let steps = [
            (0, occupied("c")),
            (0, added("presence-c", "u")),
            (100, removed("presence-c", "u")),
            (100, vacated("c")),
            (2900, occupied("c")),
            (2900, added("presence-c", "u")),
        ];
        assert_eq!(run(&steps, 10_000), [(0, occupied("c")), (0, added("presence-c", "u"))]);
    }

    #[test]
    fn a_late_return_sends_everything_in_order() {
        let steps = [(0, occupied("c")), (100, vacated("c")), (3100, occupied("c"))];
        assert_eq!(
            run(&steps, 3100),
            [(0, occupied("c")), (3100, vacated("c")), (3100, occupied("c"))]
        );
    }

    #[test]
    fn held_events_go_out_when_their_window_ends() {
        let steps = [(0, vacated("a")), (1000, removed("p", "u")), (2999, vacated("b"))];
        let out = run(&steps, 3000);
        assert_eq!(out, [(3000, vacated("a"))]);
        let out = run(&steps, 6000);
        assert_eq!(out, [(6000, vacated("a")), (6000, removed("p", "u")), (6000, vacated("b"))]);
    }

    #[test]
    fn another_member_or_channel_does_not_cancel() {
        let steps = [
            (0, removed("p", "u1")),
            (0, vacated("a")),
            (10, added("p", "u2")),
            (10, occupied("b")),
        ];
        assert_eq!(
            run(&steps, 3000),
            [
                (10, added("p", "u2")),
                (10, occupied("b")),
                (3000, removed("p", "u1")),
                (3000, vacated("a"))
            ]
        );
    }

    #[test]
    fn the_cache_miss_of_a_cancelled_return_is_a_repeat() {
        let steps = [
            (0, occupied("cache-c")),
            (0, miss("cache-c")),
            (10, vacated("cache-c")),
            (20, occupied("cache-c")),
            (20, miss("cache-c")),
            (30, miss("cache-c")),
        ];
        assert_eq!(
            run(&steps, 9000),
            [(0, occupied("cache-c")), (0, miss("cache-c")), (30, miss("cache-c"))]
        );
    }

    #[test]
    fn zero_period_sends_at_once_and_drain_releases_everything() {
        let base = Instant::now();
        let mut grace = Grace::new(Duration::ZERO);
        assert_eq!(grace.offer(app(), vacated("a"), None, base), Some((app(), vacated("a"), None)));
        let mut grace = Grace::new(PERIOD);
        assert_eq!(grace.offer(app(), vacated("a"), None, base), None);
        assert_eq!(grace.offer(app(), removed("p", "u"), None, base), None);
        assert_eq!(grace.next_due(), Some(ms(base, 3000)));
        assert_eq!(grace.drain(), [(app(), vacated("a"), None), (app(), removed("p", "u"), None)]);
        assert_eq!((grace.len(), grace.next_due()), (0, None));
        assert_eq!(
            grace.offer(app(), occupied("a"), None, base),
            Some((app(), occupied("a"), None))
        );
    }

    #[test]
    fn a_held_event_keeps_the_record_that_raised_it() {
        let base = Instant::now();
        let mut grace = Grace::new(PERIOD);
        assert_eq!(grace.offer(app(), vacated("a"), Some(41), base), None);
        assert_eq!(grace.expire(ms(base, 3000)), [(app(), vacated("a"), Some(41))]);
    }
}
