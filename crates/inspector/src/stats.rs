//! Per-app figures over time (events per second, open connections), one point a second,
//! counted from the observation stream by a task that owns them.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use switchboard_engine::{Detail, Observation};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, mpsc, oneshot};
use ts_rs::TS;

/// Seconds of history kept.
const HISTORY: usize = 3600;

/// One app's series, oldest first, one point per second from the reply's `start`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Series {
    #[ts(type = "Array<number>")]
    pub events: Vec<u64>,
    #[ts(type = "Array<number>")]
    pub connections: Vec<i64>,
}

/// The answer to a stats query (`GET /stats`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StatsReply {
    /// Unix seconds of the first point.
    #[ts(type = "number")]
    pub start: u64,
    pub apps: BTreeMap<String, Series>,
}

/// Asks the stats task for the last `seconds`.
#[derive(Clone)]
pub struct StatsHandle {
    queries: mpsc::UnboundedSender<(usize, oneshot::Sender<StatsReply>)>,
}

impl StatsHandle {
    /// Starts counting; `connections` are the open connections per app right now.
    pub fn start(
        bus: broadcast::Receiver<Arc<Observation>>,
        connections: BTreeMap<String, i64>,
    ) -> Self {
        let (queries, inbox) = mpsc::unbounded_channel();
        let counter = Counter { apps: BTreeMap::new(), open: connections, now_sec: 0 };
        tokio::spawn(counter.run(bus, inbox));
        Self { queries }
    }

    pub async fn last(&self, seconds: usize) -> StatsReply {
        let (tx, rx) = oneshot::channel();
        if self.queries.send((seconds.min(HISTORY), tx)).is_err() {
            return StatsReply::default();
        }
        rx.await.unwrap_or_default()
    }
}

/// Points per app: (events, connections) per second, newest last.
struct Counter {
    apps: BTreeMap<String, VecDeque<(u64, i64)>>,
    open: BTreeMap<String, i64>,
    now_sec: u64,
}

impl Counter {
    async fn run(
        mut self,
        mut bus: broadcast::Receiver<Arc<Observation>>,
        mut queries: mpsc::UnboundedReceiver<(usize, oneshot::Sender<StatsReply>)>,
    ) {
        loop {
            tokio::select! {
                record = bus.recv() => match record {
                    Ok(record) => self.count(&record),
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => break,
                },
                query = queries.recv() => match query {
                    Some((seconds, reply)) => { let _ = reply.send(self.reply(seconds, unix_secs())); }
                    None => break,
                },
            }
        }
    }

    fn count(&mut self, record: &Observation) {
        let Some(app) = record.app.as_ref().map(|a| a.as_str().to_owned()) else { return };
        self.advance(record.at / 1000);
        let (events, delta) = weigh(record);
        let open = self.open.entry(app.clone()).or_insert(0);
        *open = (*open + delta).max(0);
        let open = *open;
        let points = self.apps.entry(app).or_default();
        match points.back_mut() {
            Some(point) => {
                point.0 += events;
                point.1 = open;
            }
            None => points.push_back((events, open)),
        }
    }

    /// Moves every series forward to `second`, carrying connection counts.
    fn advance(&mut self, second: u64) {
        if second <= self.now_sec {
            return;
        }
        let steps = if self.now_sec == 0 { 1 } else { (second - self.now_sec).min(HISTORY as u64) };
        self.now_sec = second;
        for (app, points) in &mut self.apps {
            let open = self.open.get(app).copied().unwrap_or(0);
            for _ in 0..steps {
                points.push_back((0, open));
            }
            while points.len() > HISTORY {
                points.pop_front();
            }
        }
        for app in self.open.keys() {
            self.apps.entry(app.clone()).or_insert_with(|| VecDeque::from([(0, self.open[app])]));
        }
    }

    fn reply(&mut self, seconds: usize, now: u64) -> StatsReply {
        self.advance(now);
        let seconds = seconds.max(1);
        let apps = self
            .apps
            .iter()
            .map(|(app, points)| {
                let skip = points.len().saturating_sub(seconds);
                let recent = points.iter().skip(skip);
                let (events, connections) = recent.copied().unzip();
                (app.clone(), Series { events, connections })
            })
            .collect();
        StatsReply { start: now.saturating_sub(seconds as u64 - 1), apps }
    }
}

/// How much a record counts: (Pusher events, change in open connections).
fn weigh(record: &Observation) -> (u64, i64) {
    let is_ping = record.event.as_deref().is_some_and(|e| e == "pusher:ping" || e == "pusher:pong");
    match &record.detail {
        Detail::ConnectionOpened { .. } => (0, 1),
        Detail::ConnectionClosed { .. } => (0, -1),
        Detail::FrameIn { .. } | Detail::FrameOut { .. } | Detail::Delivery { .. } if !is_ping => {
            (1, 0)
        }
        _ => (0, 0),
    }
}

fn unix_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_engine::Origin;
    use switchboard_proto::AppId;

    fn record(at: u64, detail: Detail) -> Observation {
        let mut record = Observation::new(Origin::Client, detail).app(&AppId::new("a").unwrap());
        record.at = at;
        record
    }

    fn opened() -> Detail {
        Detail::ConnectionOpened {
            remote: None,
            origin_header: None,
            user_agent: None,
            protocol: None,
            client: None,
            version: None,
        }
    }

    #[test]
    fn counts_events_and_connections_per_second() {
        let mut counter = Counter { apps: BTreeMap::new(), open: BTreeMap::new(), now_sec: 0 };
        counter.count(&record(10_000, opened()));
        counter.count(&record(10_100, Detail::FrameIn { raw: "{}".into(), error: None }));
        counter.count(&record(10_900, Detail::FrameOut { raw: "{}".into() }));
        counter.count(&record(12_000, Detail::FrameOut { raw: "{}".into() }));
        let reply = counter.reply(3, 12);
        assert_eq!(reply.start, 10);
        assert_eq!(reply.apps["a"], Series { events: vec![2, 0, 1], connections: vec![1, 1, 1] });
    }

    #[test]
    fn pings_are_not_events_and_closes_lower_the_count() {
        let mut counter =
            Counter { apps: BTreeMap::new(), open: BTreeMap::from([("a".into(), 2)]), now_sec: 0 };
        let mut ping = record(5_000, Detail::FrameIn { raw: "{}".into(), error: None });
        ping.event = Some("pusher:ping".into());
        counter.count(&ping);
        let closed = Detail::ConnectionClosed {
            code: None,
            reason: String::new(),
            by: switchboard_engine::observation::ClosedBy::Client,
        };
        counter.count(&record(5_500, closed));
        let reply = counter.reply(1, 5);
        assert_eq!(reply.apps["a"], Series { events: vec![0], connections: vec![1] });
    }
}
