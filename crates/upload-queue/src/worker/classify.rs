//! How a failed step goes on, and whether the server may have acted on the request.
//!
//! Rules (the crate README's "Guarantees and rules"):
//! * A create/upload marker is cleared only by proof the server did not act on THAT
//!   request, which the client's error says: a 4xx or 429 answer to it, a refused
//!   connection or sign-in before it went out, input refused before sending, or
//!   `SendInterrupted` (the upload body was cut off before its last byte, so the server
//!   cannot have the whole file).
//! * `OutcomeUnknown` (any 5xx, a lost or late answer, a transport error after sending) and
//!   an unreadable success keep the marker: the next attempt checks first.
//! * Too large (413) → failed for good, not resent. So is an upload cut off mid-body (not a
//!   stall) `MAX_CUT_OFFS` times in a row while the server answered the fresh look at the
//!   image taken right before each send: real services reset over-limit bodies instead of
//!   answering 413. A stall is the network's fault: the queue pauses as offline.

use crate::job::JobState;
use crate::journal::JobRecord;
use crate::preflight::format_size;
use crate::queue::Trouble;
use beproduct::Error;
use std::time::Duration;

/// Uploads of one job cut off mid-body in a row before it is judged too large.
pub(crate) const MAX_CUT_OFFS: u32 = 3;

pub(crate) enum Next {
    /// Try again (after checking, if the marker says the server may have acted).
    Retry(Duration),
    /// Back to the queue, pause everything until the trouble is over.
    Pause(Trouble, String),
    /// An end state: failed (for good or not) or changed.
    Fail(JobState),
}

pub(crate) struct Judgement {
    pub next: Next,
    /// The server may have acted on the step's request: keep its marker, check first.
    pub may_have_acted: bool,
    /// An upload cut off mid-body while the server answered otherwise.
    pub cut_off: bool,
}

fn judged(next: Next, may_have_acted: bool) -> Judgement {
    Judgement {
        next,
        may_have_acted,
        cut_off: false,
    }
}

/// `cut_offs_before`: this job's uploads cut off mid-body in a row so far.
pub(crate) fn classify(e: &Error, rec: &JobRecord, cut_offs_before: u32) -> Judgement {
    match e {
        Error::SendInterrupted { stalled: true, .. } => {
            judged(Next::Pause(Trouble::Offline, e.to_string()), false)
        }
        Error::SendInterrupted { sent, .. } => cut_off(*sent, rec, cut_offs_before),
        Error::Throttled { retry_after } => judged(
            Next::Retry((*retry_after).min(Duration::from_secs(60))),
            false,
        ),
        Error::TooLarge { size, message } => judged(
            Next::Fail(JobState::refused(too_large(rec, *size, message))),
            false,
        ),
        Error::FileChanged { .. } => {
            tracing::info!("{e}");
            judged(Next::Fail(JobState::Changed), false)
        }
        Error::Auth(message) => judged(Next::Pause(Trouble::SignIn, message.clone()), false),
        Error::InvalidInput(_) => judged(Next::Fail(JobState::refused(e.to_string())), false),
        // The local file cannot be read now; it may be readable later.
        Error::Io { .. } => judged(Next::Fail(JobState::failed(e.to_string())), false),
        // The client reports a 5xx to a create/upload as OutcomeUnknown; a 5xx to a lookup
        // is retried like one, and kept as "may have acted" should it ever answer a create.
        Error::Api { status, .. } if *status >= 500 => {
            judged(Next::Retry(Duration::from_millis(500)), true)
        }
        Error::Api { .. } => judged(Next::Fail(JobState::refused(e.to_string())), false),
        Error::OutcomeUnknown { .. } | Error::Decode { .. } => {
            judged(Next::Retry(Duration::ZERO), true)
        }
        // For a create or upload the client says Transport only when the request never went
        // out (a refused connection, an unreachable sign-in); after sending it says
        // OutcomeUnknown or SendInterrupted.
        Error::Transport { .. } => judged(Next::Pause(Trouble::Offline, e.to_string()), false),
    }
}

/// An upload cut off before its last byte while bytes were moving: nothing landed. Sent
/// again at once, until it was cut off `MAX_CUT_OFFS` times in a row.
fn cut_off(sent: u64, rec: &JobRecord, before: u32) -> Judgement {
    if sent == 0 {
        // Refused before any of the file went: a server error, not a size limit.
        return judged(Next::Retry(Duration::from_millis(500)), false);
    }
    let count = before + 1;
    let next = if count >= MAX_CUT_OFFS {
        Next::Fail(JobState::refused(format!(
            "{} ({}) is most likely too large for BeProduct: the server cut the upload off \
             mid-way {count} times in a row while answering everything else (last after {}). \
             Save a smaller version and add it again.",
            rec.file_name,
            rec.size.map_or("size unknown".into(), format_size),
            format_size(sent),
        )))
    } else {
        Next::Retry(Duration::from_millis(500))
    };
    Judgement {
        next,
        may_have_acted: false,
        cut_off: true,
    }
}

fn too_large(rec: &JobRecord, size: Option<u64>, message: &str) -> String {
    let size = size.or(rec.size).map_or("size unknown".into(), format_size);
    format!(
        "{} is too large for BeProduct ({size}; the server's limit is lower: {}). Save a \
         smaller version and add it again.",
        rec.file_name,
        message.trim_end_matches('.')
    )
}
