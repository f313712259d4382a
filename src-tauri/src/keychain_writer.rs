//! Writes rotated refresh tokens to the keychain on a thread of its own. The client calls its
//! rotation callback while it holds its token lock, inside the async runtime; a keychain call is
//! a blocking D-Bus round trip (and can hang on a prompt), so the callback only hands the new
//! credentials over and returns. Only the newest credentials matter: older ones waiting behind
//! a slow write are skipped. A failed write is retried every `retry_every` until a newer token
//! arrives or a write succeeds, and reported once per failure streak.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use crate::credentials::Credentials;
use crate::error::{AppError, AppResult};

/// How often a failed write is tried again.
pub const RETRY_EVERY: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct KeychainWriter {
    tx: mpsc::Sender<Credentials>,
}

impl KeychainWriter {
    /// Starts the writer thread. `save` does the write; `on_failure` hears about the first
    /// failure of a streak (its message never holds a secret: `AppError` texts never do).
    pub fn start(
        save: impl Fn(&Credentials) -> AppResult<()> + Send + 'static,
        on_failure: impl Fn(&AppError) + Send + 'static,
        retry_every: Duration,
    ) -> KeychainWriter {
        let (tx, rx) = mpsc::channel::<Credentials>();
        let spawned = std::thread::Builder::new()
            .name("keychain-writer".into())
            .spawn(move || write_loop(&rx, &save, &on_failure, retry_every));
        if let Err(e) = spawned {
            // The receiver is gone with the closure: `save` below logs every lost write.
            tracing::error!(error = %e, "could not start the keychain writer");
        }
        KeychainWriter { tx }
    }

    /// Queues `creds` for writing and returns at once.
    pub fn save(&self, creds: Credentials) {
        if self.tx.send(creds).is_err() {
            tracing::error!("the keychain writer is not running; the rotated refresh token is kept in memory only");
        }
    }
}

fn write_loop(
    rx: &mpsc::Receiver<Credentials>,
    save: &dyn Fn(&Credentials) -> AppResult<()>,
    on_failure: &dyn Fn(&AppError),
    retry_every: Duration,
) {
    let mut pending: Option<Credentials> = None;
    let mut failing = false;
    loop {
        let next = match &pending {
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(_) => rx.recv_timeout(retry_every),
        };
        match next {
            Ok(creds) => pending = Some(creds),
            Err(RecvTimeoutError::Timeout) => {} // retry what is pending
            Err(RecvTimeoutError::Disconnected) if pending.is_none() => return,
            Err(RecvTimeoutError::Disconnected) => {} // a last try before ending
        }
        while let Ok(newer) = rx.try_recv() {
            pending = Some(newer);
        }
        let Some(creds) = pending.take() else {
            continue;
        };
        match save(&creds) {
            Ok(()) => {
                failing = false;
                tracing::info!("rotated refresh token saved to the keychain");
            }
            Err(e) => {
                tracing::error!(error = %e, "could not save the rotated refresh token to the keychain; trying again");
                if !failing {
                    on_failure(&e);
                }
                failing = true;
                if rx_is_closed(rx) {
                    return;
                }
                pending = Some(creds);
            }
        }
    }
}

/// True when no sender is left (nothing new can come; stop retrying a write nobody needs).
fn rx_is_closed(rx: &mpsc::Receiver<Credentials>) -> bool {
    matches!(rx.try_recv(), Err(mpsc::TryRecvError::Disconnected))
}

#[cfg(test)]
mod tests {
    use super::*;
    use beproduct::Secret;
    use std::sync::{Arc, Mutex};

    const WAIT: Duration = Duration::from_secs(10);

    fn creds(token: &str) -> Credentials {
        Credentials {
            company_domain: "Acme".into(),
            client_id: "id".into(),
            client_secret: Secret::new("s"),
            refresh_token: Secret::new(token),
            api_url: None,
            token_url: None,
        }
    }

    #[test]
    fn handing_over_returns_while_a_write_is_blocked_and_only_the_newest_waits() {
        let (entered_tx, entered_rx) = mpsc::channel::<()>();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let (saved_tx, saved_rx) = mpsc::channel::<String>();
        let writer = KeychainWriter::start(
            move |c| {
                entered_tx.send(()).unwrap();
                release_rx.recv().expect("released");
                saved_tx.send(c.refresh_token.expose().to_owned()).unwrap();
                Ok(())
            },
            |_| {},
            RETRY_EVERY,
        );
        writer.save(creds("t1"));
        entered_rx
            .recv_timeout(WAIT)
            .expect("the write of t1 started");
        // The write of t1 is blocked in the keychain; handing over more must still return at once.
        let (returned_tx, returned_rx) = mpsc::channel();
        let handing = writer.clone();
        std::thread::spawn(move || {
            handing.save(creds("t2"));
            handing.save(creds("t3"));
            returned_tx.send(()).unwrap();
        });
        returned_rx
            .recv_timeout(WAIT)
            .expect("save() returned while the keychain write was blocked");
        release_tx.send(()).unwrap();
        assert_eq!(saved_rx.recv_timeout(WAIT).unwrap(), "t1");
        entered_rx
            .recv_timeout(WAIT)
            .expect("the next write started");
        release_tx.send(()).unwrap();
        assert_eq!(
            saved_rx.recv_timeout(WAIT).unwrap(),
            "t3",
            "t2 was superseded"
        );
    }

    #[test]
    fn a_failed_write_is_reported_once_and_retried_until_it_works() {
        let attempts = Arc::new(Mutex::new(Vec::<String>::new()));
        let (failure_tx, failure_rx) = mpsc::channel::<String>();
        let (saved_tx, saved_rx) = mpsc::channel::<String>();
        let seen = attempts.clone();
        let writer = KeychainWriter::start(
            move |c| {
                let mut seen = seen.lock().unwrap();
                seen.push(c.refresh_token.expose().to_owned());
                if seen.len() < 3 {
                    return Err(AppError::Keychain {
                        message: "The system keychain is locked.".into(),
                        detail: None,
                    });
                }
                saved_tx.send(c.refresh_token.expose().to_owned()).unwrap();
                Ok(())
            },
            move |e| failure_tx.send(e.to_string()).unwrap(),
            Duration::from_millis(10),
        );
        writer.save(creds("rotated-1"));
        assert_eq!(
            failure_rx.recv_timeout(WAIT).unwrap(),
            "The system keychain is locked."
        );
        assert_eq!(saved_rx.recv_timeout(WAIT).unwrap(), "rotated-1");
        assert_eq!(
            *attempts.lock().unwrap(),
            ["rotated-1", "rotated-1", "rotated-1"]
        );
        assert!(
            failure_rx.try_recv().is_err(),
            "one report per failure streak"
        );
    }
}
