//! Journaled upload queue.
