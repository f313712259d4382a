//! Reading answers with a size cap, whatever `Content-Length` says or leaves out: a hostile or
//! broken server can make the client read at most the cap, never allocate what it claims.

use bytes::{Bytes, BytesMut};

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

/// Most a JSON answer may hold (a 1,000-image search page is about 2 MiB).
pub(crate) const JSON_CAP: u64 = 32 * MIB;
/// Most a token endpoint answer may hold (a real one is about 2 KiB).
pub(crate) const TOKEN_CAP: u64 = 64 * KIB;
/// Error answers are read only for their message: this much, the rest is left unread.
pub(crate) const MESSAGE_CAP: u64 = 64 * KIB;

#[derive(Debug)]
pub(crate) enum ReadError {
    /// The body is (or says it is) larger than the cap.
    TooLarge,
    Failed(reqwest::Error),
}

/// The whole body, or `TooLarge` as soon as it is known to exceed `cap`.
pub(crate) async fn read_capped(
    response: &mut reqwest::Response,
    cap: u64,
) -> Result<Bytes, ReadError> {
    if response.content_length().is_some_and(|len| len > cap) {
        return Err(ReadError::TooLarge);
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Failed)? {
        if body.len() as u64 + chunk.len() as u64 > cap {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// At most the first `cap` bytes of the body: enough for a server's message.
pub(crate) async fn read_prefix(
    response: &mut reqwest::Response,
    cap: u64,
) -> Result<Bytes, reqwest::Error> {
    let mut body = BytesMut::new();
    while (body.len() as u64) < cap {
        let Some(chunk) = response.chunk().await? else {
            break;
        };
        let room = (cap - body.len() as u64).min(chunk.len() as u64) as usize;
        body.extend_from_slice(&chunk[..room]);
    }
    Ok(body.freeze())
}

/// "32 MiB", "64 KiB", "1500 bytes": a size as the limits are written.
pub(crate) fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_the_limits_are_written() {
        assert_eq!(size_text(JSON_CAP), "32 MiB");
        assert_eq!(size_text(TOKEN_CAP), "64 KiB");
        assert_eq!(size_text(50 * MIB), "50 MiB");
        assert_eq!(size_text(1500), "1500 bytes");
    }
}
