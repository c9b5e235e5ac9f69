//! Offline analysis of recorded takes.
