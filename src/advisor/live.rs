//! Live warnings with hysteresis: the checks of [`super::judge`] over recent windows, raised at
//! once, cleared only after the condition has been absent for a while, and `clip` latched until
//! the user resets the channel. One [`LiveAdvisor`] per session, fed from the meter thread.

use std::collections::VecDeque;

use super::events::{LogEvent, RecentEvents, diff_events};
use super::judge::{ALL_KINDS, Evidence, Slack, check, is_redundant, run_ms};
use super::preset::PresetParams;
use super::warning::{Warning, WarningKind};
use crate::meter::ChannelReadings;
use crate::meter::level::{energy_to_lufs, lufs_to_energy};

/// How the live advisor smooths its judgements.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct LiveConfig {
    /// A raised warning clears only after its condition has been absent this long (s).
    pub clear_after_s: f64,
    /// Recent window for peaks and body level (s): long enough to span a phrase and its
    /// pause, as long as the meter's noise-floor window.
    pub window_s: f64,
    /// A DC offset or rumble must persist this long before it is raised (s): both are
    /// standing conditions, and a single plosive or bump must not trip them.
    pub sustain_s: f64,
    /// A raised level warning holds while within this many dB of its threshold, so a level
    /// hovering at a threshold cannot toggle it.
    pub level_slack_db: f64,
    /// The same for the rumble share.
    pub share_slack: f64,
}

impl Default for LiveConfig {
    fn default() -> Self {
        Self {
            clear_after_s: 3.0,
            window_s: 10.0,
            sustain_s: 2.0,
            level_slack_db: 1.0,
            share_slack: 0.03,
        }
    }
}

/// Resolution of the recent-maximum windows (s).
const BUCKET_S: f64 = 0.25;
/// Events kept for [`LiveAdvisor::drain_events`] when nobody drains them.
const MAX_PENDING_EVENTS: usize = 4096;

/// Maximum of a value over the latest seconds, in fixed buckets, so memory stays bounded
/// however often it is fed.
#[derive(Debug, Clone)]
struct RecentMax {
    buckets: VecDeque<(i64, f64)>,
    capacity: usize,
}

impl RecentMax {
    fn new(span_s: f64) -> Self {
        let capacity = (span_s / BUCKET_S).ceil().max(1.0) as usize + 1;
        Self {
            buckets: VecDeque::with_capacity(capacity + 1),
            capacity,
        }
    }

    fn push(&mut self, now_s: f64, v: f64) {
        let idx = (now_s / BUCKET_S).floor() as i64;
        match self.buckets.back_mut() {
            Some((i, m)) if *i == idx => *m = m.max(v),
            _ => self.buckets.push_back((idx, v)),
        }
        while self
            .buckets
            .front()
            .is_some_and(|&(i, _)| i <= idx - self.capacity as i64)
        {
            self.buckets.pop_front();
        }
    }

    /// Keeps at least `span_s` from now on, and everything already held.
    fn widen(&mut self, span_s: f64) {
        self.capacity = self.capacity.max(Self::new(span_s).capacity);
    }

    /// Max over the latest `span_s` (bucket-rounded); `-inf` when nothing was pushed.
    fn max_since(&self, now_s: f64, span_s: f64) -> f64 {
        let from = ((now_s - span_s) / BUCKET_S).floor() as i64 + 1;
        self.buckets
            .iter()
            .filter(|&&(i, _)| i >= from)
            .map(|&(_, v)| v)
            .fold(f64::NEG_INFINITY, f64::max)
    }
}

/// Median over the latest seconds of quarter-second mean powers: the typical level, which
/// neither a loud burst nor a short pause moves much.
#[derive(Debug, Clone)]
struct RecentMedian {
    /// (bucket, sum of powers, count).
    buckets: VecDeque<(i64, f64, u32)>,
    capacity: usize,
    scratch: Vec<f64>,
}

impl RecentMedian {
    fn new(span_s: f64) -> Self {
        let capacity = (span_s / BUCKET_S).ceil().max(1.0) as usize + 1;
        Self {
            buckets: VecDeque::with_capacity(capacity + 1),
            capacity,
            scratch: Vec::with_capacity(capacity + 1),
        }
    }

    fn push(&mut self, now_s: f64, db: f64) {
        let idx = (now_s / BUCKET_S).floor() as i64;
        let power = 10f64.powf(db / 10.0);
        let power = if power.is_finite() { power } else { 0.0 };
        match self.buckets.back_mut() {
            Some((i, sum, n)) if *i == idx => {
                *sum += power;
                *n += 1;
            }
            _ => self.buckets.push_back((idx, power, 1)),
        }
        while self
            .buckets
            .front()
            .is_some_and(|&(i, _, _)| i <= idx - self.capacity as i64)
        {
            self.buckets.pop_front();
        }
    }

    /// Median level over the latest `span_s` (dB); `-inf` when nothing was pushed.
    fn median_since(&mut self, now_s: f64, span_s: f64) -> f64 {
        let from = ((now_s - span_s) / BUCKET_S).floor() as i64 + 1;
        self.scratch.clear();
        self.scratch.extend(
            self.buckets
                .iter()
                .filter(|&&(i, _, _)| i >= from)
                .map(|&(_, sum, n)| sum / f64::from(n.max(1))),
        );
        if self.scratch.is_empty() {
            return f64::NEG_INFINITY;
        }
        let k = self.scratch.len() / 2;
        let (_, m, _) = self.scratch.select_nth_unstable_by(k, f64::total_cmp);
        10.0 * m.log10()
    }
}

#[derive(Debug, Clone)]
struct Active {
    warning: Warning,
    /// Last time the (relaxed) condition held (s).
    seen_s: f64,
}

#[derive(Debug, Clone)]
struct ChannelState {
    params: PresetParams,
    first_s: Option<f64>,
    true_peak: RecentMax,
    sample_peak: RecentMax,
    body: RecentMedian,
    /// The latest short-term loudness (LUFS), for the programme this channel is part of.
    short_term_lufs: f64,
    /// The programme's short-term loudness (LUFS), recent maxima.
    programme: RecentMax,
    /// The meter's since-reset max true and sample peaks at the previous update.
    last_max_tp: f64,
    last_max_sp: f64,
    last_overs: u64,
    /// Overs since this advisor's last reset of the channel.
    overs: u64,
    /// Since when a not yet raised DC offset / rumble has held.
    dc_since_s: Option<f64>,
    rumble_since_s: Option<f64>,
    active: Vec<Active>,
    shown: Vec<Warning>,
}

impl ChannelState {
    fn new(params: PresetParams, config: &LiveConfig) -> Self {
        let span = config.window_s.max(params.no_signal_window_s);
        Self {
            params,
            first_s: None,
            true_peak: RecentMax::new(span),
            sample_peak: RecentMax::new(span),
            body: RecentMedian::new(span),
            short_term_lufs: f64::NEG_INFINITY,
            programme: RecentMax::new(config.window_s),
            last_max_tp: f64::NEG_INFINITY,
            last_max_sp: f64::NEG_INFINITY,
            last_overs: 0,
            overs: 0,
            dc_since_s: None,
            rumble_since_s: None,
            active: Vec::new(),
            shown: Vec::new(),
        }
    }
}

/// Live warnings for every channel of a session.
#[derive(Debug, Clone)]
pub struct LiveAdvisor {
    config: LiveConfig,
    sample_rate: u32,
    channels: Vec<ChannelState>,
    events: RecentEvents<LogEvent>,
}

impl LiveAdvisor {
    /// One channel per entry of `params` (index 0 is input 1).
    pub fn new(params: Vec<PresetParams>, sample_rate: u32, config: LiveConfig) -> Self {
        let channels = params
            .into_iter()
            .map(|p| ChannelState::new(p, &config))
            .collect();
        Self {
            config,
            sample_rate,
            channels,
            events: RecentEvents::new(MAX_PENDING_EVENTS),
        }
    }

    /// `channels` channels, all with the same parameters.
    pub fn uniform(channels: usize, params: &PresetParams, sample_rate: u32) -> Self {
        Self::new(
            vec![params.clone(); channels],
            sample_rate,
            LiveConfig::default(),
        )
    }

    pub fn channels(&self) -> usize {
        self.channels.len()
    }

    pub fn config(&self) -> &LiveConfig {
        &self.config
    }

    /// Changes a channel's preset parameters; the windows and latched clip stay.
    pub fn set_params(&mut self, channel: usize, params: PresetParams) {
        if let Some(c) = self.channels.get_mut(channel) {
            // A longer no-signal window than the buckets cover would judge less than it says.
            // What was heard stays: an empty window would read as "no signal" at once.
            c.sample_peak
                .widen(self.config.window_s.max(params.no_signal_window_s));
            c.params = params;
        }
    }

    /// Feeds channel `channel` (0-based) its readings at `now_s` (seconds on any monotonic
    /// clock, e.g. the snapshot's `t_s`) and returns its warnings, most urgent first. Call it
    /// every publish (10 Hz or so); irregular calls are fine. An unknown channel gets none.
    pub fn update(&mut self, now_s: f64, channel: usize, readings: &ChannelReadings) -> &[Warning] {
        let (programme_first, programme_last) = self.programme_of(channel);
        let programme_lufs = self.programme_short_term(
            channel,
            (programme_first, programme_last),
            readings.short_term_lufs,
        );
        let config = &self.config;
        let rate = self.sample_rate;
        let Some(c) = self.channels.get_mut(channel) else {
            return &[];
        };
        if readings.frames == 0 {
            // Nothing metered yet (stream starting, meter just reset): no evidence, and the
            // "no signal for 5 s" clock must not start.
            return &c.shown;
        }
        let first = *c.first_s.get_or_insert(now_s);
        let observed = now_s - first;

        // A rise in a since-reset maximum is a peak that arrived between updates, which the
        // latest-block reading may have missed. (The held peak would catch it too, but its
        // slow fall would delay `no_signal` by seconds.)
        let mut tp = readings.true_peak_dbtp;
        if readings.max_true_peak_dbtp > c.last_max_tp {
            tp = tp.max(readings.max_true_peak_dbtp);
        }
        c.last_max_tp = readings.max_true_peak_dbtp;
        let mut sp = readings.sample_peak_dbfs;
        if readings.max_sample_peak_dbfs > c.last_max_sp {
            sp = sp.max(readings.max_sample_peak_dbfs);
        }
        c.last_max_sp = readings.max_sample_peak_dbfs;
        c.true_peak.push(now_s, tp);
        c.sample_peak.push(now_s, sp);
        c.body.push(now_s, readings.rms_dbfs);
        c.short_term_lufs = readings.short_term_lufs;
        c.programme.push(now_s, programme_lufs);

        let prev_overs = c.last_overs;
        let new_overs = if readings.overs >= prev_overs {
            readings.overs - prev_overs
        } else {
            readings.overs
        };
        c.overs += new_overs;
        c.last_overs = readings.overs;

        let e = Evidence {
            channel: channel + 1,
            overs: c.overs,
            longest_clip_run_ms: run_ms(readings.longest_clip_run, rate),
            peak_dbtp: c.true_peak.max_since(now_s, config.window_s),
            sample_peak_dbfs: c.sample_peak.max_since(now_s, c.params.no_signal_window_s),
            dc_offset: readings.dc_offset,
            low_band_share: readings.low_band_share,
            rms_dbfs: readings.rms_dbfs,
            body_rms_dbfs: c.body.median_since(now_s, config.window_s),
            noise_floor_dbfs: readings.noise_floor_dbfs,
            programme_short_term_lufs: c.programme.max_since(now_s, config.window_s),
            programme_inputs: (programme_first + 1, programme_last + 1),
        };
        let slack = Slack {
            level_db: config.level_slack_db,
            share: config.share_slack,
        };

        for kind in ALL_KINDS {
            let idx = c.active.iter().position(|a| a.warning.kind == kind);
            if let Some(i) = idx {
                if kind == WarningKind::Clip {
                    // Latched: the count is refreshed, but the advice never softens as the
                    // clipped peaks leave the window: the take still clipped.
                    if let Some(mut w) = check(kind, &e, &c.params, Slack::default()) {
                        let old = &c.active[i].warning;
                        if let (Some(new_db), Some(old_db)) =
                            (w.suggested_gain_db, old.suggested_gain_db)
                            && old_db < new_db
                        {
                            w.suggested_gain_db = Some(old_db);
                            w.message = old.message.clone();
                        }
                        c.active[i].warning = w;
                    }
                    continue;
                }
                match check(kind, &e, &c.params, slack) {
                    Some(w) => {
                        c.active[i] = Active {
                            warning: w,
                            seen_s: now_s,
                        }
                    }
                    None if now_s - c.active[i].seen_s >= config.clear_after_s => {
                        c.active.remove(i);
                    }
                    None => {}
                }
                continue;
            }
            // Some conditions need a full window before their absence of something means
            // anything: "no signal for 5 s", "peaks stay low", "floor between phrases".
            let ready = match kind {
                WarningKind::NoSignal => observed >= c.params.no_signal_window_s,
                WarningKind::Low | WarningKind::Noisy => observed >= config.window_s,
                _ => true,
            };
            let raised = if ready {
                check(kind, &e, &c.params, Slack::default())
            } else {
                None
            };
            let pending = match kind {
                WarningKind::DcOffset => Some(&mut c.dc_since_s),
                WarningKind::Rumble => Some(&mut c.rumble_since_s),
                _ => None,
            };
            if let Some(pending) = pending {
                let since = match raised {
                    Some(_) => *pending.get_or_insert(now_s),
                    None => {
                        *pending = None;
                        now_s
                    }
                };
                if now_s - since < config.sustain_s {
                    continue;
                }
            }
            if let Some(w) = raised {
                c.active.push(Active {
                    warning: w,
                    seen_s: now_s,
                });
            }
        }

        let mut shown: Vec<Warning> = Vec::with_capacity(c.active.len());
        for kind in ALL_KINDS {
            if let Some(a) = c.active.iter().find(|a| a.warning.kind == kind)
                && !is_redundant(kind, &shown)
            {
                shown.push(a.warning.clone());
            }
        }
        for mut ev in diff_events(channel + 1, &c.shown, &shown, prev_overs, readings.overs) {
            ev.level_dbtp = e.peak_dbtp.is_finite().then_some(e.peak_dbtp);
            self.events.push(ev);
        }
        c.shown = shown;
        &c.shown
    }

    /// The channels (0-based, first and last) whose sum is the programme `channel` carries
    /// part of. Adjacent channels judged as one programme kind (mix bus or master) pair up
    /// from the first of their run, as a DAW's stereo bus arrives: 1-2, 3-4; an odd one out is
    /// mono. A channel whose loudness is not judged is its own.
    fn programme_of(&self, channel: usize) -> (usize, usize) {
        let kind = |c: usize| {
            self.channels
                .get(c)
                .filter(|s| s.params.check_loud)
                .map(|s| s.params.control)
        };
        let Some(own) = kind(channel) else {
            return (channel, channel);
        };
        let mut start = channel;
        while start > 0 && kind(start - 1) == Some(own) {
            start -= 1;
        }
        let first = start + (channel - start) / 2 * 2;
        let last = if kind(first + 1) == Some(own) {
            first + 1
        } else {
            first
        };
        (first, last)
    }

    /// The short-term loudness of the programme `channel` is part of, channels `first` to
    /// `last` ([`Self::programme_of`]), in LUFS: BS.1770 sums the K-weighted energies of its
    /// channels (left and right weigh 1), so the pair's is worked out exactly from each
    /// channel's over the same 3 s. `own` is `channel`'s newest; its partner's is from its
    /// latest update, at most one publish older.
    fn programme_short_term(&self, channel: usize, (first, last): (usize, usize), own: f64) -> f64 {
        let total: f64 = (first..=last)
            .map(|c| match c == channel {
                true => lufs_to_energy(own),
                false => self
                    .channels
                    .get(c)
                    .map_or(0.0, |s| lufs_to_energy(s.short_term_lufs)),
            })
            .sum();
        energy_to_lufs(total)
    }

    /// The warnings of channel `channel` (0-based) as of its latest update.
    pub fn warnings(&self, channel: usize) -> &[Warning] {
        self.channels.get(channel).map_or(&[], |c| &c.shown)
    }

    /// The user acknowledged the channel: unlatches `clip` and forgets its overs. Other
    /// warnings keep their own hysteresis. The change shows (and is logged) on the next update.
    pub fn reset(&mut self, channel: usize) {
        if let Some(c) = self.channels.get_mut(channel) {
            c.overs = 0;
            c.active.retain(|a| a.warning.kind != WarningKind::Clip);
        }
    }

    /// Clips, raised and cleared warnings since the last drain, oldest first, for the
    /// session log. Only the latest few thousand are kept if nobody drains them.
    pub fn drain_events(&mut self) -> Vec<LogEvent> {
        self.events.drain().collect()
    }
}
