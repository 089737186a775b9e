//! The JSON shapes the HTTP API answers with. Absent attributes are omitted, as Pusher does.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use switchboard_proto::UserId;
use ts_rs::TS;

/// Attributes of a channel, as the HTTP API reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, optional_fields)]
pub struct ChannelInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occupied: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_count: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_count: Option<usize>,
    /// `Some(None)` is `"cache": null` (asked for, nothing cached).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<Option<CacheInfo>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CacheInfo {
    pub data: String,
    #[ts(type = "number")]
    pub ttl: u64,
}

/// The reply of a trigger: `{}` or `{"channels":{…}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, optional_fields)]
pub struct TriggerReply {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channels: Option<BTreeMap<String, ChannelInfo>>,
}

/// The reply of a batch: `{}` or `{"batch":[…]}` aligned with the request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BatchReply {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<Vec<ChannelInfo>>,
}

/// `GET /channels`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChannelsReply {
    pub channels: BTreeMap<String, ChannelInfo>,
}

/// `GET /channels/{name}/users`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UsersReply {
    pub users: Vec<UserEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserEntry {
    pub id: UserId,
}
