//! FormulaField values: computed from the image's other fields each time a header is served, so
//! they are never stored and a value sent for one is ignored. The sandbox's formulas are a
//! small subset of BeProduct's: `[field_id]` and numbers joined by `*` and `/`, left to right.

use serde_json::{Map, Value};

use crate::schema::FieldDef;

/// The value of formula field `def` for an image with `values`; null when an input is empty,
/// not a number, or the formula cannot be read.
pub fn evaluate(def: &FieldDef, values: &Map<String, Value>) -> Value {
    let Some(formula) = def.properties.get("Formula").and_then(Value::as_str) else {
        return Value::Null;
    };
    compute(formula, values)
        .filter(|n| n.is_finite())
        // Two decimals, as a form would show it.
        .and_then(|n| serde_json::Number::from_f64((n * 100.0).round() / 100.0))
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

fn compute(formula: &str, values: &Map<String, Value>) -> Option<f64> {
    let mut result: Option<f64> = None;
    let mut op = '*';
    let mut rest = formula.trim();
    while !rest.is_empty() {
        let (term, after) = match rest.find(['*', '/']) {
            Some(i) => (
                &rest[..i],
                Some((rest.as_bytes()[i] as char, &rest[i + 1..])),
            ),
            None => (rest, None),
        };
        let n = term_value(term.trim(), values)?;
        result = Some(match (result, op) {
            (None, _) => n,
            (Some(acc), '*') => acc * n,
            (Some(acc), _) => acc / n,
        });
        match after {
            Some((next_op, tail)) => {
                op = next_op;
                rest = tail.trim();
            }
            None => break,
        }
    }
    result
}

fn term_value(term: &str, values: &Map<String, Value>) -> Option<f64> {
    match term.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        Some(field) => match values.get(field.trim())? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        },
        None => term.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def(formula: &str) -> FieldDef {
        FieldDef::new("f", "F", "FormulaField", false).with_property("Formula", formula)
    }

    #[test]
    fn computes_left_to_right_and_is_null_without_inputs() {
        let values = json!({"width_px": 1200, "h": "2"});
        let values = values.as_object().unwrap();
        assert_eq!(
            evaluate(&def("[width_px] / 300 * 2.54"), values),
            json!(10.16)
        );
        assert_eq!(evaluate(&def("[width_px] * [h]"), values), json!(2400.0));
        assert_eq!(evaluate(&def("[missing] * 2"), values), Value::Null);
        assert_eq!(evaluate(&def("[width_px] / 0"), values), Value::Null);
        assert_eq!(evaluate(&def("[width_px] * x"), values), Value::Null);
    }
}
