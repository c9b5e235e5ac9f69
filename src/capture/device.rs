//! cpal devices as a source.

use super::session::{CaptureError, Session, SessionConfig};
use crate::cli::SourceArgs;

pub fn start(
    _source: &SourceArgs,
    _config: &SessionConfig,
    _over_len: u32,
) -> Result<Session, CaptureError> {
    Err(CaptureError::Message(
        "device capture: not built yet".into(),
    ))
}
