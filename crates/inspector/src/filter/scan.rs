//! A cursor over the filter text that counts characters (not bytes), so every error can
//! point at the column a person sees.

use super::FilterError;

pub(crate) struct Cursor {
    chars: Vec<char>,
    pos: usize,
}

impl Cursor {
    pub(crate) fn new(text: &str) -> Self {
        Self { chars: text.chars().collect(), pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn set_pos(&mut self, pos: usize) {
        self.pos = pos;
    }

    pub(crate) fn len(&self) -> usize {
        self.chars.len()
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    pub(crate) fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    pub(crate) fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    pub(crate) fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    /// Consumes `c` if it is next.
    pub(crate) fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(crate) fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// The text between two positions.
    pub(crate) fn slice(&self, from: usize, to: usize) -> String {
        self.chars[from.min(self.chars.len())..to.min(self.chars.len())].iter().collect()
    }

    /// Consumes characters while `keep` holds; returns the text.
    pub(crate) fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let start = self.pos;
        while self.peek().is_some_and(&keep) {
            self.pos += 1;
        }
        self.slice(start, self.pos)
    }

    /// A bare word: everything up to whitespace, a parenthesis or a quote.
    pub(crate) fn take_bare(&mut self) -> String {
        self.take_while(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '"'))
    }

    /// A `"quoted string"` starting at the cursor (which is on the opening quote), with
    /// `\"` and `\\` escapes.
    pub(crate) fn take_quoted(&mut self) -> Result<String, FilterError> {
        let start = self.pos;
        self.pos += 1;
        let mut text = String::new();
        loop {
            match self.bump() {
                None => {
                    let length = self.pos - start;
                    return Err(FilterError::new(start, length, "this quote is never closed"));
                }
                Some('"') => return Ok(text),
                Some('\\') if matches!(self.peek(), Some('"' | '\\')) => {
                    text.extend(self.bump());
                }
                Some(c) => text.push(c),
            }
        }
    }

    /// An error of `length` characters at the cursor.
    pub(crate) fn error_here(&self, message: impl Into<String>) -> FilterError {
        FilterError::new(self.pos, 1, message)
    }
}
