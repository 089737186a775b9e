//! The boolean structure of a filter: `or`, implicit or explicit `and`, `not` / `-`,
//! parentheses. Terms themselves are read by `terms`.
//!
//! Precedence, loosest first: `or`, then `and` (a space is an `and`), then `not` / `-`.

use super::ast::Expr;
use super::scan::Cursor;
use super::terms;
use super::FilterError;

/// Longer filters are refused rather than parsed (a filter is typed by a person).
pub const MAX_CHARS: usize = 4096;
/// Parentheses and negations nest at most this deep.
pub const MAX_DEPTH: usize = 32;

pub(crate) fn parse(text: &str) -> Result<Expr, FilterError> {
    let mut parser = Parser { cursor: Cursor::new(text), depth: 0 };
    let count = parser.cursor.len();
    if count > MAX_CHARS {
        let message = format!("the filter is {count} characters long; the limit is {MAX_CHARS}");
        return Err(FilterError::new(MAX_CHARS, count - MAX_CHARS, message));
    }
    parser.cursor.skip_ws();
    if parser.cursor.at_end() {
        return Ok(Expr::All);
    }
    let expr = parser.or()?;
    parser.cursor.skip_ws();
    if !parser.cursor.at_end() {
        return Err(parser.cursor.error_here("unexpected \")\": no \"(\" before it"));
    }
    Ok(expr)
}

struct Parser {
    cursor: Cursor,
    depth: usize,
}

impl Parser {
    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut items = vec![self.and()?];
        loop {
            self.cursor.skip_ws();
            if !self.keyword("or") {
                break;
            }
            self.require_term("or")?;
            items.push(self.and()?);
        }
        Ok(collapse(items, Expr::Or))
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut items = vec![self.unary()?];
        loop {
            self.cursor.skip_ws();
            if self.cursor.at_end() || self.cursor.peek() == Some(')') || self.at_keyword("or") {
                break;
            }
            if self.keyword("and") {
                self.require_term("and")?;
            }
            items.push(self.unary()?);
        }
        Ok(collapse(items, Expr::And))
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        self.cursor.skip_ws();
        let start = self.cursor.pos();
        if self.keyword("not") {
            self.require_term("not")?;
            return self.nested(start, |p| p.unary()).map(|e| Expr::Not(Box::new(e)));
        }
        if self.cursor.peek() == Some('-') {
            self.cursor.bump();
            if self.cursor.peek().is_none_or(|c| c.is_whitespace() || c == ')') {
                return Err(self.cursor.error_here("expected a term right after \"-\""));
            }
            return self.nested(start, |p| p.unary()).map(|e| Expr::Not(Box::new(e)));
        }
        if self.cursor.eat('(') {
            self.require_term("(")?;
            let inner = self.nested(start, |p| p.or())?;
            self.cursor.skip_ws();
            if !self.cursor.eat(')') {
                return Err(FilterError::new(start, 1, "this \"(\" is never closed"));
            }
            return Ok(inner);
        }
        for word in ["or", "and"] {
            if self.at_keyword(word) {
                let message = format!("expected a term before \"{word}\"");
                return Err(FilterError::new(start, word.len(), message));
            }
        }
        terms::term(&mut self.cursor).map(Expr::Term)
    }

    /// Runs `inner` one level deeper, refusing filters nested beyond `MAX_DEPTH`.
    fn nested(
        &mut self,
        start: usize,
        inner: impl FnOnce(&mut Self) -> Result<Expr, FilterError>,
    ) -> Result<Expr, FilterError> {
        if self.depth >= MAX_DEPTH {
            let message = format!("nested more than {MAX_DEPTH} levels deep");
            return Err(FilterError::new(start, 1, message));
        }
        self.depth += 1;
        let result = inner(self);
        self.depth -= 1;
        result
    }

    /// After `after`, a term must follow (not the end, not a closing parenthesis).
    fn require_term(&mut self, after: &str) -> Result<(), FilterError> {
        self.cursor.skip_ws();
        if self.cursor.at_end() || self.cursor.peek() == Some(')') || self.at_keyword("or") {
            return Err(self.cursor.error_here(format!("expected a term after \"{after}\"")));
        }
        Ok(())
    }

    /// Whether the keyword `word` (any case) starts at the cursor as a whole word.
    fn at_keyword(&self, word: &str) -> bool {
        let mut offset = 0;
        for expected in word.chars() {
            match self.cursor.peek_at(offset) {
                Some(c) if c.eq_ignore_ascii_case(&expected) => offset += 1,
                _ => return false,
            }
        }
        self.cursor.peek_at(offset).is_none_or(|c| c.is_whitespace() || matches!(c, '(' | ')'))
    }

    /// Consumes the keyword `word` if it is next.
    fn keyword(&mut self, word: &str) -> bool {
        if !self.at_keyword(word) {
            return false;
        }
        self.cursor.set_pos(self.cursor.pos() + word.chars().count());
        true
    }
}

/// One item stands for itself; several become an `And` / `Or`.
fn collapse(mut items: Vec<Expr>, make: fn(Vec<Expr>) -> Expr) -> Expr {
    if items.len() == 1 {
        items.remove(0)
    } else {
        make(items)
    }
}
