//! MOTU AVB interfaces (828es, 8pre-es, UltraLite AVB, 1248, 8M, 16A …) through the HTTP
//! datastore MOTU documents ("MOTU AVB Datastore API"): input channels with a preamp have
//! `ext/ibank/<bank>/ch/<ch>/trim` (an int, dB) and `…/trimRange` (an int pair "min:max").
//! GET answers `{"value": …}`; PATCH sets, with a form field `json` holding `{"value": …}`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::range::GainRange;
use super::spec::Through;
use super::{NETWORK_TIMEOUT, Preamp, PreampError, http};

/// One input channel with a trim, in the device's bank and channel numbers (from 0).
#[derive(Debug, Clone, PartialEq)]
struct TrimChannel {
    bank: usize,
    ch: usize,
    bank_name: String,
}

#[derive(Debug)]
pub struct Motu {
    name: String,
    host: String,
    port: u16,
    /// The channels with a trim, found on first use.
    channels: Option<Vec<TrimChannel>>,
}

impl Motu {
    pub fn new(host: &str, port: u16) -> Self {
        Self {
            name: format!("motu at {host}:{port}"),
            host: host.to_string(),
            port,
            channels: None,
        }
    }

    fn unreachable(&self, why: impl std::fmt::Display) -> PreampError {
        PreampError::Unreachable(self.name.clone(), why.to_string())
    }

    fn protocol(&self, why: impl std::fmt::Display) -> PreampError {
        PreampError::Protocol(self.name.clone(), why.to_string())
    }

    fn get(&self, path: &str) -> Result<Value, PreampError> {
        let r = http::request(
            &self.host,
            self.port,
            "GET",
            &format!("/datastore/{path}"),
            None,
            NETWORK_TIMEOUT,
        )
        .map_err(|e| self.unreachable(e))?;
        if r.status != 200 {
            return Err(self.protocol(format!("GET {path}: HTTP {}", r.status)));
        }
        serde_json::from_str(&r.body).map_err(|e| self.protocol(format!("GET {path}: {e}")))
    }

    fn discover(&mut self) -> Result<&[TrimChannel], PreampError> {
        if self.channels.is_none() {
            let tree = self.get("ext/ibank")?;
            let mut flat = BTreeMap::new();
            flatten("", &tree, &mut flat);
            self.channels = Some(trim_channels(&flat));
        }
        Ok(self.channels.as_deref().unwrap_or_default())
    }

    fn channel(&mut self, index: usize) -> Result<TrimChannel, PreampError> {
        let name = self.name.clone();
        self.discover()?.get(index).cloned().ok_or_else(|| {
            PreampError::NoSuchPreamp(name, format!("input with a trim no. {}", index + 1))
        })
    }

    fn path(c: &TrimChannel, key: &str) -> String {
        format!("ext/ibank/{}/ch/{}/{key}", c.bank, c.ch)
    }
}

/// The datastore's answer for a subtree as flat `a/b/c` keys, whichever way it nests them.
fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}/{k}")
                };
                flatten(&key, v, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.clone());
        }
    }
}

/// Every `<bank>/ch/<ch>` with both a trim and a trim range, in bank then channel order.
fn trim_channels(flat: &BTreeMap<String, Value>) -> Vec<TrimChannel> {
    let mut found: Vec<TrimChannel> = flat
        .keys()
        .filter_map(|k| {
            let parts: Vec<&str> = k.split('/').collect();
            match parts.as_slice() {
                [bank, "ch", ch, "trimRange"] => {
                    let bank: usize = bank.parse().ok()?;
                    let ch: usize = ch.parse().ok()?;
                    flat.contains_key(&format!("{bank}/ch/{ch}/trim"))
                        .then(|| TrimChannel {
                            bank,
                            ch,
                            bank_name: flat
                                .get(&format!("{bank}/name"))
                                .and_then(Value::as_str)
                                .unwrap_or("Input")
                                .to_string(),
                        })
                }
                _ => None,
            }
        })
        .collect();
    found.sort_by_key(|c| (c.bank, c.ch));
    found
}

/// A datastore value that is a number, sent as a number or a string.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An `int_pair`: "min:max".
fn int_pair(v: &Value) -> Option<(f64, f64)> {
    let s = v.as_str()?;
    let (a, b) = s.split_once(':')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

impl Preamp for Motu {
    fn through(&self) -> Through {
        Through::Motu
    }
    fn place(&self) -> String {
        self.name.clone()
    }
    fn count(&mut self) -> Result<usize, PreampError> {
        Ok(self.discover()?.len())
    }
    fn label(&self, index: usize) -> String {
        match self.channels.as_ref().and_then(|c| c.get(index)) {
            Some(c) => format!("{} {}", c.bank_name, c.ch + 1),
            None => format!("trim {}", index + 1),
        }
    }
    fn range(&mut self, index: usize) -> Result<GainRange, PreampError> {
        let c = self.channel(index)?;
        let path = Self::path(&c, "trimRange");
        let v = self.get(&path)?;
        let (min_db, max_db) = v
            .get("value")
            .and_then(int_pair)
            .ok_or_else(|| self.protocol(format!("{path} is not an int pair: {v}")))?;
        Ok(GainRange {
            min_db,
            max_db,
            // The trim is an int: whole dB.
            step_db: 1.0,
        })
    }
    fn read_db(&mut self, index: usize) -> Result<f64, PreampError> {
        let c = self.channel(index)?;
        let path = Self::path(&c, "trim");
        let v = self.get(&path)?;
        v.get("value")
            .and_then(number)
            .ok_or_else(|| self.protocol(format!("{path} is not a number: {v}")))
    }
    fn write_db(&mut self, index: usize, db: f64) -> Result<(), PreampError> {
        let c = self.channel(index)?;
        let path = Self::path(&c, "trim");
        // The trim is an int_opt: whole dB, sent as a JSON integer.
        let json = serde_json::json!({ "value": db.round() as i64 }).to_string();
        let r = http::request(
            &self.host,
            self.port,
            "PATCH",
            &format!("/datastore/{path}"),
            Some(&[("json", &json)]),
            NETWORK_TIMEOUT,
        )
        .map_err(|e| self.unreachable(e))?;
        if !(200..300).contains(&r.status) {
            return Err(self.protocol(format!("PATCH {path}: HTTP {}", r.status)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_with_a_trim_are_found_in_bank_order_from_flat_or_nested_answers() {
        let flat: Value = serde_json::json!({
            "1/name": "Line In", "1/ch/0/trim": 0, "1/ch/0/trimRange": "-96:22",
            "0/name": "Mic In", "0/ch/1/trim": 10, "0/ch/1/trimRange": "0:53",
            "0/ch/0/trim": 20, "0/ch/0/trimRange": "0:53", "0/ch/0/48V": 1,
            "2/name": "ADAT", "2/ch/0/name": "no trim here"
        });
        let nested: Value = serde_json::json!({
            "0": {"name": "Mic In", "ch": {"0": {"trim": 20, "trimRange": "0:53"},
                                            "1": {"trim": 10, "trimRange": "0:53"}}},
            "1": {"name": "Line In", "ch": {"0": {"trim": 0, "trimRange": "-96:22"}}}
        });
        for tree in [flat, nested] {
            let mut map = BTreeMap::new();
            flatten("", &tree, &mut map);
            let found: Vec<(usize, usize, String)> = trim_channels(&map)
                .into_iter()
                .map(|c| (c.bank, c.ch, c.bank_name))
                .collect();
            assert_eq!(
                found,
                vec![
                    (0, 0, "Mic In".to_string()),
                    (0, 1, "Mic In".to_string()),
                    (1, 0, "Line In".to_string())
                ]
            );
        }
        assert_eq!(int_pair(&Value::from("-96:22")), Some((-96.0, 22.0)));
        assert_eq!(number(&Value::from("45")), Some(45.0));
    }
}
