//! The contract with the UI, written to `ui/contract/*.json`: the node tests (tests/js) check
//! the page's lists and the fields it reads against these files, so a renamed kind or field on
//! this side fails a test instead of silently breaking the page.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{json, Map, Value};

use super::TestApp;

/// Compares `value` with the committed `ui/contract/<name>.json`; when they differ the file is
/// rewritten and the test fails, so a change to the contract is always seen and committed.
pub fn check_contract_file(name: &str, value: &Value) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../ui/contract")
        .join(format!("{name}.json"));
    let text = serde_json::to_string_pretty(value).expect("contract serialises") + "\n";
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != text {
        std::fs::create_dir_all(path.parent().expect("has a folder")).expect("contract folder");
        std::fs::write(&path, &text).expect("contract written");
        panic!(
            "{} was stale and has been rewritten; run `node --test tests/js/` and commit it",
            path.display()
        );
    }
}

/// Members whose contents are free-form data (field values, schema properties): their own
/// name is part of the contract, what is inside them is not.
const FREE_FORM: [&str; 2] = ["value", "properties"];

/// Every member path of a JSON value, `a.b`, with `[]` for array items (union over items).
pub fn member_paths(value: &Value) -> Vec<String> {
    let mut out = BTreeSet::new();
    walk(value, "", &mut out);
    out.into_iter().collect()
}

fn walk(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(members) => {
            for (key, child) in members {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                out.insert(path.clone());
                if !FREE_FORM.contains(&key.as_str()) {
                    walk(child, &path, out);
                }
            }
        }
        Value::Array(items) => {
            let path = format!("{prefix}[]");
            for item in items {
                walk(item, &path, out);
            }
        }
        _ => {}
    }
}

/// Reply members by command, as member paths (union over every reply seen): what a test
/// writes as `replyMembers` of a contract file.
#[derive(Default)]
pub struct Replies {
    pub replies: Map<String, Value>,
}

impl Replies {
    pub fn note(&mut self, cmd: &str, answer: &Value) {
        let mut paths: Vec<String> = self
            .replies
            .get(cmd)
            .and_then(Value::as_array)
            .map(|a| a.iter().map(|p| p.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default();
        paths.extend(member_paths(answer));
        paths.sort();
        paths.dedup();
        self.replies.insert(cmd.to_owned(), json!(paths));
    }

    /// `app.ok(cmd, args)`, its reply noted.
    pub fn ok(&mut self, app: &TestApp, cmd: &str, args: Value) -> Value {
        let answer = app.ok(cmd, args);
        self.note(cmd, &answer);
        answer
    }
}
