//! The command line's one error type. Every variant means "nothing more was done" and exits
//! with status 2; messages say what is wrong and what to do, and never carry a secret.

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Options or environment that cannot work.
    #[error("{0}")]
    Usage(String),

    #[error(transparent)]
    Library(#[from] image_library::Error),
}
