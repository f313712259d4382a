//! Naming rules: how a team's file names carry attributes. A rule is either a pattern of field
//! tokens (`{season}_{header_number}_{header_name}`) or a regular expression with named groups;
//! both compile to one regular expression matched against the file stem.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// A folder's naming rule as stored and as the UI edits it (JSON: `{"kind": "pattern", ...}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum NamingRule {
    /// Field tokens `{field_id}` with literal text between them, matched exactly. Each token
    /// takes as little as it can except the last, which takes the rest.
    Pattern {
        pattern: String,
        /// `-` in a captured value reads as a space (`Floral-Ditsy` → `Floral Ditsy`), since
        /// spaces are awkward in file names. Never applied to the image number.
        #[serde(default = "dash_as_space_default")]
        dash_as_space: bool,
    },
    /// A regular expression (Rust `regex` syntax, searched in the stem: anchor it with `^…$`
    /// to match the whole name). `groups` maps named groups to field ids; when it is empty,
    /// each named group is the field id itself.
    Regex {
        regex: String,
        #[serde(default)]
        groups: BTreeMap<String, String>,
    },
}

fn dash_as_space_default() -> bool {
    true
}

/// Always kept as written: an image number such as `PRT-0412` is an identifier, not words.
const NUMBER: &str = "header_number";

impl NamingRule {
    /// A pattern rule as a new rule starts: dashes read as spaces.
    pub fn pattern(pattern: impl Into<String>) -> NamingRule {
        NamingRule::Pattern {
            pattern: pattern.into(),
            dash_as_space: true,
        }
    }

    pub fn compile(&self) -> Result<CompiledRule, String> {
        match self {
            NamingRule::Pattern {
                pattern,
                dash_as_space,
            } => compile_pattern(pattern, *dash_as_space),
            NamingRule::Regex { regex, groups } => compile_regex(regex, groups),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Token(String),
}

/// A rule ready to match file stems.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    regex: regex::Regex,
    /// (capture group index, field id), in the order the rule names them.
    fields: Vec<(usize, String)>,
    dash_as_space: bool,
    /// Fields whose value keeps its dashes (the image number; dates and numbers the caller
    /// marks with `keep_dashes`).
    keep_dashes: BTreeSet<String>,
    /// The pattern's segments, to say why a name does not match; `None` for a regex rule.
    segments: Option<Vec<Segment>>,
}

impl CompiledRule {
    /// The field ids the rule fills, in its order.
    pub fn field_ids(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|(_, id)| id.as_str())
    }

    /// Keeps `-` in these fields' values (e.g. a date `2026-05-26` or a negative number).
    pub fn keep_dashes<I, S>(mut self, field_ids: I) -> CompiledRule
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.keep_dashes
            .extend(field_ids.into_iter().map(Into::into));
        self
    }

    /// The (field id, text) pairs the stem carries, values trimmed; `Err` says why the stem
    /// does not follow the rule.
    pub fn extract(&self, stem: &str) -> Result<Vec<(String, String)>, String> {
        let Some(captures) = self.regex.captures(stem) else {
            return Err(match &self.segments {
                Some(segments) => diagnose(stem, segments),
                None => format!(
                    "the name does not match the regular expression {:?}",
                    self.regex.as_str()
                ),
            });
        };
        Ok(self
            .fields
            .iter()
            .filter_map(|(group, field_id)| {
                let text = captures.get(*group)?.as_str();
                let text = if self.dash_as_space && !self.keep_dashes.contains(field_id) {
                    text.replace('-', " ")
                } else {
                    text.to_owned()
                };
                Some((field_id.clone(), text.trim().to_owned()))
            })
            .collect())
    }
}

fn compile_pattern(pattern: &str, dash_as_space: bool) -> Result<CompiledRule, String> {
    let segments = parse_pattern(pattern)?;
    let tokens = segments
        .iter()
        .filter(|s| matches!(s, Segment::Token(_)))
        .count();
    // Anchored on the whole stem; `(?s)` so no character is refused inside a value.
    let mut source = String::from("(?s)^");
    let mut fields = Vec::new();
    for segment in &segments {
        match segment {
            Segment::Literal(text) => source.push_str(&regex::escape(text)),
            Segment::Token(id) => {
                fields.push((fields.len() + 1, id.clone()));
                source.push_str(if fields.len() == tokens {
                    "(.+)"
                } else {
                    "(.+?)"
                });
            }
        }
    }
    source.push('$');
    let regex =
        regex::Regex::new(&source).map_err(|e| format!("the pattern cannot be used: {e}"))?;
    Ok(CompiledRule {
        regex,
        fields,
        dash_as_space,
        keep_dashes: BTreeSet::from([NUMBER.to_owned()]),
        segments: Some(segments),
    })
}

fn parse_pattern(pattern: &str) -> Result<Vec<Segment>, String> {
    let mut segments: Vec<Segment> = Vec::new();
    let mut literal = String::new();
    let mut chars = pattern.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '{' => {
                let mut token = String::new();
                let mut closed = false;
                for (_, t) in chars.by_ref() {
                    match t {
                        '}' => {
                            closed = true;
                            break;
                        }
                        '{' => {
                            return Err(format!(
                                "the token starting at character {} has a '{{' inside it; \
                                 close each token with '}}' before the next",
                                char_number(pattern, at)
                            ))
                        }
                        _ => token.push(t),
                    }
                }
                if !closed {
                    return Err(format!(
                        "the token {{{token} is not closed; add '}}' after the field id"
                    ));
                }
                let id = token.trim();
                if id.is_empty() {
                    return Err(format!(
                        "the pattern has an empty token {{}} at character {}; put a field id \
                         inside the braces, such as {{season}}",
                        char_number(pattern, at)
                    ));
                }
                if id.chars().any(char::is_whitespace) {
                    return Err(format!(
                        "{{{token}}} is not a field id (field ids have no spaces); use the \
                         field's id, such as {{artwork_type}}"
                    ));
                }
                if !literal.is_empty() {
                    segments.push(Segment::Literal(std::mem::take(&mut literal)));
                }
                if let Some(Segment::Token(before)) = segments.last() {
                    return Err(format!(
                        "{{{before}}} and {{{id}}} have nothing between them, so where one ends \
                         cannot be told; put a separator such as '_' between them"
                    ));
                }
                if segments.contains(&Segment::Token(id.to_owned())) {
                    return Err(format!("{{{id}}} appears twice; use each field once"));
                }
                segments.push(Segment::Token(id.to_owned()));
            }
            '}' => {
                return Err(format!(
                    "the pattern has a '}}' with no '{{' before it at character {}",
                    char_number(pattern, at)
                ))
            }
            _ => literal.push(c),
        }
    }
    if !literal.is_empty() {
        segments.push(Segment::Literal(literal));
    }
    if !segments.iter().any(|s| matches!(s, Segment::Token(_))) {
        return Err(
            "the pattern has no field tokens; add at least one, such as {header_number}".to_owned(),
        );
    }
    Ok(segments)
}

/// 1-based, in characters (what a person counts), for a byte offset.
fn char_number(text: &str, byte_at: usize) -> usize {
    text[..byte_at].chars().count() + 1
}

fn compile_regex(source: &str, groups: &BTreeMap<String, String>) -> Result<CompiledRule, String> {
    if source.trim().is_empty() {
        return Err("the regular expression is empty".to_owned());
    }
    let regex = regex::Regex::new(source)
        .map_err(|e| format!("the regular expression does not compile: {e}"))?;
    let named: Vec<(usize, &str)> = regex
        .capture_names()
        .enumerate()
        .filter_map(|(i, name)| Some((i, name?)))
        .collect();
    if named.is_empty() {
        return Err(
            "the regular expression has no named groups; name a group after each field, such \
             as (?P<season>[A-Z]{2}\\d{2})"
                .to_owned(),
        );
    }
    let mut fields: Vec<(usize, String)> = Vec::new();
    if groups.is_empty() {
        fields.extend(named.iter().map(|(i, name)| (*i, (*name).to_owned())));
    } else {
        for (group, field_id) in groups {
            let Some((i, _)) = named.iter().find(|(_, name)| name == group) else {
                return Err(format!(
                    "the groups name {group:?}, which the regular expression does not have \
                     (it has {})",
                    named
                        .iter()
                        .map(|(_, n)| format!("{n:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            };
            let field_id = field_id.trim();
            if field_id.is_empty() {
                return Err(format!("the group {group:?} is given no field id"));
            }
            fields.push((*i, field_id.to_owned()));
        }
        fields.sort();
    }
    let mut seen = BTreeSet::new();
    for (_, id) in &fields {
        if !seen.insert(id.as_str()) {
            return Err(format!(
                "two groups fill the field {id:?}; use one group per field"
            ));
        }
    }
    Ok(CompiledRule {
        regex,
        fields,
        dash_as_space: false,
        keep_dashes: BTreeSet::new(),
        segments: None,
    })
}

/// Why `stem` does not follow the pattern, as precisely as the pattern allows.
fn diagnose(stem: &str, segments: &[Segment]) -> String {
    if stem.trim().is_empty() {
        return "the name is empty".to_owned();
    }
    let mut body = stem;
    let mut inner = segments;
    if let Some((Segment::Literal(prefix), rest)) = inner.split_first() {
        match body.strip_prefix(prefix.as_str()) {
            Some(after) => body = after,
            None => return format!("the name does not start with '{prefix}'"),
        }
        inner = rest;
    }
    if let Some((Segment::Literal(suffix), rest)) = inner.split_last() {
        match body.strip_suffix(suffix.as_str()) {
            Some(before) => body = before,
            None => return format!("the name does not end with '{suffix}'"),
        }
        inner = rest;
    }
    let tokens: Vec<&str> = inner
        .iter()
        .filter_map(|s| match s {
            Segment::Token(id) => Some(id.as_str()),
            Segment::Literal(_) => None,
        })
        .collect();
    let separators: Vec<&str> = inner
        .iter()
        .filter_map(|s| match s {
            Segment::Literal(text) => Some(text.as_str()),
            Segment::Token(_) => None,
        })
        .collect();
    let listed = tokens
        .iter()
        .map(|t| format!("{{{t}}}"))
        .collect::<Vec<_>>()
        .join(" ");

    // The usual rule: one separator throughout, so the name is counted in parts.
    if let Some(sep) = separators
        .first()
        .filter(|s| separators.iter().all(|o| o == *s))
    {
        let parts: Vec<&str> = body.split(sep).collect();
        if parts.len() < tokens.len() {
            return format!(
                "the name has {} part{} separated by '{sep}'; the rule expects {} ({listed})",
                parts.len(),
                if parts.len() == 1 { "" } else { "s" },
                tokens.len()
            );
        }
        if let Some(i) = parts.iter().position(|p| p.is_empty()) {
            let token = tokens.get(i).or(tokens.last()).copied().unwrap_or_default();
            return format!(
                "part {} of the name ({{{token}}}) is empty: the name has '{sep}' twice in a row \
                 or at an end",
                i + 1
            );
        }
    }

    // Mixed separators: walk them in order and name the first one missing.
    let mut rest = body;
    for (i, sep) in separators.iter().enumerate() {
        // The token before the separator takes at least one character.
        let mut from = rest.chars().next().map_or(rest.len(), char::len_utf8);
        from = from.min(rest.len());
        match rest[from..].find(sep) {
            Some(at) => rest = &rest[from + at + sep.len()..],
            None => {
                return format!(
                    "the name has no '{sep}' after {{{}}}; the rule expects one between {{{}}} \
                     and {{{}}}",
                    tokens[i],
                    tokens[i],
                    tokens.get(i + 1).copied().unwrap_or_default()
                )
            }
        }
    }
    if rest.is_empty() {
        if let Some(last) = tokens.last() {
            return format!("{{{last}}} is empty: the name ends before it");
        }
    }
    format!("the name does not follow the pattern ({listed})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_shape_is_tagged_camel_case_and_dash_as_space_defaults_on() {
        let rule: NamingRule =
            serde_json::from_str(r#"{"kind": "pattern", "pattern": "{header_number}"}"#).unwrap();
        assert_eq!(rule, NamingRule::pattern("{header_number}"));
        let json = serde_json::to_value(&rule).unwrap();
        assert_eq!(json["dashAsSpace"], true);
        let regex: NamingRule =
            serde_json::from_str(r#"{"kind": "regex", "regex": "(?P<season>\\w+)"}"#).unwrap();
        assert!(matches!(regex, NamingRule::Regex { groups, .. } if groups.is_empty()));
    }
}
