//! History: `GET /records` (filter + cursor paging over the live ring or a session),
//! `GET /records/{seq}` (one record with its cause and effects), `GET /filter` (check a
//! filter) and `GET /values` (known values for autocomplete).

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use switchboard_engine::Observation;
use ts_rs::TS;

use super::error::Failure;
use super::{state, Inspector};
use crate::filter::{FieldDoc, Filter};
use crate::recorder::Predicate;
use crate::store::{Cursor, SessionId};

const DEFAULT_LIMIT: usize = 500;
const MAX_LIMIT: usize = 5000;

pub fn routes() -> Router<Inspector> {
    Router::new()
        .route("/records", get(records))
        .route("/records/{seq}", get(record))
        .route("/filter", get(check_filter))
        .route("/values", get(values))
}

/// `GET /records`: a page of history, oldest first, with the cursors to page on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RecordsPage {
    pub records: Vec<Observation>,
    /// Pass as `before` for the previous (older) page; `null` when there is none.
    #[ts(type = "number | null")]
    pub next_before: Option<u64>,
    /// Pass as `after` for the next (newer) page; `null` when there is none.
    #[ts(type = "number | null")]
    pub next_after: Option<u64>,
}

/// `GET /records/{seq}`: one record, what caused it and what it caused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Trace {
    pub record: Observation,
    pub cause: Option<Observation>,
    pub effects: Vec<Observation>,
}

/// `GET /filter`: whether a filter parses (with the error's span when not), and the names
/// the language knows. Sent only (`FieldDoc` is static text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FilterCheck {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub position: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub length: Option<usize>,
    pub fields: &'static [FieldDoc],
}

/// `GET /values`: values seen lately, for autocomplete; each list sorted, no duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Values {
    pub channels: BTreeSet<String>,
    pub events: BTreeSet<String>,
    pub sockets: BTreeSet<String>,
    pub users: BTreeSet<String>,
    pub apps: BTreeSet<String>,
}

/// `current` (the live ring and the session being recorded) or a session id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    Current,
    Session(SessionId),
}

pub(super) fn source(text: Option<&str>) -> Result<Source, Failure> {
    match text {
        None | Some("current") | Some("") => Ok(Source::Current),
        Some(id) => id.parse().map(|id| Source::Session(SessionId(id))).map_err(|_| {
            Failure::bad_request(format!("session must be \"current\" or a number, not {id:?}"))
        }),
    }
}

/// Parses a filter; an error carries its position for underlining.
pub(super) fn parse_filter(text: Option<&str>) -> Result<Filter, Failure> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(Filter::all()),
        Some(text) => Filter::parse(text).map_err(Failure::from),
    }
}

pub(super) fn predicate(filter: Filter) -> Option<Predicate> {
    (!filter.is_all())
        .then(|| Arc::new(move |record: &Observation| filter.matches(record)) as Predicate)
}

#[derive(Deserialize)]
struct RecordsQuery {
    session: Option<String>,
    filter: Option<String>,
    before: Option<u64>,
    after: Option<u64>,
    limit: Option<usize>,
}

async fn records(
    State(inspector): State<Inspector>,
    Query(query): Query<RecordsQuery>,
) -> Result<Json<RecordsPage>, Failure> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let predicate = predicate(parse_filter(query.filter.as_deref())?);
    let source = source(query.session.as_deref())?;
    let cursor = match (query.before, query.after) {
        (Some(_), Some(_)) => return Err(Failure::bad_request("give before or after, not both")),
        (Some(seq), None) => Cursor::Before(seq),
        (None, Some(seq)) => Cursor::After(seq),
        (None, None) => Cursor::Newest,
    };
    let (records, next) = match source {
        Source::Current => current_page(&inspector, cursor, limit, predicate).await?,
        Source::Session(id) => {
            let page = inspector
                .recorder
                .query(id, cursor, limit, predicate)
                .await
                .map_err(Failure::from)?;
            (page.records, page.next)
        }
    };
    let (next_before, next_after) = match next {
        Some(Cursor::Before(seq)) => (Some(seq), None),
        Some(Cursor::After(seq)) => (None, Some(seq)),
        _ => (None, None),
    };
    Ok(Json(RecordsPage { records, next_before, next_after }))
}

/// The live ring first; older (or forward) pages come from the session on disk.
async fn current_page(
    inspector: &Inspector,
    cursor: Cursor,
    limit: usize,
    predicate: Option<Predicate>,
) -> Result<(Vec<Observation>, Option<Cursor>), Failure> {
    let session = inspector.current_session().await.map(|s| s.id);
    if let (Cursor::After(_), Some(id)) = (cursor, session) {
        inspector.recorder.flush().await.map_err(Failure::from)?;
        let page =
            inspector.recorder.query(id, cursor, limit, predicate).await.map_err(Failure::from)?;
        return Ok((page.records, page.next));
    }
    let before = match cursor {
        Cursor::Before(seq) => Some(seq),
        _ => None,
    };
    let recent =
        inspector.recorder.recent(predicate.clone(), limit, before).await.map_err(Failure::from)?;
    let mut records: Vec<Observation> = recent.iter().map(|r| (**r).clone()).collect();
    let oldest = records.first().map(|r| r.seq).or(before);
    if records.len() < limit {
        if let (Some(id), Some(oldest)) = (session, oldest) {
            let page = inspector
                .recorder
                .query(id, Cursor::Before(oldest), limit - records.len(), predicate)
                .await;
            let older = page.map_err(Failure::from)?;
            records.splice(0..0, older.records);
            return Ok((records, older.next));
        }
    }
    let next =
        (records.len() == limit).then(|| records.first().map(|r| Cursor::Before(r.seq))).flatten();
    Ok((records, next))
}

#[derive(Deserialize)]
struct SessionQuery {
    session: Option<String>,
}

/// One record with what caused it and what it caused.
async fn record(
    State(inspector): State<Inspector>,
    Path(seq): Path<u64>,
    Query(query): Query<SessionQuery>,
) -> Result<Json<Trace>, Failure> {
    let source = source(query.session.as_deref())?;
    let found = find(&inspector, source, vec![seq]).await?;
    let record =
        found.into_iter().next().ok_or_else(|| Failure::not_found(format!("no record {seq}")))?;
    let cause = match record.cause {
        Some(cause) => find(&inspector, source, vec![cause]).await?.into_iter().next(),
        None => None,
    };
    let caused_by = Arc::new(move |r: &Observation| r.cause == Some(seq)) as Predicate;
    let effects = match source {
        Source::Current => {
            let recent = inspector.recorder.recent(Some(caused_by), MAX_LIMIT, None).await;
            recent.map_err(Failure::from)?.iter().map(|r| (**r).clone()).collect()
        }
        Source::Session(id) => {
            let page =
                inspector.recorder.query(id, Cursor::After(seq), MAX_LIMIT, Some(caused_by)).await;
            page.map_err(Failure::from)?.records
        }
    };
    Ok(Json(Trace { record, cause, effects }))
}

/// Records by seq from the ring (current) or a session.
async fn find(
    inspector: &Inspector,
    source: Source,
    seqs: Vec<u64>,
) -> Result<Vec<Observation>, Failure> {
    match source {
        Source::Session(id) => {
            inspector.recorder.records_by_seqs(id, seqs).await.map_err(Failure::from)
        }
        Source::Current => {
            let wanted: BTreeSet<u64> = seqs.iter().copied().collect();
            let matcher = Arc::new(move |r: &Observation| wanted.contains(&r.seq)) as Predicate;
            let found = inspector
                .recorder
                .recent(Some(matcher), seqs.len(), None)
                .await
                .map_err(Failure::from)?;
            if found.len() == seqs.len() {
                return Ok(found.iter().map(|r| (**r).clone()).collect());
            }
            match inspector.current_session().await {
                Some(session) => {
                    inspector.recorder.flush().await.map_err(Failure::from)?;
                    inspector
                        .recorder
                        .records_by_seqs(session.id, seqs)
                        .await
                        .map_err(Failure::from)
                }
                None => Ok(found.iter().map(|r| (**r).clone()).collect()),
            }
        }
    }
}

#[derive(Deserialize)]
struct FilterQuery {
    q: Option<String>,
}

async fn check_filter(Query(query): Query<FilterQuery>) -> Json<FilterCheck> {
    let fields = crate::filter::fields();
    Json(match parse_filter(query.q.as_deref()) {
        Ok(_) => FilterCheck { ok: true, error: None, position: None, length: None, fields },
        Err(failure) => {
            let (position, length) = failure.span.unwrap_or((0, 1));
            FilterCheck {
                ok: false,
                error: Some(failure.message),
                position: Some(position),
                length: Some(length),
                fields,
            }
        }
    })
}

/// Values seen in the live state and the newest records, for autocomplete.
async fn values(State(inspector): State<Inspector>) -> Result<Json<Values>, Failure> {
    let state = state::live_state(&inspector).await?;
    let recent = inspector.recorder.recent(None, 2000, None).await.map_err(Failure::from)?;
    let mut values = Values::default();
    let Values { channels, events, sockets, users, apps } = &mut values;
    for app in &state.apps {
        apps.insert(app.id.to_string());
        channels.extend(app.channels.iter().map(|c| c.name.clone()));
        sockets.extend(app.connections.iter().map(|c| c.socket.to_string()));
        users.extend(
            app.connections.iter().filter_map(|c| c.user.as_ref().map(ToString::to_string)),
        );
    }
    for record in &recent {
        channels.extend(record.channel.clone());
        events.extend(record.event.clone());
        sockets.extend(record.socket.as_ref().map(ToString::to_string));
        users.extend(record.user.as_ref().map(ToString::to_string));
    }
    Ok(Json(values))
}
