//! One task per hot folder: it waits for file events and poll ticks, lets the `Observer`
//! do the file-system work on the blocking pool, and takes the files that are complete.

mod observer;
mod take;
mod watch;

pub(crate) use observer::key_of;

use crate::config::HotFolderConfig;
use crate::shared::{Live, Shared};
use observer::Observer;
use std::sync::Arc;
use tokio::sync::{mpsc, watch as signal};
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

pub(crate) fn spawn(
    shared: Arc<Shared>,
    config: HotFolderConfig,
    live: Arc<Live>,
    stop: signal::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(run(shared, config, live, stop))
}

async fn run(
    shared: Arc<Shared>,
    config: HotFolderConfig,
    live: Arc<Live>,
    mut stop: signal::Receiver<bool>,
) {
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let mut observer = Observer::new(
        config.id.clone(),
        config.dir.clone(),
        shared.journal.clone(),
        live.clone(),
        shared.timing.settle,
        shared.timing.poll,
        events_tx,
    );
    let mut ticks = tokio::time::interval(shared.timing.poll);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    shared.publish(&config.id);
    loop {
        let before = live.fingerprint();
        let mut took = false;
        tokio::select! {
            biased;
            _ = stop.changed() => break,
            Some(first) = events.recv() => {
                let mut batches = vec![first];
                while let Ok(more) = events.try_recv() {
                    batches.push(more);
                }
                let Some((o, ())) = blocking(observer, |o| o.on_events(batches)).await else {
                    return stopped(&shared, &config, &live);
                };
                observer = o;
            }
            _ = ticks.tick() => {
                let Some((o, ready)) = blocking(observer, Observer::tick).await else {
                    return stopped(&shared, &config, &live);
                };
                observer = o;
                if !ready.is_empty() {
                    took = true;
                    let again = take::take(&shared, &config, &live, ready).await;
                    if !again.is_empty() {
                        let Some((o, ())) = blocking(observer, |o| o.retry(again)).await else {
                            return stopped(&shared, &config, &live);
                        };
                        observer = o;
                    }
                }
            }
        }
        // Counts are read from the journal: only when something may have changed.
        if took || live.fingerprint() != before {
            shared.publish(&config.id);
        }
    }
    // Stopping the watcher joins nothing but may touch the file system: off the async threads.
    let _ = tokio::task::spawn_blocking(move || drop(observer)).await;
}

/// The folder's task cannot go on (see `blocking`): the status says so.
fn stopped(shared: &Shared, config: &HotFolderConfig, live: &Live) {
    live.set_folder_problem(Some(format!(
        "Watching {} stopped after an internal error (see the log); remove the hot folder and add it again, or restart the app.",
        config.dir.display()
    )));
    shared.publish(&config.id);
}

/// Runs `f` on the observer on the blocking pool and hands the observer back. `None` when
/// the blocking task panicked (a bug: the folder stops, and says so in the log).
async fn blocking<R: Send + 'static>(
    mut observer: Observer,
    f: impl FnOnce(&mut Observer) -> R + Send + 'static,
) -> Option<(Observer, R)> {
    let id = observer.hot_id.clone();
    match tokio::task::spawn_blocking(move || {
        let r = f(&mut observer);
        (observer, r)
    })
    .await
    {
        Ok(done) => Some(done),
        Err(e) => {
            tracing::error!("hot folder {id} stopped: {e}");
            None
        }
    }
}
