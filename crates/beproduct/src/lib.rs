//! Async client for the BeProduct Public API.
