//! The settings panel: the input to open, meter ballistics, the selected channel's targets
//! and thresholds, the theme, and session templates. It edits a form; what the form asks for
//! goes back to the app as an [`Action`], which applies and saves it.

use iced::widget::{button, checkbox, column, container, pick_list, row, text, text_input};
use iced::{Element, Length};

use super::palette::{Neutral, ThemeChoice};
use crate::advisor::PresetParams;
use crate::meter::MeterKind;
use crate::settings::{SavedSource, Settings, TRUE_PEAK_METER, ViewMeters};

/// One input the picker offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceChoice {
    /// A `--host` value ("alsa", "jack", "pipewire", "pulse", ...); `None` for the demo.
    pub host: Option<String>,
    /// Device id as `--device` takes it; empty for the demo.
    pub id: String,
    pub label: String,
}

impl DeviceChoice {
    pub fn demo() -> Self {
        Self {
            host: None,
            id: String::new(),
            label: "Demo session (built-in generator)".into(),
        }
    }

    pub fn is_demo(&self) -> bool {
        self.host.is_none()
    }
}

impl std::fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

/// Every input device on every host compiled in, and the demo. Probing devices can take a
/// moment (ALSA opens each one), so the app runs this off the GUI thread.
pub fn list_devices() -> Vec<DeviceChoice> {
    let mut out = vec![DeviceChoice::demo()];
    for host in crate::capture::devices::list(None) {
        let key = match host.host.to_ascii_lowercase().as_str() {
            h if h.starts_with("alsa") => "alsa",
            h if h.starts_with("jack") => "jack",
            h if h.starts_with("pipewire") => "pipewire",
            h if h.starts_with("pulse") => "pulse",
            h if h.starts_with("coreaudio") => "coreaudio",
            h if h.starts_with("wasapi") => "wasapi",
            _ => continue,
        };
        for d in host.devices {
            out.push(DeviceChoice {
                host: Some(key.to_string()),
                label: format!("{} · {}", host.host, d.name),
                id: d.id,
            });
        }
    }
    out
}

#[derive(Debug, Clone)]
pub enum Message {
    Devices(Vec<DeviceChoice>),
    RefreshDevices,
    Device(DeviceChoice),
    Channels(String),
    Rate(String),
    Buffer(String),
    ApplySource,
    OverLen(u32),
    PeakHold(String),
    ClipLevel(String),
    SoundcheckLen(String),
    Target(String),
    Hot(String),
    Low(String),
    ApplyThresholds,
    RestoreThresholds,
    Theme(ThemeChoice),
    /// The meter a view draws.
    ViewMeter(MeterView, MeterChoice),
    /// The alignment level (dBFS) as typed.
    Alignment(String),
    TemplateName(String),
    SaveTemplate,
    LoadTemplate(String),
    /// Automatic takes on or off.
    AutoTake(bool),
    AutoTakeLevel(String),
    AutoTakeRise(String),
    AutoTakeQuiet(String),
    ApplyAutoTake,
}

/// What the app must do after a form change.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Reopen the input with these settings.
    OpenSource(SavedSource),
    /// Meter settings changed: reopen the input with them.
    Meter {
        over_len: u32,
        peak_hold_s: f64,
        clip_level_dbfs: f64,
    },
    SoundcheckLen(f64),
    /// New target, hot and low levels (dBTP) for the selected channel's preset.
    Thresholds {
        target: f64,
        hot: f64,
        low: f64,
    },
    RestoreThresholds,
    Theme(ThemeChoice),
    /// The meters the views draw, or their alignment, changed.
    Meters(ViewMeters),
    SaveTemplate(String),
    LoadTemplate(String),
    /// The device list is wanted (the panel opened or Refresh was pressed).
    ListDevices,
    /// Automatic takes changed.
    AutoTake(crate::settings::AutoTakeSettings),
}

/// The form's text, kept apart from the settings until it parses.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub devices: Vec<DeviceChoice>,
    pub device: Option<DeviceChoice>,
    pub channels: String,
    pub rate: String,
    pub buffer: String,
    pub over_len: u32,
    pub peak_hold: String,
    /// The float clip level (dBFS) as typed.
    pub clip_level: String,
    pub soundcheck: String,
    pub target: String,
    pub hot: String,
    pub low: String,
    pub template_name: String,
    pub templates: Vec<String>,
    /// The meter each view draws, and the alignment as typed.
    pub meters: ViewMeters,
    pub alignment: String,
    /// Automatic takes: on, and the level (dBFS), rise and quiet times (s) as typed.
    pub auto_take: bool,
    pub auto_level: String,
    pub auto_rise: String,
    pub auto_quiet: String,
    /// What the last action did or why it failed.
    pub status: Option<String>,
}

fn opt_text<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

impl Form {
    /// A form showing `settings` and the thresholds of the selected channel's preset.
    pub fn from_settings(s: &Settings, params: &PresetParams, templates: Vec<String>) -> Self {
        Self {
            devices: Vec::new(),
            device: None,
            channels: opt_text(s.source.channels),
            rate: opt_text(s.source.rate),
            buffer: opt_text(s.source.buffer),
            over_len: s.over_len,
            peak_hold: format!("{}", s.peak_hold_s),
            clip_level: format!("{}", s.clip_level_dbfs),
            soundcheck: format!("{}", s.soundcheck_s),
            target: format!("{}", params.target_dbtp),
            hot: format!("{}", params.hot_dbtp),
            low: format!("{}", params.low_dbtp),
            template_name: String::new(),
            templates,
            auto_take: s.auto_take.on,
            auto_level: format!("{}", s.auto_take.level_dbfs),
            auto_rise: format!("{}", s.auto_take.rise_s),
            auto_quiet: format!("{}", s.auto_take.quiet_s),
            status: None,
            meters: s.meters.clone(),
            alignment: opt_text(s.meters.alignment_dbfs),
        }
    }

    pub fn update(&mut self, message: Message) -> Option<Action> {
        self.status = None;
        match message {
            Message::Devices(list) => {
                self.devices = list;
                None
            }
            Message::RefreshDevices => Some(Action::ListDevices),
            Message::Device(d) => {
                self.device = Some(d);
                None
            }
            Message::Channels(t) => {
                self.channels = t;
                None
            }
            Message::Rate(t) => {
                self.rate = t;
                None
            }
            Message::Buffer(t) => {
                self.buffer = t;
                None
            }
            Message::ApplySource => self.source().map(Action::OpenSource),
            Message::OverLen(n) => {
                self.over_len = n;
                self.meter()
            }
            Message::PeakHold(t) => {
                self.peak_hold = t;
                self.meter()
            }
            Message::ClipLevel(t) => {
                self.clip_level = t;
                self.meter()
            }
            Message::SoundcheckLen(t) => {
                let parsed = number(&t, 2.0, 120.0);
                self.soundcheck = t;
                parsed.map(Action::SoundcheckLen)
            }
            Message::Target(t) => {
                self.target = t;
                None
            }
            Message::Hot(t) => {
                self.hot = t;
                None
            }
            Message::Low(t) => {
                self.low = t;
                None
            }
            Message::ApplyThresholds => {
                let (Some(target), Some(hot), Some(low)) = (
                    number(&self.target, -60.0, 0.0),
                    number(&self.hot, -60.0, 0.0),
                    number(&self.low, -90.0, 0.0),
                ) else {
                    self.status = Some("levels are dBTP numbers between -60 and 0".into());
                    return None;
                };
                if !(low < target && target < hot) {
                    self.status = Some("need low < target < hot".into());
                    return None;
                }
                Some(Action::Thresholds { target, hot, low })
            }
            Message::RestoreThresholds => Some(Action::RestoreThresholds),
            Message::Theme(t) => Some(Action::Theme(t)),
            Message::ViewMeter(view, choice) => {
                *view.slot(&mut self.meters) = choice.name().to_string();
                Some(Action::Meters(self.meters.clone()))
            }
            Message::Alignment(t) => {
                let range = crate::meter::kind::ALIGNMENT_RANGE_DBFS;
                // Empty: each meter's own alignment.
                let parsed = match t.trim() {
                    "" => Some(None),
                    v => number(v, *range.start(), *range.end()).map(Some),
                };
                self.alignment = t;
                match parsed {
                    Some(a) => {
                        self.meters.alignment_dbfs = a;
                        Some(Action::Meters(self.meters.clone()))
                    }
                    None => {
                        self.status = Some(format!(
                            "alignment is dBFS between {} and {}",
                            range.start(),
                            range.end()
                        ));
                        None
                    }
                }
            }
            Message::TemplateName(t) => {
                self.template_name = t;
                None
            }
            Message::SaveTemplate => Some(Action::SaveTemplate(self.template_name.trim().into())),
            Message::LoadTemplate(name) => {
                self.template_name = name.clone();
                Some(Action::LoadTemplate(name))
            }
            Message::AutoTake(on) => {
                self.auto_take = on;
                self.auto_take_settings()
            }
            Message::AutoTakeLevel(t) => {
                self.auto_level = t;
                None
            }
            Message::AutoTakeRise(t) => {
                self.auto_rise = t;
                None
            }
            Message::AutoTakeQuiet(t) => {
                self.auto_quiet = t;
                None
            }
            Message::ApplyAutoTake => self.auto_take_settings(),
        }
    }

    /// Automatic takes as the form has them, once every field parses.
    fn auto_take_settings(&mut self) -> Option<Action> {
        let (Some(level_dbfs), Some(rise_s), Some(quiet_s)) = (
            number(&self.auto_level, -120.0, 0.0),
            number(&self.auto_rise, 0.0, 3600.0),
            number(&self.auto_quiet, 0.1, 3600.0),
        ) else {
            self.status = Some(
                "automatic takes: level is dBFS from -120 to 0, rise 0 to 3600 s, quiet 0.1 to 3600 s"
                    .into(),
            );
            return None;
        };
        Some(Action::AutoTake(crate::settings::AutoTakeSettings {
            on: self.auto_take,
            level_dbfs,
            rise_s,
            quiet_s,
        }))
    }

    /// The meter settings, once every field parses.
    fn meter(&mut self) -> Option<Action> {
        let range = crate::meter::clip::FLOAT_CLIP_LEVEL_RANGE_DBFS;
        let Some(peak_hold_s) = number(&self.peak_hold, 0.0, 10.0) else {
            self.status = Some("peak hold is seconds between 0 and 10".into());
            return None;
        };
        let Some(clip_level_dbfs) = number(&self.clip_level, *range.start(), *range.end()) else {
            self.status = Some(format!(
                "float clip level is dBFS between {} and {}",
                range.start(),
                range.end()
            ));
            return None;
        };
        Some(Action::Meter {
            over_len: self.over_len,
            peak_hold_s,
            clip_level_dbfs,
        })
    }

    /// The input the form names, or why not.
    fn source(&mut self) -> Option<SavedSource> {
        let field = |t: &str, what: &str| -> Result<Option<u32>, String> {
            match t.trim() {
                "" => Ok(None),
                v => v
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(Some)
                    .ok_or_else(|| {
                        format!("{what} must be a whole number (or empty for the default)")
                    }),
            }
        };
        let parsed = (|| {
            let channels = field(&self.channels, "channels")?
                .map(|c| u16::try_from(c).map_err(|_| "channels: at most 65535".to_string()))
                .transpose()?;
            Ok::<_, String>(SavedSource {
                host: self.device.as_ref().and_then(|d| d.host.clone()),
                device: self
                    .device
                    .as_ref()
                    .filter(|d| !d.is_demo())
                    .map(|d| d.id.clone()),
                channels,
                rate: field(&self.rate, "rate")?,
                buffer: field(&self.buffer, "buffer")?,
                demo: self.device.as_ref().is_some_and(DeviceChoice::is_demo),
            })
        })();
        match parsed {
            Ok(s) => Some(s),
            Err(e) => {
                self.status = Some(e);
                None
            }
        }
    }

    pub fn view<'a>(
        &'a self,
        theme: ThemeChoice,
        preset_label: &str,
        neutral: Neutral,
    ) -> Element<'a, Message> {
        let label = |t: &str| text(t.to_string()).size(16).color(neutral.dim_text);
        let field = |value: &'a str, on: fn(String) -> Message, width: f32| {
            text_input("", value)
                .on_input(on)
                .size(16)
                .padding(4)
                .width(width)
        };
        let input = row![
            label("Input"),
            pick_list(
                self.devices.as_slice(),
                self.device.clone(),
                Message::Device
            )
            .placeholder("pick a device…")
            .text_size(16)
            .width(Length::FillPortion(3)),
            button(text("Refresh").size(16))
                .on_press(Message::RefreshDevices)
                .style(button::secondary),
            label("channels"),
            field(&self.channels, Message::Channels, 70.0),
            label("rate"),
            field(&self.rate, Message::Rate, 90.0),
            label("buffer"),
            field(&self.buffer, Message::Buffer, 70.0),
            button(text("Open input").size(16)).on_press(Message::ApplySource),
        ]
        .spacing(8)
        .align_y(iced::alignment::Vertical::Center);
        let over_lens: Vec<u32> = (1..=20).collect();
        let meter = row![
            label("over = consecutive clipped samples"),
            pick_list(over_lens, Some(self.over_len), Message::OverLen).text_size(16),
            label("float clip level (dBFS)"),
            field(&self.clip_level, Message::ClipLevel, 90.0),
            label("peak hold (s)"),
            field(&self.peak_hold, Message::PeakHold, 70.0),
            label("soundcheck (s)"),
            field(&self.soundcheck, Message::SoundcheckLen, 70.0),
            label("theme"),
            pick_list(ThemeChoice::ALL, Some(theme), Message::Theme).text_size(16),
        ]
        .spacing(8)
        .align_y(iced::alignment::Vertical::Center);
        let meter_pick = |view: MeterView| {
            let chosen = MeterChoice::named(view.slot_ref(&self.meters));
            pick_list(MeterChoice::ALL, Some(chosen), move |c| {
                Message::ViewMeter(view, c)
            })
            .text_size(16)
        };
        let meters = row![
            label("meters: bridge"),
            meter_pick(MeterView::Bridge),
            label("wall"),
            meter_pick(MeterView::Wall),
            label("performer"),
            meter_pick(MeterView::Performer),
            label("alignment (dBFS, empty: each meter's own)"),
            field(&self.alignment, Message::Alignment, 70.0),
        ]
        .spacing(8)
        .align_y(iced::alignment::Vertical::Center);
        let thresholds = row![
            label(&format!("{preset_label}: target")),
            field(&self.target, Message::Target, 70.0),
            label("hot"),
            field(&self.hot, Message::Hot, 70.0),
            label("low"),
            field(&self.low, Message::Low, 70.0),
            label("dBTP"),
            button(text("Apply levels").size(16)).on_press(Message::ApplyThresholds),
            button(text("Built-in levels").size(16))
                .on_press(Message::RestoreThresholds)
                .style(button::secondary),
        ]
        .spacing(8)
        .align_y(iced::alignment::Vertical::Center);
        let template = row![
            label("Template"),
            text_input("name", &self.template_name)
                .on_input(Message::TemplateName)
                .on_submit(Message::SaveTemplate)
                .size(16)
                .padding(4)
                .width(200),
            button(text("Save template").size(16)).on_press(Message::SaveTemplate),
            pick_list(
                self.templates.as_slice(),
                None::<String>,
                Message::LoadTemplate
            )
            .placeholder("load a template…")
            .text_size(16),
        ]
        .spacing(8)
        .align_y(iced::alignment::Vertical::Center);
        let auto = row![
            checkbox(self.auto_take)
                .label("Automatic takes: start when any input passes")
                .on_toggle(Message::AutoTake)
                .text_size(16),
            field(&self.auto_level, Message::AutoTakeLevel, 70.0),
            label("dBFS for"),
            field(&self.auto_rise, Message::AutoTakeRise, 60.0),
            label("s, end after"),
            field(&self.auto_quiet, Message::AutoTakeQuiet, 60.0),
            label("s of quiet"),
            button(text("Apply").size(16)).on_press(Message::ApplyAutoTake),
        ]
        .spacing(8)
        .align_y(iced::alignment::Vertical::Center);
        let mut body = column![input, meter, meters, thresholds, template, auto].spacing(8);
        if let Some(s) = &self.status {
            body = body.push(text(s).size(16).color(neutral.text));
        }
        container(body)
            .padding(10)
            .width(Length::Fill)
            .style(move |_| container::Style::default().background(neutral.panel))
            .into()
    }
}

/// A view whose meter the form sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeterView {
    Bridge,
    Wall,
    Performer,
}

impl MeterView {
    fn slot(self, m: &mut ViewMeters) -> &mut String {
        match self {
            MeterView::Bridge => &mut m.bridge,
            MeterView::Wall => &mut m.wall,
            MeterView::Performer => &mut m.performer,
        }
    }

    fn slot_ref(self, m: &ViewMeters) -> &str {
        match self {
            MeterView::Bridge => &m.bridge,
            MeterView::Wall => &m.wall,
            MeterView::Performer => &m.performer,
        }
    }
}

/// A meter in the form's menus: the true-peak bar or a programme meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeterChoice {
    TruePeak,
    Kind(MeterKind),
}

impl MeterChoice {
    pub const ALL: [MeterChoice; 10] = [
        MeterChoice::TruePeak,
        MeterChoice::Kind(MeterKind::Peak),
        MeterChoice::Kind(MeterKind::Vu),
        MeterChoice::Kind(MeterKind::BbcPpm),
        MeterChoice::Kind(MeterKind::EbuPpm),
        MeterChoice::Kind(MeterKind::DinPpm),
        MeterChoice::Kind(MeterKind::NordicPpm),
        MeterChoice::Kind(MeterKind::K20),
        MeterChoice::Kind(MeterKind::K14),
        MeterChoice::Kind(MeterKind::K12),
    ];

    fn named(name: &str) -> Self {
        ViewMeters::kind(name).map_or(MeterChoice::TruePeak, MeterChoice::Kind)
    }

    /// Its name in the settings file.
    fn name(self) -> &'static str {
        match self {
            MeterChoice::TruePeak => TRUE_PEAK_METER,
            MeterChoice::Kind(k) => k.slug(),
        }
    }
}

impl std::fmt::Display for MeterChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MeterChoice::TruePeak => f.write_str("True peak"),
            MeterChoice::Kind(k) => f.write_str(k.label()),
        }
    }
}

/// A number in `min..=max`, or `None`.
fn number(t: &str, min: f64, max: f64) -> Option<f64> {
    t.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && (min..=max).contains(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_must_parse_and_be_ordered() {
        let mut f = Form {
            target: "-12".into(),
            hot: "-6".into(),
            low: "-30".into(),
            ..Form::default()
        };
        assert_eq!(
            f.update(Message::ApplyThresholds),
            Some(Action::Thresholds {
                target: -12.0,
                hot: -6.0,
                low: -30.0
            })
        );
        f.hot = "-20".into();
        assert_eq!(f.update(Message::ApplyThresholds), None);
        assert!(
            f.status
                .as_deref()
                .unwrap_or("")
                .contains("low < target < hot")
        );
        f.hot = "loud".into();
        assert_eq!(f.update(Message::ApplyThresholds), None);
    }

    #[test]
    fn each_view_gets_its_meter_and_a_bad_alignment_is_refused() {
        let mut f = Form::default();
        assert_eq!(
            f.update(Message::ViewMeter(
                MeterView::Wall,
                MeterChoice::Kind(MeterKind::Vu)
            )),
            Some(Action::Meters(ViewMeters {
                wall: "vu".into(),
                ..ViewMeters::default()
            }))
        );
        let Some(Action::Meters(m)) = f.update(Message::Alignment("-20".into())) else {
            panic!("no meters");
        };
        assert_eq!((m.wall.as_str(), m.alignment_dbfs), ("vu", Some(-20.0)));
        assert_eq!(f.update(Message::Alignment("-45".into())), None);
        assert!(f.status.as_deref().unwrap_or("").contains("alignment"));
    }

    #[test]
    fn a_bad_buffer_size_is_refused_with_a_reason() {
        let mut f = Form {
            buffer: "12x".into(),
            ..Form::default()
        };
        assert_eq!(f.update(Message::ApplySource), None);
        assert!(f.status.as_deref().unwrap_or("").contains("buffer"));
        f.buffer = "256".into();
        f.device = Some(DeviceChoice::demo());
        let Some(Action::OpenSource(s)) = f.update(Message::ApplySource) else {
            panic!("no source");
        };
        assert_eq!((s.buffer, s.demo), (Some(256), true));
    }

    #[test]
    fn automatic_takes_apply_once_their_fields_parse() {
        let mut f = Form {
            auto_level: "-35".into(),
            auto_rise: "0.5".into(),
            auto_quiet: "4".into(),
            ..Form::default()
        };
        assert_eq!(
            f.update(Message::AutoTake(true)),
            Some(Action::AutoTake(crate::settings::AutoTakeSettings {
                on: true,
                level_dbfs: -35.0,
                rise_s: 0.5,
                quiet_s: 4.0
            }))
        );
        f.auto_quiet = "0".into();
        assert_eq!(f.update(Message::ApplyAutoTake), None);
        assert!(
            f.status
                .as_deref()
                .unwrap_or("")
                .starts_with("automatic takes:")
        );
    }

    #[test]
    fn the_float_clip_level_is_a_meter_setting_within_its_range() {
        let mut f = Form {
            over_len: 2,
            peak_hold: "1.5".into(),
            clip_level: "0".into(),
            ..Form::default()
        };
        assert_eq!(
            f.update(Message::ClipLevel("-0.05".into())),
            Some(Action::Meter {
                over_len: 2,
                peak_hold_s: 1.5,
                clip_level_dbfs: -0.05
            })
        );
        assert_eq!(f.update(Message::ClipLevel("-7".into())), None);
        assert!(
            f.status
                .as_deref()
                .unwrap_or("")
                .contains("float clip level is dBFS between -6 and 0")
        );
    }
}
