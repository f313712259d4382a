//! Timestamp formats used on the wire and date parsing for filters and Date fields.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

fn to_utc(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// `2026-05-26T01:45:28.554Z`, the API's timestamp format.
pub fn iso_ms(ms: i64) -> String {
    to_utc(ms).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `5/26/2026 1:45:28 AM`, as in UserLabel values.
pub fn user_label_time(ms: i64) -> String {
    to_utc(ms).format("%-m/%-d/%Y %-I:%M:%S %p").to_string()
}

/// A parsed date and whether it carried a time of day.
#[derive(Debug, Clone, Copy)]
pub struct ParsedDate {
    pub at: DateTime<Utc>,
    pub has_time: bool,
}

/// Accepts RFC 3339, `2021-07-01 12:00:00Z`, naive date-times (taken as UTC), `2024-09-01` and `9/1/2024`.
pub fn parse_date(text: &str) -> Option<ParsedDate> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(ParsedDate {
            at: d.with_timezone(&Utc),
            has_time: true,
        });
    }
    let without_z = t
        .strip_suffix('Z')
        .or_else(|| t.strip_suffix('z'))
        .unwrap_or(t);
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(without_z, fmt) {
            return Some(ParsedDate {
                at: Utc.from_utc_datetime(&n),
                has_time: true,
            });
        }
    }
    for fmt in ["%Y-%m-%d", "%m/%d/%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(without_z, fmt) {
            let n = d.and_hms_opt(0, 0, 0)?;
            return Some(ParsedDate {
                at: Utc.from_utc_datetime(&n),
                has_time: false,
            });
        }
    }
    None
}
