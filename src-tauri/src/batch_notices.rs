//! The desktop around an upload batch: taskbar/dock progress while it runs
//! (`Window::set_progress_bar`; harmless where the desktop has no such thing) and ONE desktop
//! notification when it finishes while the window is not focused ("212 uploaded, 3 failed"),
//! never one per file (tauri-plugin-notification, called from Rust only: the page has no
//! notification permission). A batch is decided from the queue's own events: it starts when
//! jobs are in flight and ends when none is. Names of files never go into a notification.

use tauri::window::{ProgressBarState, ProgressBarStatus};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::broadcast::{error::RecvError, Receiver};
use upload_queue::{BatchTotals, QueueEvent};

/// What one finished batch did (counts since it started).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BatchSummary {
    pub uploaded: u32,
    pub failed: u32,
    /// Duplicates, files changed since queued, uploads whose answer was lost: waiting for the user.
    pub need_attention: u32,
}

impl BatchSummary {
    /// "212 uploaded, 3 failed" (parts that are 0 are left out, but never all of them).
    pub fn message(&self) -> String {
        let mut parts = vec![format!("{} uploaded", self.uploaded)];
        if self.failed > 0 {
            parts.push(format!("{} failed", self.failed));
        }
        if self.need_attention > 0 {
            parts.push(format!("{} need attention", self.need_attention));
        }
        parts.join(", ")
    }
}

/// What the watcher wants done after an event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// Nothing changed for the desktop.
    None,
    /// A batch runs: `0..=100` per cent of its jobs have settled.
    Progress(u64),
    /// The batch ended.
    Finished(BatchSummary),
}

/// Follows the queue's totals and cuts them into batches (pure; unit-tested).
#[derive(Debug, Default)]
pub struct BatchWatch {
    /// Totals when the running batch started; None between batches.
    start: Option<Counts>,
    last_progress: Option<u64>,
}

/// The settled counts a batch is measured by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub done: u32,
    pub failed: u32,
    pub attention: u32,
}

impl Counts {
    pub fn of(t: &BatchTotals) -> Counts {
        Counts {
            done: t.done,
            failed: t.failed,
            attention: t.duplicate + t.changed + t.may_have_landed,
        }
    }
}

impl BatchWatch {
    /// The queue's totals after an event (`active`: jobs still on their way, not counting
    /// interrupted ones waiting for the user).
    pub fn observe_totals(&mut self, totals: &BatchTotals) -> Step {
        self.observe(Counts::of(totals), totals.active())
    }

    pub fn observe(&mut self, now: Counts, active: u32) -> Step {
        match (&mut self.start, active) {
            (None, 0) => Step::None,
            (None, _) => {
                self.start = Some(now);
                self.last_progress = None;
                self.progress(now, now, active)
            }
            (Some(start), _) => {
                // Finished jobs cleared from the list mid-batch lower the totals: follow them.
                start.done = start.done.min(now.done);
                start.failed = start.failed.min(now.failed);
                start.attention = start.attention.min(now.attention);
                let start = *start;
                if active == 0 {
                    self.start = None;
                    self.last_progress = None;
                    Step::Finished(BatchSummary {
                        uploaded: now.done - start.done,
                        failed: now.failed - start.failed,
                        need_attention: now.attention - start.attention,
                    })
                } else {
                    self.progress(start, now, active)
                }
            }
        }
    }

    /// Progress only when the whole per cent changed (the taskbar need not hear every byte).
    fn progress(&mut self, start: Counts, now: Counts, active: u32) -> Step {
        let settled = u64::from(
            (now.done - start.done)
                + (now.failed - start.failed)
                + (now.attention - start.attention),
        );
        let pct = settled * 100 / (settled + u64::from(active)).max(1);
        if self.last_progress == Some(pct) {
            return Step::None;
        }
        self.last_progress = Some(pct);
        Step::Progress(pct)
    }
}

fn totals_of(event: &QueueEvent) -> Option<&BatchTotals> {
    match event {
        QueueEvent::JobsAdded { totals, .. }
        | QueueEvent::JobChanged { totals, .. }
        | QueueEvent::Progress { totals, .. }
        | QueueEvent::JobsRemoved { totals, .. }
        | QueueEvent::ServerChanged { totals, .. } => Some(totals),
        _ => None,
    }
}

/// Follows `events` (a subscription to the upload queue) until the queue is gone.
pub fn watch<R: Runtime>(app: AppHandle<R>, mut events: Receiver<QueueEvent>) {
    tauri::async_runtime::spawn(async move {
        let mut batches = BatchWatch::default();
        loop {
            let event = match events.recv().await {
                Ok(event) => event,
                // Missed events: the next one carries the full totals again.
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => break,
            };
            let Some(totals) = totals_of(&event) else {
                continue;
            };
            match batches.observe_totals(totals) {
                Step::None => {}
                Step::Progress(pct) => show_progress(&app, Some(pct)),
                Step::Finished(summary) => {
                    show_progress(&app, None);
                    finished(&app, summary);
                }
            }
        }
    });
}

fn show_progress<R: Runtime>(app: &AppHandle<R>, pct: Option<u64>) {
    let Some(window) = app.get_webview_window(crate::MAIN_WINDOW) else {
        return;
    };
    let state = ProgressBarState {
        status: Some(if pct.is_some() {
            ProgressBarStatus::Normal
        } else {
            ProgressBarStatus::None
        }),
        progress: pct,
    };
    if let Err(e) = window.set_progress_bar(state) {
        tracing::debug!(error = %e, "no taskbar progress here");
    }
}

fn finished<R: Runtime>(app: &AppHandle<R>, summary: BatchSummary) {
    let focused = app
        .get_webview_window(crate::MAIN_WINDOW)
        .and_then(|w| w.is_focused().ok())
        .unwrap_or(false);
    tracing::info!(
        uploaded = summary.uploaded,
        failed = summary.failed,
        need_attention = summary.need_attention,
        focused,
        "an upload batch finished"
    );
    if focused {
        return;
    }
    let title = if summary.failed > 0 {
        "Uploads finished with failures"
    } else {
        "Uploads finished"
    };
    if let Err(e) = app
        .notification()
        .builder()
        .title(title)
        .body(summary.message())
        .show()
    {
        tracing::warn!(error = %e, "could not show the upload notification");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (counts, active) from a compact notation: in flight, done, failed.
    fn t(active: u32, done: u32, failed: u32) -> (Counts, u32) {
        (
            Counts {
                done,
                failed,
                attention: 0,
            },
            active,
        )
    }

    fn see(watch: &mut BatchWatch, (counts, active): (Counts, u32)) -> Step {
        watch.observe(counts, active)
    }

    #[test]
    fn one_summary_per_batch_counting_only_its_own_jobs() {
        let mut watch = BatchWatch::default();
        // 10 done and 1 failed from before: not this batch's.
        assert_eq!(see(&mut watch, t(0, 10, 1)), Step::None);
        assert_eq!(see(&mut watch, t(4, 10, 1)), Step::Progress(0));
        assert_eq!(see(&mut watch, t(4, 10, 1)), Step::None);
        assert_eq!(see(&mut watch, t(2, 11, 2)), Step::Progress(50));
        assert_eq!(see(&mut watch, t(1, 12, 2)), Step::Progress(75));
        let end = see(&mut watch, t(0, 12, 3));
        let summary = BatchSummary {
            uploaded: 2,
            failed: 2,
            need_attention: 0,
        };
        assert_eq!(end, Step::Finished(summary));
        assert_eq!(summary.message(), "2 uploaded, 2 failed");
        // Later events of the idle queue (a clear, a progress tick) end nothing again.
        assert_eq!(see(&mut watch, t(0, 0, 0)), Step::None);
        assert_eq!(see(&mut watch, t(0, 12, 3)), Step::None);
    }

    #[test]
    fn clearing_finished_jobs_mid_batch_never_makes_counts_negative() {
        let mut watch = BatchWatch::default();
        see(&mut watch, t(0, 5, 0));
        see(&mut watch, t(3, 5, 0));
        see(&mut watch, t(2, 6, 0));
        // "Clear finished": the 6 done leave the list (the one of this batch is not counted).
        see(&mut watch, t(2, 0, 0));
        let end = see(&mut watch, t(0, 2, 0));
        assert_eq!(
            end,
            Step::Finished(BatchSummary {
                uploaded: 2,
                failed: 0,
                need_attention: 0
            })
        );
    }

    #[test]
    fn messages() {
        let s = |uploaded, failed, need_attention| BatchSummary {
            uploaded,
            failed,
            need_attention,
        };
        assert_eq!(s(212, 3, 0).message(), "212 uploaded, 3 failed");
        assert_eq!(s(5, 0, 0).message(), "5 uploaded");
        assert_eq!(
            s(0, 4, 1).message(),
            "0 uploaded, 4 failed, 1 need attention"
        );
    }
}
