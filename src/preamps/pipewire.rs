//! A PipeWire node's channel volumes (the `channelVolumes` of its `Props`), read with `pw-dump`
//! and set with `pw-cli set-param`. On a card whose profile maps the volume to the hardware
//! mixer, PipeWire moves the real preamp (its `softVolumes` then differ from the channel
//! volumes); otherwise it is a software volume, and `preamps` says so.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::range::GainRange;
use super::spec::Through;
use super::{Preamp, PreampError};

/// Software volume: down to -60 dB (quieter is silence for a meter), up to PipeWire's +20 dB
/// (a linear 10), in 0.1 dB steps.
pub const RANGE: GainRange = GainRange {
    min_db: -60.0,
    max_db: 20.0,
    step_db: 0.1,
};
/// How long `pw-dump` or `pw-cli` may take before the server counts as unreachable.
const TOOL_TIMEOUT: Duration = Duration::from_secs(3);

/// What `pw-dump` says of the node.
#[derive(Debug, Clone, PartialEq)]
struct NodeState {
    id: u64,
    volumes: Vec<f64>,
    hardware: bool,
}

#[derive(Debug)]
pub struct PipeWireNode {
    node: String,
    /// Whether the volume reaches the hardware, as last seen.
    hardware: bool,
}

impl PipeWireNode {
    pub fn new(node: &str) -> Self {
        Self {
            node: node.to_string(),
            hardware: false,
        }
    }

    fn name(&self) -> String {
        format!("pipewire node {}", self.node)
    }

    fn unreachable(&self, why: impl std::fmt::Display) -> PreampError {
        PreampError::Unreachable(self.name(), why.to_string())
    }

    fn state(&mut self) -> Result<NodeState, PreampError> {
        let out = run_tool("pw-dump", &[]).map_err(|e| self.unreachable(e))?;
        let all: Value = serde_json::from_str(&out)
            .map_err(|e| PreampError::Protocol(self.name(), format!("pw-dump: {e}")))?;
        let state = node_state(&all, &self.node).ok_or_else(|| {
            PreampError::NoSuchPreamp(self.name(), "node with channel volumes".into())
        })?;
        self.hardware = state.hardware;
        Ok(state)
    }
}

/// Runs a PipeWire tool and returns its stdout; a tool that hangs is ended after the timeout.
fn run_tool(program: &str, args: &[&str]) -> Result<String, String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let mut stdout = child.stdout.take();
    // Read while it runs: a pipe that fills would stall it.
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(out) = stdout.as_mut() {
            let _ = out.read_to_string(&mut text);
        }
        text
    });
    let give_up = Instant::now() + TOOL_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < give_up => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{program} did not finish in {} s",
                    TOOL_TIMEOUT.as_secs()
                ));
            }
            Err(e) => return Err(format!("{program}: {e}")),
        }
    };
    let text = reader.join().unwrap_or_default();
    if !status.success() {
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        return Err(format!("{program} failed ({status}): {}", err.trim()));
    }
    Ok(text)
}

/// The node called `node` in `pw-dump`'s output: its id, channel volumes and whether they
/// reach hardware.
fn node_state(all: &Value, node: &str) -> Option<NodeState> {
    let obj = all.as_array()?.iter().find(|o| {
        o["type"] == "PipeWire:Interface:Node" && o["info"]["props"]["node.name"] == node
    })?;
    let props = obj["info"]["params"]["Props"].as_array()?;
    let floats = |key: &str| -> Option<Vec<f64>> {
        props
            .iter()
            .find_map(|p| p.get(key)?.as_array().cloned())
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
    };
    let volumes = floats("channelVolumes")?;
    let soft = floats("softVolumes").unwrap_or_else(|| volumes.clone());
    // The hardware takes the part of the volume the software does not.
    let hardware = volumes.iter().zip(&soft).any(|(v, s)| (v - s).abs() > 1e-6);
    Some(NodeState {
        id: obj["id"].as_u64()?,
        volumes,
        hardware,
    })
}

fn to_db(linear: f64) -> f64 {
    if linear <= 0.0 {
        RANGE.min_db
    } else {
        // To 0.01 dB: the float's last bits are not a gain anyone set.
        (20.0 * linear.log10() * 100.0).round() / 100.0
    }
}

impl Preamp for PipeWireNode {
    fn through(&self) -> Through {
        Through::Pipewire
    }
    fn place(&self) -> String {
        self.name()
    }
    fn count(&mut self) -> Result<usize, PreampError> {
        Ok(self.state()?.volumes.len())
    }
    fn label(&self, index: usize) -> String {
        format!("channel volume {}", index + 1)
    }
    fn range(&mut self, _index: usize) -> Result<GainRange, PreampError> {
        Ok(RANGE)
    }
    fn read_db(&mut self, index: usize) -> Result<f64, PreampError> {
        let s = self.state()?;
        s.volumes
            .get(index)
            .map(|v| to_db(*v))
            .ok_or_else(|| PreampError::NoSuchPreamp(self.name(), format!("channel {}", index + 1)))
    }
    fn write_db(&mut self, index: usize, db: f64) -> Result<(), PreampError> {
        let s = self.state()?;
        let mut volumes = s.volumes;
        let Some(v) = volumes.get_mut(index) else {
            return Err(PreampError::NoSuchPreamp(
                self.name(),
                format!("channel {}", index + 1),
            ));
        };
        *v = 10f64.powf(db / 20.0);
        let list: Vec<String> = volumes.iter().map(|v| format!("{v:.6}")).collect();
        let pod = format!("{{ channelVolumes: [ {} ] }}", list.join(", "));
        run_tool("pw-cli", &["set-param", &s.id.to_string(), "Props", &pod])
            .map(|_| ())
            .map_err(|e| self.unreachable(e))
    }
    fn is_hardware(&self) -> bool {
        self.hardware
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_node_is_found_by_name_with_its_volumes_and_where_they_go() {
        let dump = serde_json::json!([
            {"id": 30, "type": "PipeWire:Interface:Node",
             "info": {"props": {"node.name": "other"}, "params": {}}},
            {"id": 31, "type": "PipeWire:Interface:Node",
             "info": {"props": {"node.name": "gs-pre2"},
                      "params": {"Props": [
                          {"volume": 1.0, "channelVolumes": [0.5, 1.0], "softVolumes": [0.5, 1.0]},
                          {"params": []}]}}},
            {"id": 32, "type": "PipeWire:Interface:Node",
             "info": {"props": {"node.name": "alsa_input.usb"},
                      "params": {"Props": [
                          {"channelVolumes": [0.25], "softVolumes": [1.0]}]}}}
        ]);
        let s = node_state(&dump, "gs-pre2").unwrap();
        assert_eq!(
            s,
            NodeState {
                id: 31,
                volumes: vec![0.5, 1.0],
                hardware: false
            }
        );
        assert!(node_state(&dump, "alsa_input.usb").unwrap().hardware);
        assert_eq!(node_state(&dump, "other"), None);
        assert_eq!(to_db(0.5), -6.02);
        assert_eq!(to_db(1.0), 0.0);
    }
}
