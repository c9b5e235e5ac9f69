//! Control: the commands a remote client may give, the per-run token they need, and applying
//! them. Viewing never needs this token; a command without it changes nothing.

use serde::Deserialize;

use crate::capture::{MeterCommand, Refused};

use super::server::State;

/// The longest channel or take name a remote client may set.
const MAX_NAME_CHARS: usize = 64;
/// Soundcheck lengths a remote client may ask for (s).
const SOUNDCHECK_RANGE_S: std::ops::RangeInclusive<f64> = 1.0..=600.0;
/// The soundcheck length when none is given (s).
const DEFAULT_SOUNDCHECK_S: f64 = 10.0;

/// A secret that grants control (or viewing, for `--view-token`). Compared in constant time.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(..)")
    }
}

impl Token {
    /// 128 random bits as 32 hex digits: new every run.
    pub fn random() -> Result<Token, String> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for the token: {e}"))?;
        Ok(Token(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// A token the user chose (`--view-token`); empty is no token.
    pub fn given(text: &str) -> Option<Token> {
        let t = text.trim();
        (!t.is_empty()).then(|| Token(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `candidate` is this token; takes the same time wherever they differ.
    pub fn matches(&self, candidate: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), candidate.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// A command from a remote client. The JSON form (`{"cmd": "reset", "channel": 3}`) is what
/// `POST /api/control` and `/ws` take; OSC addresses map onto the same commands.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Reset every channel's readings and latched clips, or one channel's (from 1).
    Reset {
        #[serde(default)]
        channel: Option<usize>,
    },
    /// Listen this long (s, default 10) and report each channel's verdict.
    Soundcheck {
        #[serde(default)]
        secs: Option<f64>,
    },
    /// Start a take (blank name: "Take N").
    TakeStart {
        #[serde(default)]
        name: Option<String>,
    },
    /// End the open take.
    TakeStop {},
    /// Rename a channel (from 1).
    Rename { channel: usize, name: String },
    /// Set the preamps the latest soundcheck's verdicts ask to (never during a take).
    Apply {},
    /// Put back the gains from before the latest changes.
    Undo {},
}

/// The message a refused command gets.
pub const NEEDS_TOKEN: &str = "control needs this session's token: use the control link `gainstage serve` printed (…?token=…)";

impl Command {
    /// What the command does, checked against the session; `Err` says why it cannot.
    fn check(&self, channels: usize) -> Result<(), String> {
        let channel_ok = |c: usize| {
            if (1..=channels).contains(&c) {
                Ok(())
            } else {
                Err(format!("no channel {c}: this session has 1 to {channels}"))
            }
        };
        match self {
            Command::Reset { channel: Some(c) } => channel_ok(*c),
            Command::Reset { channel: None }
            | Command::TakeStop {}
            | Command::Apply {}
            | Command::Undo {} => Ok(()),
            Command::Soundcheck { secs } => match secs {
                Some(s) if !SOUNDCHECK_RANGE_S.contains(s) => Err(format!(
                    "a soundcheck lasts {} to {} s",
                    SOUNDCHECK_RANGE_S.start(),
                    SOUNDCHECK_RANGE_S.end()
                )),
                _ => Ok(()),
            },
            Command::TakeStart { name } => check_name(name.as_deref().unwrap_or("")),
            Command::Rename { channel, name } => {
                channel_ok(*channel)?;
                check_name(name)
            }
        }
    }

    /// Short name for replies and the log.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Reset { .. } => "reset",
            Command::Soundcheck { .. } => "soundcheck",
            Command::TakeStart { .. } => "take_start",
            Command::TakeStop {} => "take_stop",
            Command::Rename { .. } => "rename",
            Command::Apply {} => "apply",
            Command::Undo {} => "undo",
        }
    }
}

fn check_name(name: &str) -> Result<(), String> {
    if name.chars().count() > MAX_NAME_CHARS {
        Err(format!("a name has at most {MAX_NAME_CHARS} characters"))
    } else if name.chars().any(char::is_control) {
        Err("a name cannot hold control characters".into())
    } else {
        Ok(())
    }
}

/// Why a command changed nothing: the client's request was wrong, or the session would not
/// take it now. The HTTP status differs (400, or 429/503), the text is the reply either way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// Not allowed, or not valid as given: sent again unchanged, it fails again.
    #[error("{0}")]
    Invalid(String),
    /// The session refused it: too many commands waiting or take commands too fast (a later
    /// try may pass), or it has stopped.
    #[error("{0}")]
    Refused(Refused),
}

/// Applies `command` if `authorized`; the text says what happened, or the error why nothing did.
/// `apply` and `undo` wait, asynchronously, for the preamps' thread to answer.
pub async fn apply(state: &State, command: &Command, authorized: bool) -> Result<String, Denied> {
    if !authorized {
        return Err(Denied::Invalid(NEEDS_TOKEN.into()));
    }
    command
        .check(state.channel_count())
        .map_err(Denied::Invalid)?;
    let sent = match command {
        Command::Reset { channel: None } => state.commander.send(MeterCommand::ResetAll),
        Command::Reset { channel: Some(c) } => {
            state.commander.send(MeterCommand::ResetChannel(c - 1))
        }
        Command::Soundcheck { secs } => {
            let secs = secs.unwrap_or(DEFAULT_SOUNDCHECK_S);
            state.hub.start_soundcheck(state, secs);
            return Ok(format!("soundcheck started: {secs} s"));
        }
        Command::TakeStart { name } => state
            .commander
            .send(MeterCommand::StartTake(name.clone().unwrap_or_default())),
        Command::TakeStop {} => state.commander.send(MeterCommand::StopTake),
        Command::Apply {} => {
            return super::preamps::run(state, false)
                .await
                .map_err(Denied::Invalid);
        }
        Command::Undo {} => {
            return super::preamps::run(state, true)
                .await
                .map_err(Denied::Invalid);
        }
        Command::Rename { channel, name } => {
            state.rename(channel - 1, name);
            state
                .commander
                .send(MeterCommand::Rename(channel - 1, name.clone()))
        }
    };
    // Refused (queue full, take commands too fast, session stopped): the reason is the reply.
    sent.map(|()| format!("{} done", command.name()))
        .map_err(Denied::Refused)
}

/// A command as JSON text (WebSocket) with an optional `"token"` field beside it: the command
/// and the token, or why the text is not a command.
pub fn parse_json(text: &str) -> Result<(Command, Option<String>), String> {
    let mut value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let token = match value.as_object_mut() {
        Some(map) => match map.remove("token") {
            Some(serde_json::Value::String(t)) => Some(t),
            Some(_) => return Err("\"token\" must be a string".into()),
            None => None,
        },
        None => return Err("a command is a JSON object with \"cmd\"".into()),
    };
    let command = serde_json::from_value(value).map_err(|e| format!("not a command: {e}"))?;
    Ok((command, token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_matches_only_itself() {
        let t = Token::random().unwrap();
        assert_eq!(t.as_str().len(), 32);
        assert!(t.matches(t.as_str()));
        assert!(!t.matches(""));
        assert!(!t.matches(&t.as_str()[1..]));
        let mut other = t.as_str().to_owned();
        other.replace_range(0..1, if other.starts_with('0') { "1" } else { "0" });
        assert!(!t.matches(&other));
        assert_ne!(Token::random().unwrap(), t, "new every run");
    }

    #[test]
    fn commands_parse_with_their_token() {
        let (c, t) = parse_json(r#"{"cmd":"reset","channel":3,"token":"abc"}"#).unwrap();
        assert_eq!(c, Command::Reset { channel: Some(3) });
        assert_eq!(t.as_deref(), Some("abc"));
        assert_eq!(
            parse_json(r#"{"cmd":"take_stop"}"#).unwrap().0,
            Command::TakeStop {}
        );
        let (c, t) = parse_json(r#"{"cmd":"apply","token":"abc"}"#).unwrap();
        assert_eq!((c, t.as_deref()), (Command::Apply {}, Some("abc")));
        assert_eq!(parse_json(r#"{"cmd":"undo"}"#).unwrap().0, Command::Undo {});
        for bad in [
            "",
            "[]",
            "{}",
            r#"{"cmd":"format_disk"}"#,
            r#"{"cmd":"reset","channel":-1}"#,
            r#"{"cmd":"reset","token":5}"#,
            r#"{"cmd":"reset","extra":1}"#,
            r#"{"cmd":"apply","channel":1}"#,
        ] {
            assert!(parse_json(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn checks_channels_and_lengths() {
        assert!(Command::Reset { channel: Some(0) }.check(4).is_err());
        assert!(Command::Reset { channel: Some(5) }.check(4).is_err());
        assert!(Command::Reset { channel: Some(4) }.check(4).is_ok());
        assert!(Command::Soundcheck { secs: Some(0.0) }.check(4).is_err());
        assert!(
            Command::Soundcheck {
                secs: Some(f64::NAN)
            }
            .check(4)
            .is_err()
        );
        assert!(
            Command::Rename {
                channel: 1,
                name: "x".repeat(65)
            }
            .check(4)
            .is_err()
        );
    }
}
