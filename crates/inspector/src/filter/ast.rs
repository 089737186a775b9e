//! The parsed form of a filter: a small boolean tree over terms, built once per query.

use super::glob::Glob;
use super::path::JsonPath;

/// A boolean combination of terms.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    /// The empty filter: every record.
    All,
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Term(Term),
}

/// One test on a record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Term {
    /// `channel:presence-*`, `event == "x"`, `event != "x"`.
    Field { field: Field, test: TextTest },
    /// `status:4xx`, `status>=400`.
    Status(StatusTest),
    /// `data.order.id == 42`, `data.name:bob*`.
    Path { path: JsonPath, test: PathTest },
    /// `has:data.order`.
    Has(JsonPath),
    /// A bare word or quoted phrase, lowercased.
    Text(String),
}

/// The text fields a term can name (`status` and payload paths have their own terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Kind,
    Event,
    Channel,
    Socket,
    User,
    App,
    Origin,
    Dir,
}

impl Field {
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        let field = match name.to_ascii_lowercase().as_str() {
            "kind" => Self::Kind,
            "event" => Self::Event,
            "channel" => Self::Channel,
            "socket" => Self::Socket,
            "user" => Self::User,
            "app" => Self::App,
            "origin" => Self::Origin,
            "dir" => Self::Dir,
            _ => return None,
        };
        Some(field)
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Kind => "kind",
            Self::Event => "event",
            Self::Channel => "channel",
            Self::Socket => "socket",
            Self::User => "user",
            Self::App => "app",
            Self::Origin => "origin",
            Self::Dir => "dir",
        }
    }
}

/// How a text field is tested.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TextTest {
    /// `field:pattern` — wildcard match, ASCII case-insensitive.
    Glob(Glob),
    /// `field == value` — exact, case-sensitive.
    Equals(String),
    /// `field != value` — present and not exactly equal.
    NotEquals(String),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CompareOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Lt => "<",
            Self::Le => "<=",
        }
    }

    /// Applies the operator to an ordering (`Eq`/`Ne` included).
    pub(crate) fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            Self::Eq => ordering == Equal,
            Self::Ne => ordering != Equal,
            Self::Gt => ordering == Greater,
            Self::Ge => ordering != Less,
            Self::Lt => ordering == Less,
            Self::Le => ordering != Greater,
        }
    }
}

/// How `status` is tested.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StatusTest {
    /// `status:404`, `status:4xx`, `status:4*` — one byte per digit, `None` for `x`.
    Digits(Vec<Option<u8>>),
    /// `status:4*` and other wildcard forms.
    Glob(Glob),
    /// `status>=400`.
    Compare(CompareOp, u16),
}

/// How a payload value is tested.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PathTest {
    /// `data.name:bob*` — wildcard match on the value's text.
    Glob(Glob),
    /// `data.price > 10`, `data.id == "a"`.
    Compare(CompareOp, Literal),
}

/// A value on the right of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Number(f64),
    /// A quoted or bare word that is not a number, `true`, `false` or `null`.
    Text(String),
    Bool(bool),
    Null,
}
