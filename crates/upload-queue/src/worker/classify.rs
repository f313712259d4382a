//! How a failed step goes on, and whether the server may have acted on the request.
//!
//! Rules (the crate README's "Guarantees and rules"):
//! * A create/upload marker is cleared only by proof the server did not act on THAT
//!   request: a 4xx or 429 answer to it, input refused before sending, or an upload body
//!   cut off before its last byte (journaled as `body_sent` before the last byte goes).
//! * Any 5xx, a lost answer, an unreadable success and a transport error after sending keep
//!   the marker: the next attempt checks first.
//! * Too large (413) → failed for good, not resent. So is an upload cut off mid-body
//!   `MAX_CUT_OFFS` times in a row while bytes were moving (not a stall) and the server
//!   answered the fresh look at the image taken right before each send: real services
//!   reset over-limit bodies instead of answering 413.

use super::progress::BodySnapshot;
use super::steps::Marker;
use crate::job::JobState;
use crate::journal::JobRecord;
use crate::preflight::format_size;
use crate::queue::Trouble;
use beproduct::Error;
use std::time::Duration;

/// Uploads of one job cut off mid-body in a row before it is judged too large.
pub(crate) const MAX_CUT_OFFS: u32 = 3;
/// A body whose last byte went out longer ago than this when it failed was stalled (a
/// network problem), not cut off by the server.
const STALL_GAP: Duration = Duration::from_secs(5);

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

pub(crate) fn classify(
    e: &Error,
    marker: Marker,
    body: Option<&BodySnapshot>,
    rec: &JobRecord,
    cut_offs_before: u32,
) -> Judgement {
    // The last byte never went out: the server cannot have the file, whatever it said.
    if let (Marker::Upload, Some(body)) = (marker, body) {
        if !body.complete && body.sent > 0 && is_cut(e) {
            return cut_off(e, body, rec, cut_offs_before);
        }
    }
    let body_incomplete = matches!(marker, Marker::Upload) && body.is_some_and(|b| !b.complete);
    match e {
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
        Error::Api { status, .. } if *status >= 500 => {
            judged(Next::Retry(Duration::from_millis(500)), !body_incomplete)
        }
        Error::Api { .. } => judged(Next::Fail(JobState::refused(e.to_string())), false),
        Error::OutcomeUnknown { .. } | Error::Decode { .. } => {
            judged(Next::Retry(Duration::ZERO), !body_incomplete)
        }
        // A refused connection, or a body that stopped before its last byte: the request
        // did not land whole. A create's transport error is checked anyway (cheap, safe).
        Error::Transport { .. } => judged(
            Next::Pause(Trouble::Offline, e.to_string()),
            !body_incomplete,
        ),
    }
}

/// Errors an upload cut off mid-body shows as (today a lost or unreadable answer or a
/// transport error; a server error sent before reading the whole body).
fn is_cut(e: &Error) -> bool {
    matches!(
        e,
        Error::OutcomeUnknown { .. } | Error::Transport { .. } | Error::Api { status: 500.., .. }
    )
}

fn cut_off(e: &Error, body: &BodySnapshot, rec: &JobRecord, before: u32) -> Judgement {
    let moving = body.since_last_byte < STALL_GAP;
    if !moving {
        // A stall: the network, not the server. Nothing landed; wait for the connection.
        return judged(Next::Pause(Trouble::Offline, e.to_string()), false);
    }
    let count = before + 1;
    let next = if count >= MAX_CUT_OFFS {
        Next::Fail(JobState::refused(format!(
            "{} ({}) is most likely too large for BeProduct: the server cut the upload off \
             mid-way {count} times in a row while answering everything else (last after {}). \
             Save a smaller version and add it again.",
            rec.file_name,
            rec.size.map_or("size unknown".into(), format_size),
            format_size(body.sent),
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
