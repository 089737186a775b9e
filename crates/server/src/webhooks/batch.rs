//! Batching per target: events collect in an open batch that closes when it holds
//! `batch_size` events or `batch_window` after its first event. Pure: time comes in as `now`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use switchboard_proto::AppId;
use tokio::time::Instant;

use super::event::Item;

/// One webhook target of one app. The URL is part of the key, so a reload that changes a
/// target's URL starts a new lane instead of mixing the two.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TargetKey {
    pub app: AppId,
    /// The target's position in the app's `[[apps.webhooks]]`.
    pub index: usize,
    pub url: String,
}

/// Extra headers of a target, as configured when its batch opened.
pub type Headers = Arc<[(String, String)]>;

/// A closed batch, ready to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub key: TargetKey,
    pub headers: Headers,
    pub items: Vec<Item>,
}

#[derive(Debug)]
struct Open {
    headers: Headers,
    items: Vec<Item>,
    due: Instant,
}

/// The open batch of each target.
#[derive(Debug)]
pub struct Batcher {
    window: Duration,
    size: usize,
    open: HashMap<TargetKey, Open>,
    events: usize,
}

impl Batcher {
    pub fn new(window: Duration, size: usize) -> Self {
        Self { window, size: size.max(1), open: HashMap::new(), events: 0 }
    }

    /// Adds an event for `key`; returns the batch if this event filled it.
    pub fn add(
        &mut self,
        key: TargetKey,
        headers: &[(String, String)],
        item: Item,
        now: Instant,
    ) -> Option<Batch> {
        let due = now + self.window;
        let open = self.open.entry(key.clone()).or_insert_with(|| Open {
            headers: Headers::from(headers),
            items: Vec::new(),
            due,
        });
        open.items.push(item);
        self.events += 1;
        if open.items.len() < self.size {
            return None;
        }
        self.open.remove(&key).map(|open| self.close(key, open))
    }

    /// The batches whose window has ended by `now`, oldest first.
    pub fn expire(&mut self, now: Instant) -> Vec<Batch> {
        let mut due: Vec<(Instant, TargetKey)> = self
            .open
            .iter()
            .filter(|(_, open)| open.due <= now)
            .map(|(key, open)| (open.due, key.clone()))
            .collect();
        due.sort();
        due.into_iter()
            .filter_map(|(_, key)| self.open.remove(&key).map(|open| self.close(key, open)))
            .collect()
    }

    /// Every open batch, at once (shutdown).
    pub fn drain(&mut self) -> Vec<Batch> {
        let open = std::mem::take(&mut self.open);
        let mut batches: Vec<(Instant, Batch)> =
            open.into_iter().map(|(key, open)| (open.due, self.close(key, open))).collect();
        batches.sort_by_key(|(due, _)| *due);
        batches.into_iter().map(|(_, batch)| batch).collect()
    }

    /// When the next open batch closes.
    pub fn next_due(&self) -> Option<Instant> {
        self.open.values().map(|open| open.due).min()
    }

    /// Events in open batches.
    pub fn len(&self) -> usize {
        self.events
    }

    fn close(&mut self, key: TargetKey, open: Open) -> Batch {
        self.events -= open.items.len();
        Batch { key, headers: open.headers, items: open.items }
    }
}

#[cfg(test)]
mod tests {
    use switchboard_engine::WebhookEvent;

    use super::*;

    const WINDOW: Duration = Duration::from_millis(250);

    fn key(index: usize) -> TargetKey {
        TargetKey { app: AppId::new("app").unwrap(), index, url: format!("http://h/{index}") }
    }

    fn item(n: usize) -> Item {
        Item::new(&WebhookEvent::ChannelOccupied { channel: format!("c{n}") })
    }

    fn channels(batch: &Batch) -> Vec<&str> {
        batch.items.iter().map(|i| i.channel.as_str()).collect()
    }

    fn after(base: Instant, ms: u64) -> Instant {
        base + Duration::from_millis(ms)
    }

    #[test]
    fn a_batch_closes_when_its_window_ends() {
        let (base, headers) = (Instant::now(), Vec::new());
        let mut batcher = Batcher::new(WINDOW, 20);
        assert_eq!(batcher.add(key(0), &headers, item(1), base), None);
        assert_eq!(batcher.add(key(0), &headers, item(2), after(base, 100)), None);
        assert_eq!((batcher.len(), batcher.next_due()), (2, Some(after(base, 250))));
        assert!(batcher.expire(after(base, 249)).is_empty());
        let batches = batcher.expire(after(base, 250));
        assert_eq!(batches.iter().map(channels).collect::<Vec<_>>(), [["c1", "c2"]]);
        assert_eq!((batcher.len(), batcher.next_due()), (0, None));
    }

    #[test]
    fn a_full_batch_closes_at_once_and_the_next_starts_fresh() {
        let (base, headers) = (Instant::now(), Vec::new());
        let mut batcher = Batcher::new(WINDOW, 3);
        let closed: Vec<Batch> =
            (0..7).filter_map(|n| batcher.add(key(0), &headers, item(n), base)).collect();
        let sizes: Vec<usize> = closed.iter().map(|b| b.items.len()).collect();
        assert_eq!(sizes, [3, 3]);
        assert_eq!(channels(&closed[1]), ["c3", "c4", "c5"]);
        assert_eq!(batcher.len(), 1);
        assert_eq!(batcher.drain().iter().map(channels).collect::<Vec<_>>(), [["c6"]]);
    }

    #[test]
    fn targets_batch_separately_and_expire_oldest_first() {
        let base = Instant::now();
        let headers = vec![("X-A".to_owned(), "1".to_owned())];
        let mut batcher = Batcher::new(WINDOW, 20);
        batcher.add(key(1), &headers, item(1), after(base, 10));
        batcher.add(key(0), &headers, item(2), after(base, 0));
        let batches = batcher.expire(after(base, 1000));
        let keys: Vec<usize> = batches.iter().map(|b| b.key.index).collect();
        assert_eq!(keys, [0, 1]);
        assert_eq!(&*batches[0].headers, &[("X-A".to_owned(), "1".to_owned())]);
    }
}
