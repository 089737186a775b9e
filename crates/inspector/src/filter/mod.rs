//! The filter language (see `docs/filter-language.md`): parsed once into a small tree,
//! then matched against records, the same way for history queries and the live stream.
//!
//! ```text
//! channel:presence-* -kind:frame_in (event:client-* or event:order.*) status>=400
//! data.order.id == 42   data.price > 10   has:data.order   "exact phrase"   word
//! ```

mod ast;
mod eval;
mod fields;
mod glob;
mod parser;
mod path;
mod scan;
mod terms;
mod text;

use std::fmt;

use serde::{Deserialize, Serialize};
use switchboard_engine::Observation;

pub use fields::{fields, FieldDoc, DIRS, KINDS, ORIGINS};
pub use parser::{MAX_CHARS, MAX_DEPTH};

/// A parsed filter. Serializes as the text it was parsed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Filter {
    source: String,
    expr: ast::Expr,
}

impl Filter {
    /// Parses a filter. The empty (or all-blank) filter matches every record.
    pub fn parse(text: &str) -> Result<Self, FilterError> {
        let expr = parser::parse(text)?;
        Ok(Self { source: text.to_owned(), expr })
    }

    /// The filter that matches every record.
    pub fn all() -> Self {
        Self { source: String::new(), expr: ast::Expr::All }
    }

    /// Whether this filter matches every record (it was empty).
    pub fn is_all(&self) -> bool {
        self.expr == ast::Expr::All
    }

    /// The text this filter was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether `record` passes. Pure; decodes the frame or payload only if a term needs it.
    pub fn matches(&self, record: &Observation) -> bool {
        eval::Record::new(record).eval(&self.expr)
    }
}

impl Default for Filter {
    fn default() -> Self {
        Self::all()
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl std::str::FromStr for Filter {
    type Err = FilterError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl TryFrom<String> for Filter {
    type Error = FilterError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        let expr = parser::parse(&text)?;
        Ok(Self { source: text, expr })
    }
}

impl From<Filter> for String {
    fn from(filter: Filter) -> Self {
        filter.source
    }
}

/// Why a filter could not be parsed, and where: `position` and `length` count characters
/// (not bytes) from the start of the text, ready for underlining. `position` may equal the
/// text's length when something is missing at the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("at {position}: {message}")]
pub struct FilterError {
    pub position: usize,
    pub length: usize,
    pub message: String,
}

impl FilterError {
    pub(crate) fn new(position: usize, length: usize, message: impl Into<String>) -> Self {
        Self { position, length: length.max(1), message: message.into() }
    }
}
