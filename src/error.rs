//! The error a command ends with. Modules keep their own error types; this one only carries a
//! message to print.

/// A command's failure, printed as `gainstage: <message>`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Message(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
