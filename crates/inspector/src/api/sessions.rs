//! Sessions: list, start, stop, rename, delete, export (NDJSON or HAR) and import.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchboard_engine::Observation;
use ts_rs::TS;

use super::error::Failure;
use super::Inspector;
use crate::export::{self, HarOptions, Imported, SessionMeta};
use crate::store::{Cursor, SessionId, SessionInfo};

/// Imports may be large recordings.
const IMPORT_LIMIT: usize = 256 * 1024 * 1024;
const PAGE: usize = 5000;

pub fn routes() -> Router<Inspector> {
    Router::new()
        .route("/sessions", get(list).post(start))
        .route("/sessions/stop", post(stop))
        .route("/sessions/{id}", patch(rename).delete(delete))
        .route("/sessions/{id}/export", get(export_session))
        .route("/sessions/import", post(import).layer(DefaultBodyLimit::max(IMPORT_LIMIT)))
}

/// One entry of `GET /sessions`: the session, and whether it is the one being recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SessionEntry {
    #[serde(flatten)]
    pub session: SessionInfo,
    pub current: bool,
}

/// The body of `POST /sessions` (optional there) and `PATCH /sessions/{id}` (required).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SessionName {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
}

/// `POST /sessions/stop`: the session that ended, if one was being recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StopReply {
    #[ts(type = "true")]
    pub ok: bool,
    pub ended: Option<SessionInfo>,
}

/// `DELETE /sessions/{id}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OkReply {
    #[ts(type = "true")]
    pub ok: bool,
}

/// `POST /sessions/import`: the new session and what could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportResult {
    pub id: SessionId,
    pub name: String,
    /// How many records were imported.
    pub records: usize,
    pub warnings: Vec<String>,
}

async fn list(State(inspector): State<Inspector>) -> Result<Json<Vec<SessionEntry>>, Failure> {
    let current = inspector.current_session().await.map(|s| s.id);
    let sessions = inspector.recorder.sessions().await.map_err(Failure::from)?;
    let listed = sessions
        .into_iter()
        .map(|session| SessionEntry { current: Some(session.id) == current, session })
        .collect();
    Ok(Json(listed))
}

async fn start(
    State(inspector): State<Inspector>,
    body: Option<Json<SessionName>>,
) -> Result<Json<SessionInfo>, Failure> {
    let name = body.and_then(|Json(b)| b.name).filter(|n| !n.trim().is_empty());
    Ok(Json(inspector.recorder.start_session(name).await.map_err(Failure::from)?))
}

async fn stop(State(inspector): State<Inspector>) -> Result<Json<StopReply>, Failure> {
    let ended = inspector.recorder.stop().await.map_err(Failure::from)?;
    Ok(Json(StopReply { ok: true, ended }))
}

async fn rename(
    State(inspector): State<Inspector>,
    Path(id): Path<i64>,
    Json(body): Json<SessionName>,
) -> Result<Json<SessionInfo>, Failure> {
    let name = body.name.ok_or_else(|| Failure::bad_request("name is required"))?;
    let renamed = inspector.recorder.rename(SessionId(id), name).await;
    Ok(Json(renamed.map_err(|e| Failure::bad_request(e.to_string()))?))
}

async fn delete(
    State(inspector): State<Inspector>,
    Path(id): Path<i64>,
) -> Result<Json<OkReply>, Failure> {
    if inspector.current_session().await.is_some_and(|s| s.id == SessionId(id)) {
        return Err(Failure::bad_request(
            "this session is being recorded; stop it or start a new one first",
        ));
    }
    inspector
        .recorder
        .delete(SessionId(id))
        .await
        .map_err(|e| Failure::bad_request(e.to_string()))?;
    Ok(Json(OkReply { ok: true }))
}

#[derive(Deserialize)]
struct ExportQuery {
    format: Option<String>,
}

async fn export_session(
    State(inspector): State<Inspector>,
    Path(id): Path<i64>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, Failure> {
    let id = SessionId(id);
    let (session, records) = all_records(&inspector, id).await?;
    let meta = SessionMeta {
        id: id.to_string(),
        name: session.name.clone(),
        started_at: session.started_at,
        ended_at: session.ended_at,
    };
    let format = query.format.as_deref().unwrap_or("ndjson");
    let (body, extension, mime) = match format {
        "ndjson" => (
            export::write_ndjson(Vec::new(), &meta, now_ms(), &records),
            "ndjson",
            "application/x-ndjson",
        ),
        "har" => {
            let har = export::export_har(
                &meta,
                &records,
                &HarOptions { origin: inspector.info.http_url.clone() },
            );
            (export::write_har(Vec::new(), &har), "har", "application/json")
        }
        other => {
            return Err(Failure::bad_request(format!(
                "format must be ndjson or har, not {other:?}"
            )))
        }
    };
    let body = body.map_err(|e| Failure::internal(format!("export failed: {e}")))?;
    let filename = format!("switchboard-session-{id}.{extension}");
    let disposition = format!("attachment; filename=\"{filename}\"");
    Ok((
        [(header::CONTENT_TYPE, mime.to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        body,
    )
        .into_response())
}

/// Every record of a session, oldest first (after flushing the current one).
pub(super) async fn all_records(
    inspector: &Inspector,
    id: SessionId,
) -> Result<(SessionInfo, Vec<Observation>), Failure> {
    if inspector.current_session().await.is_some_and(|s| s.id == id) {
        inspector.recorder.flush().await.map_err(Failure::from)?;
    }
    let session =
        inspector.recorder.session(id).await.map_err(|e| Failure::not_found(e.to_string()))?;
    let mut records = Vec::new();
    let mut cursor = Cursor::Oldest;
    loop {
        let page = inspector.recorder.query(id, cursor, PAGE, None).await.map_err(Failure::from)?;
        records.extend(page.records);
        match page.next {
            Some(next) => cursor = next,
            None => return Ok((session, records)),
        }
    }
}

async fn import(
    State(inspector): State<Inspector>,
    body: Bytes,
) -> Result<Json<ImportResult>, Failure> {
    let imported = parse_import(&body)?;
    let warnings: Vec<String> = imported.skipped.iter().map(ToString::to_string).collect();
    let count = imported.records.len();
    let meta = SessionInfo {
        id: SessionId(0),
        name: imported.meta.name,
        started_at: imported.meta.started_at,
        ended_at: imported.meta.ended_at,
        records: count as u64,
        missed: 0,
        first_at: imported.records.first().map(|r| r.at),
        last_at: imported.records.last().map(|r| r.at),
    };
    let stored = inspector.recorder.import(meta, imported.records).await;
    let stored = stored.map_err(|e| Failure::bad_request(format!("import failed: {e}")))?;
    Ok(Json(ImportResult { id: stored.id, name: stored.name, records: count, warnings }))
}

/// NDJSON when the first line is a Switchboard header, HAR otherwise.
pub(super) fn parse_import(body: &[u8]) -> Result<Imported, Failure> {
    let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let first_line = text.split(|b| *b == b'\n').next().unwrap_or_default();
    let is_ndjson =
        serde_json::from_slice::<Value>(first_line).is_ok_and(|v| v.get("format").is_some());
    let result = if is_ndjson { export::import_ndjson(text) } else { export::import_har(text) };
    result.map_err(|e| Failure::bad_request(format!("cannot import this file: {e}")))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
