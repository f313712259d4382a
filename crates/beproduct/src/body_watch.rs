//! Watches one attempt of an upload body as the connection takes it: the bytes handed over,
//! whether the last one went, whether the answer has begun, and why the body stopped if it
//! stopped on our side. `expiry` turns that into the upload timeouts: a stall while sending,
//! and the wait for the answer once the last byte went out. There is no overall timeout, so a
//! big file over a slow link that keeps moving is never cut off.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{ready, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;
use tokio::sync::watch;

use crate::error::Error;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Progress {
    /// Body bytes the connection has taken.
    pub sent: u64,
    /// The connection took the last byte and asked for more.
    pub complete: bool,
    /// The answer's head arrived (possibly before `complete`: an early answer).
    pub answered: bool,
}

/// Why an upload exchange ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expired {
    /// The connection took no body bytes for the stall timeout.
    Stalled { sent: u64 },
    /// The last byte went (or the answer began) and the answer did not finish in time.
    Unanswered,
}

pub(crate) struct BodyWatch {
    progress: watch::Sender<Progress>,
    failure: Mutex<Option<Error>>,
}

impl BodyWatch {
    pub(crate) fn new() -> Arc<BodyWatch> {
        Arc::new(BodyWatch {
            progress: watch::Sender::new(Progress::default()),
            failure: Mutex::new(None),
        })
    }

    pub(crate) fn progress(&self) -> Progress {
        *self.progress.borrow()
    }

    pub(crate) fn answered(&self) {
        self.progress.send_modify(|p| p.answered = true);
    }

    /// Records why the body stopped on our side (the file changed, the source failed), so the
    /// upload reports that instead of the transport error it causes. The first reason wins.
    pub(crate) fn fail(&self, error: Error) -> std::io::Error {
        let text = error.to_string();
        let mut slot = self.failure.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert(error);
        std::io::Error::other(text)
    }

    pub(crate) fn take_failure(&self) -> Option<Error> {
        self.failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// Passes `body` through, counting what the connection takes. The connection polls for the
    /// next chunk only once it can take more, so every chunk handed over is progress.
    pub(crate) fn track<S>(
        self: &Arc<Self>,
        body: S,
    ) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    {
        let watch = self.clone();
        let mut body = Box::pin(body);
        futures::stream::poll_fn(move |cx| {
            let item = ready!(Pin::as_mut(&mut body).poll_next(cx));
            match &item {
                Some(Ok(chunk)) => watch.progress.send_modify(|p| p.sent += chunk.len() as u64),
                None => watch.progress.send_modify(|p| p.complete = true),
                Some(Err(_)) => {}
            }
            Poll::Ready(item)
        })
    }

    /// Resolves when the exchange has run out of time: no body bytes taken for `stall` (`first`
    /// before the first byte, which includes connecting), or no complete answer within
    /// `answer` of the last byte (or of the answer's head). Never resolves while bytes move.
    pub(crate) async fn expiry(
        &self,
        first: Duration,
        stall: Duration,
        answer: Duration,
    ) -> Expired {
        let mut changes = self.progress.subscribe();
        loop {
            let now = *changes.borrow_and_update();
            let waiting_for_answer = now.complete || now.answered;
            let limit = match (waiting_for_answer, now.sent) {
                (true, _) => answer,
                (false, 0) => first,
                (false, _) => stall,
            };
            match tokio::time::timeout(limit, changes.changed()).await {
                Ok(Ok(())) => continue,
                // The sender lives as long as `self`, so this cannot happen; wait out the limit.
                Ok(Err(_)) => tokio::time::sleep(limit).await,
                Err(_elapsed) => {}
            }
            return if waiting_for_answer {
                Expired::Unanswered
            } else {
                Expired::Stalled { sent: now.sent }
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    fn chunks(n: usize) -> impl Stream<Item = std::io::Result<Bytes>> {
        futures::stream::iter((0..n).map(|_| Ok(Bytes::from_static(b"0123456789"))))
    }

    #[tokio::test]
    async fn tracking_counts_taken_bytes_and_the_end() {
        let watch = BodyWatch::new();
        let mut s = Box::pin(watch.track(chunks(3)));
        s.next().await.unwrap().unwrap();
        assert_eq!(watch.progress().sent, 10);
        assert!(!watch.progress().complete);
        while s.next().await.is_some() {}
        assert_eq!(
            watch.progress(),
            Progress {
                sent: 30,
                complete: true,
                answered: false
            }
        );
    }

    #[tokio::test]
    async fn a_body_that_stops_moving_expires_as_stalled() {
        let watch = BodyWatch::new();
        let mut s = Box::pin(watch.track(chunks(2)));
        s.next().await;
        let ms = Duration::from_millis;
        let expired = watch.expiry(ms(5000), ms(100), ms(5000)).await;
        assert_eq!(expired, Expired::Stalled { sent: 10 });
    }

    #[tokio::test]
    async fn progress_keeps_it_alive_and_the_answer_wait_starts_at_the_last_byte() {
        let ms = Duration::from_millis;
        let watch = BodyWatch::new();
        let feeder = {
            let watch = watch.clone();
            tokio::spawn(async move {
                let mut s = Box::pin(watch.track(chunks(20)));
                // A chunk per 100 ms: 2 s in all, twice the 1 s stall timeout.
                while s.next().await.is_some() {
                    tokio::time::sleep(ms(100)).await;
                }
            })
        };
        let started = std::time::Instant::now();
        let expired = watch.expiry(ms(1000), ms(1000), ms(300)).await;
        feeder.await.unwrap();
        assert_eq!(expired, Expired::Unanswered);
        assert!(watch.progress().complete);
        assert!(
            started.elapsed() >= ms(2000 + 300),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn the_first_failure_is_kept() {
        let watch = BodyWatch::new();
        watch.fail(Error::FileChanged { path: "a".into() });
        watch.fail(Error::InvalidInput("later".into()));
        assert!(matches!(
            watch.take_failure(),
            Some(Error::FileChanged { .. })
        ));
        assert!(watch.take_failure().is_none());
    }
}
