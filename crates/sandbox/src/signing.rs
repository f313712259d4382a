//! Signed media URLs, like the real service's storage links (`?st=…&se=…&sig=…`, a SAS-like
//! query): `st` is when the link was issued, `se` when it expires, `sig` an HMAC-SHA256 of the
//! decoded path, `st` and `se` with a key made for this run. `st` has sub-second precision and
//! strictly increases, so two answers never carry the same URL for the same file.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use percent_encoding::{percent_decode_str, utf8_percent_encode, NON_ALPHANUMERIC};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const ISSUED_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";
const EXPIRY_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

pub struct MediaSigner {
    key: [u8; 32],
    state: Mutex<SignerState>,
}

struct SignerState {
    /// `None`: URLs are plain and served to anyone who has them.
    ttl: Option<Duration>,
    last_issued_us: i64,
}

impl MediaSigner {
    pub fn new(ttl: Option<Duration>) -> MediaSigner {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        MediaSigner {
            key,
            state: Mutex::new(SignerState {
                ttl,
                last_issued_us: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SignerState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_ttl(&self, ttl: Option<Duration>) {
        self.lock().ttl = ttl;
    }

    /// The signature query for a media URL path (as written in the URL), or `None` when unsigned.
    pub fn query_for(&self, url_path: &str) -> Option<String> {
        let (issued_us, ttl) = {
            let mut s = self.lock();
            let ttl = s.ttl?;
            let now = Utc::now().timestamp_micros();
            s.last_issued_us = now.max(s.last_issued_us + 1);
            (s.last_issued_us, ttl)
        };
        let issued = DateTime::from_timestamp_micros(issued_us).unwrap_or_default();
        let expires = chrono::Duration::from_std(ttl)
            .ok()
            .and_then(|ttl| issued.checked_add_signed(ttl))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let st = issued.format(ISSUED_FORMAT).to_string();
        let se = expires.format(EXPIRY_FORMAT).to_string();
        let sig = hex::encode(
            self.mac(&decoded(url_path), &st, &se)
                .finalize()
                .into_bytes(),
        );
        let enc = |v: &str| utf8_percent_encode(v, NON_ALPHANUMERIC).to_string();
        Some(format!("st={}&se={}&sig={sig}", enc(&st), enc(&se)))
    }

    /// Checks the signature of a request for `url_path` (as received). `Err` says what is wrong.
    pub fn check(
        &self,
        url_path: &str,
        st: Option<&str>,
        se: Option<&str>,
        sig: Option<&str>,
    ) -> Result<(), String> {
        if self.lock().ttl.is_none() {
            return Ok(());
        }
        let (Some(st), Some(se), Some(sig)) = (st, se, sig) else {
            return Err("this media URL needs its signature (st, se and sig); use the URL exactly as the API returned it".into());
        };
        let sig = hex::decode(sig)
            .map_err(|_| "the media URL's signature (sig) is not valid hex".to_owned())?;
        self.mac(&decoded(url_path), st, se)
            .verify_slice(&sig)
            .map_err(|_| {
                "the media URL's signature does not match; use the URL exactly as the API returned it"
                    .to_owned()
            })?;
        let expires = DateTime::parse_from_rfc3339(se)
            .map_err(|_| format!("the media URL's expiry (se) '{se}' is not a date"))?;
        if expires < Utc::now() {
            return Err(format!(
                "the media URL expired at {se}; fetch the image again for a fresh URL"
            ));
        }
        Ok(())
    }

    fn mac(&self, path: &str, st: &str, se: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        for part in [path, st, se] {
            mac.update(part.as_bytes());
            mac.update(b"\n");
        }
        mac
    }
}

/// Signing covers the decoded path, so a client that re-encodes it differently still matches.
fn decoded(url_path: &str) -> String {
    percent_decode_str(url_path)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(query: &str) -> Vec<String> {
        query
            .split('&')
            .map(|kv| {
                percent_decode_str(kv.split_once('=').unwrap().1)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect()
    }

    #[test]
    fn every_query_differs_and_each_checks_out_for_its_path_only() {
        let signer = MediaSigner::new(Some(Duration::from_secs(60)));
        let path = "/media/storage/sandbox/id/1/front%20print.png";
        let a = signer.query_for(path).unwrap();
        let b = signer.query_for(path).unwrap();
        assert_ne!(a, b);
        for q in [&a, &b] {
            let p = params(q);
            assert_eq!(
                signer.check(path, Some(&p[0]), Some(&p[1]), Some(&p[2])),
                Ok(())
            );
            assert_eq!(
                signer.check(
                    "/media/storage/sandbox/id/1/front print.png",
                    Some(&p[0]),
                    Some(&p[1]),
                    Some(&p[2])
                ),
                Ok(()),
                "the decoded path is what is signed"
            );
            assert!(signer
                .check(
                    "/media/storage/sandbox/other/1/x.png",
                    Some(&p[0]),
                    Some(&p[1]),
                    Some(&p[2])
                )
                .is_err());
        }
    }

    #[test]
    fn unsigned_mode_has_no_query_and_checks_nothing() {
        let signer = MediaSigner::new(None);
        assert_eq!(signer.query_for("/media/x"), None);
        assert_eq!(signer.check("/media/x", None, None, None), Ok(()));
    }
}
