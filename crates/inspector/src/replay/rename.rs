//! Channel renames for a replay: `orders` → `orders-copy` renames one channel exactly;
//! `private-*` → `private-test-*` swaps a prefix. The first rule that applies wins.

use serde::{Deserialize, Serialize};
use switchboard_proto::{ChannelName, ChannelNameError};
use ts_rs::TS;

use super::ReplayError;

/// One rename rule, as the UI and API send it: `{"from","to"}` (or the pair `[from, to]`,
/// which serde reads into the same struct).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChannelRename {
    pub from: String,
    pub to: String,
}

impl ChannelRename {
    pub fn new(from: &str, to: &str) -> Self {
        Self { from: from.to_owned(), to: to.to_owned() }
    }
}

/// A checked rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rule {
    Exact { from: String, to: String },
    Prefix { from: String, to: String },
}

/// Checks every rule: `*` ends both names or neither, and the new names are channel names.
pub(crate) fn compile(renames: &[ChannelRename]) -> Result<Vec<Rule>, ReplayError> {
    renames.iter().enumerate().map(|(index, rename)| rule(index + 1, rename)).collect()
}

fn rule(rule: usize, rename: &ChannelRename) -> Result<Rule, ReplayError> {
    let from_prefix = rename.from.strip_suffix('*');
    let to_prefix = rename.to.strip_suffix('*');
    let stars = |text: Option<&str>, whole: &str| text.unwrap_or(whole).contains('*');
    if from_prefix.is_some() != to_prefix.is_some()
        || stars(from_prefix, &rename.from)
        || stars(to_prefix, &rename.to)
    {
        return Err(ReplayError::RenameWildcard { rule });
    }
    let bad_name = |error: ChannelNameError| ReplayError::RenameTarget { rule, error };
    match (from_prefix, to_prefix) {
        (Some(from), Some(to)) => {
            if !to.is_empty() {
                ChannelName::parse(to, usize::MAX).map_err(bad_name)?;
            }
            Ok(Rule::Prefix { from: from.to_owned(), to: to.to_owned() })
        }
        _ => {
            if rename.from.is_empty() {
                return Err(ReplayError::RenameEmpty { rule });
            }
            ChannelName::parse(&rename.to, usize::MAX).map_err(bad_name)?;
            Ok(Rule::Exact { from: rename.from.clone(), to: rename.to.clone() })
        }
    }
}

/// The channel after the first rule that applies (`None` when none does).
pub(crate) fn apply(rules: &[Rule], channel: &str) -> Option<String> {
    rules.iter().find_map(|rule| match rule {
        Rule::Exact { from, to } => (from == channel).then(|| to.clone()),
        Rule::Prefix { from, to } => {
            let rest = channel.strip_prefix(from.as_str())?;
            Some(format!("{to}{rest}")).filter(|renamed| !renamed.is_empty())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(pairs: &[(&str, &str)]) -> Result<Vec<Rule>, ReplayError> {
        let renames: Vec<ChannelRename> =
            pairs.iter().map(|(from, to)| ChannelRename::new(from, to)).collect();
        compile(&renames)
    }

    #[test]
    fn renames_exactly_or_by_prefix_first_rule_wins() {
        let rules =
            rules(&[("orders", "orders-copy"), ("private-*", "private-test-*"), ("*", "x-*")])
                .unwrap();
        let cases = [
            ("orders", Some("orders-copy")),
            ("orders-2", Some("x-orders-2")),
            ("private-orders", Some("private-test-orders")),
            ("private-", Some("private-test-")),
            ("presence-chat", Some("x-presence-chat")),
        ];
        for (channel, expected) in cases {
            assert_eq!(apply(&rules, channel).as_deref(), expected, "{channel}");
        }
        assert_eq!(apply(&[], "orders"), None);
    }

    #[test]
    fn refuses_malformed_rules() {
        let cases = [
            (("orders-*", "copy"), "rename 1"),
            (("orders", "copy-*"), "rename 1"),
            (("a*b", "c"), "rename 1"),
            (("a-*", "b*c-*"), "rename 1"),
            (("", "x"), "rename 1: the channel to rename is empty"),
            (("orders", "bad name"), "rename 1: channel name \"bad name\" contains ' '"),
            (("orders", ""), "rename 1: channel name must not be empty"),
        ];
        for ((from, to), message) in cases {
            let error = rules(&[(from, to)]).unwrap_err();
            assert!(error.to_string().starts_with(message), "{from} -> {to}: {error}");
        }
        assert!(rules(&[("private-*", "*")]).is_ok());
    }
}
