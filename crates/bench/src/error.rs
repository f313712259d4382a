//! The one error type of the benchmark runner.

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("bad arguments: {0} (run `bp-bench --help`)")]
    Usage(String),
    #[error("{what} failed for {path}: {message}")]
    Io {
        what: &'static str,
        path: String,
        message: String,
    },
    #[error("the sandbox could not be used: {0}")]
    Sandbox(String),
    #[error("the BeProduct client failed while {step}: {source}")]
    Client {
        step: &'static str,
        #[source]
        source: beproduct::Error,
    },
    #[error("the upload queue failed: {0}")]
    Queue(#[from] upload_queue::Error),
    #[error("{0}")]
    Child(String),
    #[error("the benchmark did not finish as expected: {0}")]
    Check(String),
}

pub type Result<T> = std::result::Result<T, BenchError>;

impl BenchError {
    pub fn io(what: &'static str, path: &std::path::Path, e: impl std::fmt::Display) -> Self {
        BenchError::Io {
            what,
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }

    pub fn client(step: &'static str) -> impl FnOnce(beproduct::Error) -> BenchError {
        move |source| BenchError::Client { step, source }
    }
}
