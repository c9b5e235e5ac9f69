//! The inputs as the GUI keeps them: each channel's name and source preset, and the levels
//! each preset stands for. Every view reads it; the bridge's detail panel and templates edit
//! it.

use crate::advisor::{
    ChannelPlan, ChannelSetup, PresetParams, Presets, SessionTemplate, SourcePreset, Thresholds,
};

#[derive(Debug, Clone, Default)]
pub struct Roster {
    /// The loaded template and the preset for channels it does not list.
    pub plan: ChannelPlan,
    /// Channel names, index 0 = channel 1; "" is unnamed.
    pub names: Vec<String>,
    /// Source preset per channel (index 0 = channel 1); missing ones come from `plan`.
    pub presets: Vec<SourcePreset>,
    /// The user's targets and thresholds per preset.
    pub preset_table: Presets,
}

impl Roster {
    /// Gives every channel up to `n` a name: the template's, else the device's (`device`,
    /// e.g. PipeWire's "AUX0"), else "Input N".
    pub fn fill_names(&mut self, n: usize, device: &[String]) {
        for i in self.names.len()..n {
            let name = self.plan.template.channel_name(i + 1);
            let name = match device.get(i) {
                Some(d) if name == format!("Input {}", i + 1) => d.clone(),
                _ => name,
            };
            self.names.push(name);
        }
    }

    pub fn name(&self, channel_index: usize) -> &str {
        self.names.get(channel_index).map_or("", String::as_str)
    }

    pub fn preset(&self, channel_index: usize) -> SourcePreset {
        self.presets
            .get(channel_index)
            .copied()
            .unwrap_or_else(|| self.plan.preset(channel_index + 1))
    }

    pub fn params(&self, channel_index: usize) -> PresetParams {
        self.preset_table.get(self.preset(channel_index))
    }

    /// Target and hot level of one channel (from 0), for its meter.
    pub fn threshold(&self, channel_index: usize) -> Thresholds {
        Thresholds::of(&self.params(channel_index))
    }

    /// Target and hot level of the first `n` channels.
    pub fn thresholds(&self, n: usize) -> Vec<Thresholds> {
        (0..n).map(|i| self.threshold(i)).collect()
    }

    pub fn rename(&mut self, channel_index: usize, name: String) {
        if self.names.len() <= channel_index {
            self.names.resize(channel_index + 1, String::new());
        }
        self.names[channel_index] = name;
    }

    pub fn set_preset(&mut self, channel_index: usize, preset: SourcePreset) {
        if self.presets.len() <= channel_index {
            self.presets
                .resize(channel_index + 1, SourcePreset::Generic);
        }
        self.presets[channel_index] = preset;
    }

    /// The first `n` channels (at least every named one) as a template to save.
    pub fn template(&self, n: usize) -> SessionTemplate {
        SessionTemplate {
            channels: (0..n.max(self.names.len()))
                .map(|i| ChannelSetup {
                    channel: i + 1,
                    name: self.name(i).to_string(),
                    preset: self.preset(i),
                })
                .collect(),
            presets: self.preset_table.clone(),
            ..SessionTemplate::default()
        }
    }

    /// Takes a loaded template's names, presets and levels for the first `n` channels (at
    /// least every channel it lists); returns how many channels it set.
    pub fn adopt(&mut self, template: SessionTemplate, n: usize) -> usize {
        let n = n.max(template.channels.len());
        self.preset_table = template.presets.clone();
        self.names = (1..=n).map(|c| template.channel_name(c)).collect();
        self.presets = (1..=n).map(|c| template.preset(c)).collect();
        self.plan.template = template;
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_presets_grow_to_the_channel_edited() {
        let mut r = Roster::default();
        r.rename(3, "Kick".into());
        r.set_preset(2, SourcePreset::Vocal);
        assert_eq!(r.name(3), "Kick");
        assert_eq!(r.name(0), "");
        assert_eq!(r.preset(2), SourcePreset::Vocal);
        assert_eq!(r.preset(0), SourcePreset::Generic);
        assert_eq!(r.preset(7), r.plan.preset(8));
    }

    #[test]
    fn a_template_round_trips_through_adopt() {
        let mut r = Roster::default();
        r.rename(0, "Vox".into());
        r.set_preset(0, SourcePreset::Vocal);
        r.set_preset(1, SourcePreset::BassDi);
        let t = r.template(3);
        let mut other = Roster::default();
        assert_eq!(other.adopt(t, 2), 3);
        assert_eq!(other.name(0), "Vox");
        assert_eq!(other.preset(0), SourcePreset::Vocal);
        assert_eq!(other.preset(1), SourcePreset::BassDi);
        assert_eq!(
            other.threshold(0),
            Thresholds::of(&SourcePreset::Vocal.params())
        );
    }
}
