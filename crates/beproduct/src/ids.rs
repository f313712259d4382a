//! GUID validation: every id that goes into a URL path is checked first, so nothing a user
//! types (`../x`, `a?b`) can change which endpoint is called.

use crate::error::{Error, Result};

/// Accepts only the hyphenated 8-4-4-4-12 hex form; returns the id unchanged.
pub fn validate_guid<'a>(what: &str, id: &'a str) -> Result<&'a str> {
    if is_guid(id) {
        Ok(id)
    } else {
        let shown: String = id.chars().take(60).collect();
        Err(Error::InvalidInput(format!(
            "{what} must be a GUID like 0f8fad5b-d9cb-469f-a165-70867728950e, got {shown:?}"
        )))
    }
}

pub fn is_guid(id: &str) -> bool {
    let bytes = id.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_hyphenated_guids_only() {
        assert!(is_guid("a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe"));
        assert!(is_guid("A5CA8DFE-4FF8-4549-B54D-2E1BBCE514FE"));
        for bad in [
            "",
            "../x",
            "a?b",
            "a5ca8dfe4ff84549b54d2e1bbce514fe",
            "{a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe}",
            "a5ca8dfe-4ff8-4549-b54d-2e1bbce514f/",
            "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe/../x",
            "g5ca8dfe-4ff8-4549-b54d-2e1bbce514fe",
            "a5ca8dfe-4ff8-4549-b54d-2e1bbce514f\u{e9}",
        ] {
            assert!(!is_guid(bad), "{bad:?}");
            let err = validate_guid("image id", bad).unwrap_err();
            assert_eq!(err.kind(), "invalid_input");
        }
    }
}
