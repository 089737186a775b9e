//! Table tests: every parse error, with the position and length it points at.
#![allow(clippy::unwrap_used)]

use switchboard_inspector::filter::{Filter, MAX_CHARS, MAX_DEPTH};

/// (filter, position, length, part of the message)
const CASES: &[(&str, usize, usize, &str)] = &[
    ("channel:", 8, 1, "expected a value after \"channel:\""),
    ("kind:frame_in channel:", 22, 1, "expected a value after \"channel:\""),
    ("channel: foo", 8, 1, "expected a value after \"channel:\""),
    ("channel:)", 8, 1, "expected a value after \"channel:\""),
    ("chanel:foo", 0, 6, "unknown field \"chanel\"; did you mean \"channel\"?"),
    ("x EVNT:a", 2, 4, "did you mean \"event\"?"),
    ("http://example.com", 0, 4, "unknown field \"http\""),
    ("price > 10", 0, 5, "unknown field \"price\""),
    ("kind:frame", 5, 5, "no kind is \"frame\"; kind is one of connection_opened"),
    ("kind:zzz*", 5, 4, "no kind is \"zzz*\""),
    ("kind == frame", 8, 5, "no kind is \"frame\""),
    ("origin:browser", 7, 7, "no origin is \"browser\""),
    ("dir:up", 4, 2, "dir is one of in, out, none"),
    ("status:abc", 7, 3, "expected a status like 404, 4xx"),
    ("status:4x*", 7, 3, "expected a status like 404, 4xx"),
    ("status:", 7, 1, "expected a value after \"status:\""),
    ("status>=abc", 8, 3, "expected a status code like 404 after \">=\""),
    ("status >= 99999", 10, 5, "expected a status code"),
    ("status>=", 8, 1, "expected a value after \">=\""),
    ("channel > 4", 8, 1, "channel can only be compared with == or !="),
    ("event <= x", 6, 2, "event can only be compared with == or !="),
    ("\"unclosed", 0, 9, "this quote is never closed"),
    ("a \"b", 2, 2, "this quote is never closed"),
    ("\"\"", 0, 2, "an empty phrase"),
    ("(kind:gap", 0, 1, "this \"(\" is never closed"),
    ("kind:gap)", 8, 1, "unexpected \")\""),
    ("()", 1, 1, "expected a term after \"(\""),
    ("kind:gap or", 11, 1, "expected a term after \"or\""),
    ("kind:gap or )", 12, 1, "expected a term after \"or\""),
    ("kind:gap and", 12, 1, "expected a term after \"and\""),
    ("kind:gap and or x", 13, 1, "expected a term after \"and\""),
    ("or kind:gap", 0, 2, "expected a term before \"or\""),
    ("x or and y", 5, 3, "expected a term before \"and\""),
    ("not", 3, 1, "expected a term after \"not\""),
    ("-", 1, 1, "expected a term right after \"-\""),
    ("- kind:gap", 1, 1, "expected a term right after \"-\""),
    ("data.order", 10, 1, "expected an operator (==, !=, >, >=, <, <=) or \":\" after data.order"),
    ("data.order kind:gap", 10, 1, "has:data.order tests that it exists"),
    ("data.", 5, 1, "expected a key after \".\""),
    ("data.tags[x] == 1", 10, 1, "expected an index like [0] or a quoted key"),
    ("data.tags[0 == 1", 11, 1, "expected \"]\" to close the \"[\" at 9"),
    ("data[\"a == 1", 5, 7, "this quote is never closed"),
    ("data.price >", 12, 1, "expected a value after \">\""),
    ("data.price > )", 13, 1, "expected a value after \">\""),
    ("data.price ! 3", 11, 1, "expected an operator: ==, !=, >, >=, <, <="),
    ("data.price:", 11, 1, "expected a value after \"data.price:\""),
    ("data:", 5, 1, "expected a value after \"data:\""),
    ("has:order", 4, 1, "expected a payload path after \"has:\""),
    ("has:", 4, 1, "expected a payload path after \"has:\""),
    ("has:data.a:b", 10, 1, "unexpected character after has:data.a"),
    ("é kind:zz", 7, 2, "no kind is \"zz\""),
    ("日本 channel:", 11, 1, "expected a value after \"channel:\""),
];

#[test]
fn every_error_points_at_its_position() {
    let mut failures = Vec::new();
    for (text, position, length, message) in CASES {
        match Filter::parse(text) {
            Ok(_) => failures.push(format!("{text:?} parsed; expected an error")),
            Err(e) => {
                if (e.position, e.length) != (*position, *length) || !e.message.contains(message) {
                    failures.push(format!(
                        "{text:?}\n   expected at {position} (+{length}): {message}\n   got      at {} (+{}): {}",
                        e.position, e.length, e.message
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} case(s) wrong:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn display_names_the_position() {
    let error = Filter::parse("kind:gap channel:").unwrap_err();
    assert_eq!(error.to_string(), "at 17: expected a value after \"channel:\"");
    let json = serde_json::to_value(&error).unwrap();
    assert_eq!(json["position"], 17);
    assert_eq!(json["length"], 1);
}

#[test]
fn nesting_and_length_are_bounded() {
    let deep = format!("{}kind:gap{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
    let error = Filter::parse(&deep).unwrap_err();
    assert_eq!(error.position, MAX_DEPTH);
    assert!(error.message.contains("nested more than"), "{error}");
    let fine = format!("{}kind:gap{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert!(Filter::parse(&fine).is_ok());
    let negations = "-".repeat(MAX_DEPTH + 1) + "kind:gap";
    assert!(Filter::parse(&negations).is_err());

    let long = "x ".repeat(MAX_CHARS);
    let error = Filter::parse(&long).unwrap_err();
    assert_eq!((error.position, error.length), (MAX_CHARS, MAX_CHARS));
    assert!(error.message.contains("characters long"), "{error}");
}
