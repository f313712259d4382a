//! Bandwidth limits: request bodies taken no faster than a slow uplink, source bodies served slowly.
//!
//! Bodies are streamed in small pieces, each released at the time a link of the given speed would
//! have delivered it, so memory stays flat however large the body is.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use futures::{stream, StreamExt};
use tokio::time::Instant;

/// A link speed and the time it is busy until; shared by every body that crosses it.
pub struct Link {
    state: Mutex<LinkState>,
}

struct LinkState {
    kbps: Option<u32>,
    busy_until: Instant,
}

impl Link {
    /// `kbps`: kilobits (1000 bits) per second; `None` means unlimited.
    pub fn new(kbps: Option<u32>) -> Arc<Link> {
        Arc::new(Link {
            state: Mutex::new(LinkState {
                kbps: kbps.filter(|k| *k > 0),
                busy_until: Instant::now(),
            }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LinkState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_kbps(&self, kbps: Option<u32>) {
        self.lock().kbps = kbps.filter(|k| *k > 0);
    }

    pub fn kbps(&self) -> Option<u32> {
        self.lock().kbps
    }

    /// Books `len` bytes on the link; returns when they have crossed it (`None`: unlimited).
    fn book(&self, len: usize) -> Option<Instant> {
        let mut s = self.lock();
        let kbps = s.kbps?;
        let start = s.busy_until.max(Instant::now());
        s.busy_until = start + transfer_time(len, kbps);
        Some(s.busy_until)
    }

    /// Pieces of about 1/20 s of transfer, so a slow link delivers steadily instead of in bursts.
    fn piece_len(&self) -> Option<usize> {
        self.kbps()
            .map(|kbps| (bytes_per_sec(kbps) / 20).clamp(512, 16 * 1024) as usize)
    }
}

fn bytes_per_sec(kbps: u32) -> u64 {
    u64::from(kbps) * 1000 / 8
}

fn transfer_time(len: usize, kbps: u32) -> Duration {
    Duration::from_secs_f64(len as f64 / bytes_per_sec(kbps) as f64)
}

/// `body`, delivered no faster than `link` allows (unchanged while the link is unlimited).
pub fn paced(body: Body, link: Arc<Link>) -> Body {
    let splitter = link.clone();
    let pieces = body.into_data_stream().flat_map(move |chunk| {
        let pieces: Vec<Result<Bytes, axum::Error>> = match (chunk, splitter.piece_len()) {
            (Ok(bytes), Some(len)) => split(bytes, len).into_iter().map(Ok).collect(),
            (other, _) => vec![other],
        };
        stream::iter(pieces)
    });
    let delivered = pieces.then(move |piece| {
        let link = link.clone();
        async move {
            if let Ok(bytes) = &piece {
                if let Some(at) = link.book(bytes.len()) {
                    tokio::time::sleep_until(at).await;
                }
            }
            piece
        }
    });
    Body::from_stream(delivered)
}

fn split(mut bytes: Bytes, len: usize) -> Vec<Bytes> {
    let mut out = Vec::with_capacity(bytes.len() / len + 1);
    while bytes.len() > len {
        out.push(bytes.split_to(len));
    }
    if !bytes.is_empty() {
        out.push(bytes);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_every_byte_in_order() {
        let data: Vec<u8> = (0..=255).collect();
        let pieces = split(Bytes::from(data.clone()), 100);
        assert_eq!(
            pieces.iter().map(Bytes::len).collect::<Vec<_>>(),
            [100, 100, 56]
        );
        assert_eq!(pieces.concat(), data);
    }

    #[test]
    fn two_mbit_per_second_is_250_kilobytes_per_second() {
        assert_eq!(bytes_per_sec(2000), 250_000);
        assert_eq!(transfer_time(250_000, 2000), Duration::from_secs(1));
    }
}
