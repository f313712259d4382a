//! The client's progress callback for one upload: byte counts and speed for the events
//! (at most one per `PROGRESS_EVERY`), and the journal note that the body's last byte
//! is going out. The callback runs before each chunk is handed to the network, so after a
//! crash a journal without that note proves the server never received the whole file.
//! (While the process lives, the client's error says it: `Error::SendInterrupted`.)

use crate::events::QueueEvent;
use crate::queue::Inner;
use beproduct::ProgressFn;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Progress events per job are at least this far apart (≈10 per second).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

struct Meter {
    started: Instant,
    last_emit: Option<Instant>,
    last_bytes: u64,
    speed: Option<f64>,
}

pub(crate) struct BodyMeter {
    meter: Mutex<Meter>,
    inner: Arc<Inner>,
    id: String,
}

impl BodyMeter {
    pub fn new(inner: Arc<Inner>, id: String) -> BodyMeter {
        BodyMeter {
            meter: Mutex::new(Meter {
                started: Instant::now(),
                last_emit: None,
                last_bytes: 0,
                speed: None,
            }),
            inner,
            id,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Meter> {
        self.meter.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn callback(self) -> ProgressFn {
        Arc::new(move |sent: u64, total: Option<u64>| self.on_bytes(sent, total))
    }

    fn on_bytes(&self, sent: u64, total: Option<u64>) {
        let finished = total.is_some_and(|t| sent >= t);
        if finished {
            // Before the last chunk leaves: journaled, or at least remembered (see
            // `Inner::mark_body_sent`).
            self.inner.mark_body_sent(&self.id);
        }
        let mut m = self.lock();
        let now = Instant::now();
        if sent < m.last_bytes {
            // The client restarted the body (a retry): start counting again.
            m.last_bytes = 0;
        }
        let last = m.last_emit.unwrap_or(m.started);
        if now.duration_since(last) < PROGRESS_EVERY && !finished {
            return;
        }
        let secs = now.duration_since(last).as_secs_f64().max(1e-3);
        let rate = (sent - m.last_bytes) as f64 / secs;
        let speed = match m.speed {
            Some(s) => 0.7 * s + 0.3 * rate,
            None => rate,
        };
        m.speed = Some(speed);
        m.last_emit = Some(now);
        m.last_bytes = sent;
        drop(m);
        let totals = {
            let mut st = self.inner.lock();
            let known = st.change(&self.id, |job| {
                if job.rec.size.is_none() {
                    job.rec.size = total;
                }
                job.bytes_sent = sent;
                job.bytes_per_sec = Some(speed);
            });
            if known.is_none() {
                return;
            }
            st.totals(self.inner.is_paused())
        };
        self.inner.emit(QueueEvent::Progress {
            job_id: self.id.clone(),
            bytes_sent: sent,
            bytes_total: total,
            bytes_per_sec: speed,
            totals,
        });
    }
}
