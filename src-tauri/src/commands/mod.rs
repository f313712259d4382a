//! Thin IPC commands: validate input, call the connection's client, map errors.
//! Names and arguments follow the IPC table in docs/ARCHITECTURE.md.

pub mod connection;
pub mod images;
pub mod uploads;

use crate::error::AppResult;

/// IDs go into URL paths, so only the hyphenated GUID form is accepted (the client's rule).
pub(crate) fn require_guid(what: &str, id: &str) -> AppResult<()> {
    beproduct::validate_guid(what, id)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_check() {
        assert!(require_guid("id", "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe").is_ok());
        for bad in [
            "",
            "../x",
            "a5ca8dfe4ff84549b54d2e1bbce514fe",
            "a5ca8dfe-4ff8-4549-b54d-2e1bbce514f/",
        ] {
            assert_eq!(require_guid("id", bad).unwrap_err().kind(), "invalid_input");
        }
    }
}
