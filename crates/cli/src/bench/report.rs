//! A scenario's result: a two-column table for people, one JSON object for scripts.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Map, Value};

/// What a scenario hands back to be printed.
#[derive(Debug)]
pub struct Report {
    scenario: &'static str,
    rows: Vec<(&'static str, String)>,
    fields: Map<String, Value>,
}

impl Report {
    /// `data` must serialize to a JSON object (every scenario's report struct does).
    pub fn new(
        scenario: &'static str,
        rows: Vec<(&'static str, String)>,
        data: &impl Serialize,
    ) -> Self {
        let fields = match serde_json::to_value(data) {
            Ok(Value::Object(fields)) => fields,
            _ => Map::new(),
        };
        Self { scenario, rows, fields }
    }

    /// `{"scenario": …, "url": …, <fields>}` on one line.
    pub fn json(&self, url: &str) -> String {
        let mut all = Map::new();
        all.insert("scenario".into(), self.scenario.into());
        all.insert("url".into(), url.into());
        all.extend(self.fields.clone());
        Value::Object(all).to_string()
    }

    /// The summary table.
    pub fn table(&self, url: &str) -> String {
        let width = self.rows.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
        let mut text = format!("{} against {url}\n", self.scenario);
        for (name, value) in &self.rows {
            text.push_str(&format!("  {name:<width$}  {value}\n"));
        }
        text
    }

    pub fn print(&self, url: &str, json: bool, out: &mut impl Write) -> io::Result<()> {
        if json {
            writeln!(out, "{}", self.json(url))
        } else {
            write!(out, "{}", self.table(url))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Figures {
        per_sec: f64,
    }

    #[test]
    fn tables_align_and_json_names_the_scenario() {
        let rows = vec![("a", "1".to_owned()), ("longer", "2".to_owned())];
        let report = Report::new("idle", rows, &Figures { per_sec: 2.5 });
        assert_eq!(report.table("ws://h:1"), "idle against ws://h:1\n  a       1\n  longer  2\n");
        let json: Value = serde_json::from_str(&report.json("ws://h:1")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"scenario": "idle", "url": "ws://h:1", "per_sec": 2.5})
        );
    }
}
