//! Reading one term: `field:pattern`, `field == value`, `status>=400`, `data.x > 1`,
//! `has:data.x`, or free text (a bare word or a quoted phrase).

use super::ast::{CompareOp, Field, Literal, PathTest, StatusTest, Term, TextTest};
use super::fields::{closest_name, known_values, FIELD_LIST};
use super::glob::Glob;
use super::path::{JsonPath, ROOT};
use super::scan::Cursor;
use super::FilterError;

/// Reads the term at the cursor (which is on a non-space character other than `)`).
pub(crate) fn term(cursor: &mut Cursor) -> Result<Term, FilterError> {
    let start = cursor.pos();
    if cursor.peek() == Some('"') {
        let phrase = cursor.take_quoted()?;
        if phrase.is_empty() {
            return Err(FilterError::new(start, 2, "an empty phrase matches nothing useful"));
        }
        return Ok(Term::Text(phrase.to_lowercase()));
    }
    if cursor.peek().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') {
        if let Some(term) = named(cursor, start)? {
            return Ok(term);
        }
    }
    cursor.set_pos(start);
    Ok(Term::Text(cursor.take_bare().to_lowercase()))
}

/// A term that starts with a name: a field, `status`, `has` or a `data` path. `None` when
/// the word turns out to be free text.
fn named(cursor: &mut Cursor, start: usize) -> Result<Option<Term>, FilterError> {
    let name = cursor.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
    let lower = name.to_ascii_lowercase();
    if lower == ROOT && matches!(cursor.peek(), Some('.' | '[')) {
        let path = JsonPath::parse_segments(cursor)?;
        return path_term(cursor, path).map(Some);
    }
    if cursor.peek() == Some(':') {
        cursor.bump();
        return colon_term(cursor, &lower, start, &name).map(Some);
    }
    let before_op = cursor.pos();
    cursor.skip_ws();
    if !matches!(cursor.peek(), Some('=' | '!' | '<' | '>')) {
        return Ok(None);
    }
    match lower.as_str() {
        "status" => status_compare(cursor).map(|t| Some(Term::Status(t))),
        ROOT => path_term(cursor, JsonPath::root()).map(Some),
        _ => match Field::from_name(&lower) {
            Some(field) => field_compare(cursor, field).map(Some),
            None => {
                cursor.set_pos(before_op);
                Err(unknown_field(start, &name))
            }
        },
    }
}

/// `name:` has been read; the value must follow at once.
fn colon_term(
    cursor: &mut Cursor,
    lower: &str,
    start: usize,
    name: &str,
) -> Result<Term, FilterError> {
    if lower == "has" {
        return has_term(cursor);
    }
    if lower == ROOT {
        let test = glob_value(cursor, "data:")?;
        return Ok(Term::Path { path: JsonPath::root(), test });
    }
    if lower == "status" {
        return status_pattern(cursor).map(Term::Status);
    }
    let Some(field) = Field::from_name(lower) else {
        return Err(unknown_field(start, name));
    };
    let value_at = cursor.pos();
    let value = colon_value(cursor, &format!("{}:", field.name()))?;
    let glob = Glob::new(&value);
    check_known(field, value_at, &value, |known| glob.matches(known))?;
    Ok(Term::Field { field, test: TextTest::Glob(glob) })
}

fn unknown_field(start: usize, name: &str) -> FilterError {
    let length = name.chars().count();
    let message = match closest_name(name) {
        Some(near) => format!("unknown field \"{name}\"; did you mean \"{near}\"?"),
        None => format!(
            "unknown field \"{name}\"; fields are {}, has and data.PATH \
             (quote text that contains \":\" to search for it)",
            FIELD_LIST.join(", ")
        ),
    };
    FilterError::new(start, length, message)
}

/// The value right after `field:` (bare or quoted); no space is allowed before it.
fn colon_value(cursor: &mut Cursor, after: &str) -> Result<String, FilterError> {
    match cursor.peek() {
        Some('"') => cursor.take_quoted(),
        Some(c) if !c.is_whitespace() && c != ')' && c != '(' => Ok(cursor.take_bare()),
        _ => Err(cursor.error_here(format!("expected a value after \"{after}\""))),
    }
}

fn glob_value(cursor: &mut Cursor, after: &str) -> Result<PathTest, FilterError> {
    colon_value(cursor, after).map(|v| PathTest::Glob(Glob::new(&v)))
}

/// `kind`, `origin` and `dir` take values from a fixed list: a value that can match none
/// of them is a typo, reported where it was typed.
fn check_known(
    field: Field,
    at: usize,
    value: &str,
    matches: impl Fn(&str) -> bool,
) -> Result<(), FilterError> {
    let Some(known) = known_values(field) else { return Ok(()) };
    if known.iter().any(|k| matches(k)) {
        return Ok(());
    }
    let name = field.name();
    let message = format!("no {name} is \"{value}\"; {name} is one of {}", known.join(", "));
    Err(FilterError::new(at, value.chars().count().max(1), message))
}

/// `field == value` / `field != value`.
fn field_compare(cursor: &mut Cursor, field: Field) -> Result<Term, FilterError> {
    let op_at = cursor.pos();
    let op = operator(cursor)?;
    cursor.skip_ws();
    let value_at = cursor.pos();
    let value = compare_value(cursor, op)?;
    let test = match op {
        CompareOp::Eq => TextTest::Equals(value.clone()),
        CompareOp::Ne => TextTest::NotEquals(value.clone()),
        _ => {
            let name = field.name();
            let message = format!(
                "{name} can only be compared with == or !=; for a pattern write {name}:VALUE"
            );
            return Err(FilterError::new(op_at, op.symbol().len(), message));
        }
    };
    check_known(field, value_at, &value, |known| known == value)?;
    Ok(Term::Field { field, test })
}

/// `status:404`, `status:4xx`, `status:40*`.
fn status_pattern(cursor: &mut Cursor) -> Result<StatusTest, FilterError> {
    let at = cursor.pos();
    let value = colon_value(cursor, "status:")?;
    let length = value.chars().count();
    let wildcard = value.contains('*');
    let valid = value
        .chars()
        .all(|c| c.is_ascii_digit() || c == '*' || (!wildcard && c.eq_ignore_ascii_case(&'x')));
    if !valid {
        let message = "expected a status like 404, 4xx, 40* (or a comparison: status>=400)";
        return Err(FilterError::new(at, length, message));
    }
    if wildcard {
        return Ok(StatusTest::Glob(Glob::new(&value)));
    }
    let digits = value.bytes().map(|b| b.is_ascii_digit().then_some(b)).collect();
    Ok(StatusTest::Digits(digits))
}

/// `status >= 400` and the other comparisons.
fn status_compare(cursor: &mut Cursor) -> Result<StatusTest, FilterError> {
    let op = operator(cursor)?;
    cursor.skip_ws();
    let at = cursor.pos();
    let value = compare_value(cursor, op)?;
    match value.parse::<u16>() {
        Ok(code) => Ok(StatusTest::Compare(op, code)),
        Err(_) => {
            let message = format!("expected a status code like 404 after \"{}\"", op.symbol());
            Err(FilterError::new(at, value.chars().count().max(1), message))
        }
    }
}

/// After a payload path: `:pattern` or an operator and a literal.
fn path_term(cursor: &mut Cursor, path: JsonPath) -> Result<Term, FilterError> {
    if cursor.eat(':') {
        let test = glob_value(cursor, &format!("{path}:"))?;
        return Ok(Term::Path { path, test });
    }
    let after_path = cursor.pos();
    cursor.skip_ws();
    if !matches!(cursor.peek(), Some('=' | '!' | '<' | '>')) {
        cursor.set_pos(after_path);
        let message = format!(
            "expected an operator (==, !=, >, >=, <, <=) or \":\" after {path}; \
             has:{path} tests that it exists; quote it to search for the text"
        );
        return Err(cursor.error_here(message));
    }
    let op = operator(cursor)?;
    let quoted = {
        cursor.skip_ws();
        cursor.peek() == Some('"')
    };
    let value = compare_value(cursor, op)?;
    let literal = if quoted { Literal::Text(value) } else { literal(&value) };
    Ok(Term::Path { path, test: PathTest::Compare(op, literal) })
}

/// `has:data.path`.
fn has_term(cursor: &mut Cursor) -> Result<Term, FilterError> {
    let at = cursor.pos();
    let root = cursor.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
    if !root.eq_ignore_ascii_case(ROOT) {
        cursor.set_pos(at);
        return Err(cursor.error_here("expected a payload path after \"has:\", like data.order"));
    }
    let path = JsonPath::parse_segments(cursor)?;
    if cursor.peek().is_some_and(|c| !c.is_whitespace() && c != ')') {
        return Err(cursor.error_here(format!("unexpected character after has:{path}")));
    }
    Ok(Term::Has(path))
}

/// Reads `==`, `!=`, `>=`, `<=`, `>`, `<` (and `=` for `==`).
fn operator(cursor: &mut Cursor) -> Result<CompareOp, FilterError> {
    let first = cursor.peek();
    let second = cursor.peek_at(1);
    let (op, width) = match (first, second) {
        (Some('='), Some('=')) => (CompareOp::Eq, 2),
        (Some('='), _) => (CompareOp::Eq, 1),
        (Some('!'), Some('=')) => (CompareOp::Ne, 2),
        (Some('>'), Some('=')) => (CompareOp::Ge, 2),
        (Some('<'), Some('=')) => (CompareOp::Le, 2),
        (Some('>'), _) => (CompareOp::Gt, 1),
        (Some('<'), _) => (CompareOp::Lt, 1),
        _ => return Err(cursor.error_here("expected an operator: ==, !=, >, >=, <, <=")),
    };
    cursor.set_pos(cursor.pos() + width);
    Ok(op)
}

/// The value after a comparison operator; spaces before it are allowed.
fn compare_value(cursor: &mut Cursor, op: CompareOp) -> Result<String, FilterError> {
    cursor.skip_ws();
    match cursor.peek() {
        Some('"') => cursor.take_quoted(),
        Some(c) if c != ')' && c != '(' => Ok(cursor.take_bare()),
        _ => Err(cursor.error_here(format!("expected a value after \"{}\"", op.symbol()))),
    }
}

/// A bare value: a number, `true`, `false`, `null`, or else text.
fn literal(text: &str) -> Literal {
    match text {
        "true" => Literal::Bool(true),
        "false" => Literal::Bool(false),
        "null" => Literal::Null,
        _ => match text.parse::<f64>() {
            Ok(number) if number.is_finite() && !text.starts_with(['+', '.']) => {
                Literal::Number(number)
            }
            _ => Literal::Text(text.to_owned()),
        },
    }
}
