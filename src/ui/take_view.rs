//! One take opened from the list: every input's verdict, loudest true peak and overs, and its
//! headroom track over the whole take (the peaks at the report's bounded resolution, green in
//! range, amber hot, red at 0 dBTP and up) with a red mark at every clip burst. A finished
//! take never changes, so each track is drawn once into its own cache.

use iced::widget::canvas::{self, Cache, Geometry};
use iced::widget::{button, canvas as canvas_widget, column, container, row, scrollable, text};
use iced::{Element, Length, Point, Rectangle, Renderer, Size, Theme, mouse};

use super::palette::{self, Neutral};
use super::scale::fraction;
use super::takes_panel::{Message, clock, verdict_zone};
use crate::takes::{BurstReport, TakeReport, TrackReport};

/// Height of one input's row (px).
const ROW: f32 = 44.0;

#[derive(Debug)]
pub struct TakeView {
    pub session: String,
    pub report: TakeReport,
    /// Each input's hot level (dBTP), for the track's colours.
    hot_dbtp: Vec<f64>,
    /// One per input: drawn once.
    caches: Vec<Cache>,
}

impl TakeView {
    pub fn new(session: String, report: TakeReport, hot_dbtp: Vec<f64>) -> Self {
        let caches = report.inputs.iter().map(|_| Cache::new()).collect();
        Self {
            session,
            report,
            hot_dbtp,
            caches,
        }
    }

    pub fn heap_bytes(&self) -> usize {
        self.session.capacity() + self.report.heap_bytes() + self.hot_dbtp.capacity() * 8
    }

    pub fn view(&self, neutral: Neutral) -> Element<'_, Message> {
        let t = &self.report;
        let length = (t.end_s - t.start_s).max(0.0);
        let header = row![
            button(text("← All takes").size(20)).on_press(Message::Close),
            text(format!(
                "Take {}{} · {}–{}{}",
                t.take,
                // "Take 3 · Take 3" says nothing twice.
                if t.name == format!("Take {}", t.take) {
                    String::new()
                } else {
                    format!(" · {}", t.name)
                },
                clock(t.start_s),
                clock(t.end_s),
                if t.cut_short { " (cut short)" } else { "" }
            ))
            .size(24)
            .color(neutral.text),
            text(&t.verdict)
                .size(24)
                .color(verdict_zone(&t.verdict).color()),
        ]
        .spacing(16)
        .align_y(iced::alignment::Vertical::Center);
        let rows = column(t.inputs.iter().enumerate().map(|(i, input)| {
            let tp = input
                .max_true_peak_dbtp
                .map_or("-".to_string(), |v| format!("{v:.1}"));
            let numbers = if input.overs > 0 {
                let s = if input.overs == 1 { "" } else { "s" };
                format!("TP {tp} · {} over{s}", input.overs)
            } else {
                format!("TP {tp}")
            };
            let track = Track {
                track: &input.headroom,
                bursts: &input.bursts,
                length_s: length,
                hot_dbtp: self.hot_dbtp.get(i).copied().unwrap_or(0.0),
                cache: &self.caches[i],
                neutral,
            };
            row![
                text(format!("{}", input.channel))
                    .size(18)
                    .color(neutral.dim_text)
                    .width(36),
                text(&input.name).size(20).color(neutral.text).width(170),
                text(&input.verdict)
                    .size(20)
                    .color(verdict_zone(&input.verdict).color())
                    .width(210),
                text(numbers).size(18).color(neutral.dim_text).width(190),
                canvas_widget(track).width(Length::Fill).height(ROW - 6.0),
            ]
            .spacing(10)
            .height(ROW)
            .align_y(iced::alignment::Vertical::Center)
            .into()
        }));
        let legend = text(format!(
            "Headroom track: max true peak over the whole take, {} points of {:.2} s, -60 to 0 dBTP; red marks: clip bursts.{}",
            t.inputs.first().map_or(0, |i| i.headroom.len()),
            t.inputs.first().map_or(0.0, |i| i.headroom.bin_s),
            if self.session.is_empty() {
                String::new()
            } else {
                format!(" Session {}.", self.session)
            }
        ))
        .size(16)
        .color(neutral.dim_text);
        container(column![header, legend, scrollable(rows).height(Length::Fill)].spacing(8))
            .padding(12)
            .width(Length::Fill)
            .height(Length::Fill)
            .style(move |_| container::Style::default().background(neutral.panel))
            .into()
    }
}

/// One input's headroom track with its clip marks.
struct Track<'a> {
    track: &'a TrackReport,
    bursts: &'a [BurstReport],
    /// The take's length (s): the track's full width.
    length_s: f64,
    hot_dbtp: f64,
    cache: &'a Cache,
    neutral: Neutral,
}

impl<Message> canvas::Program<Message> for Track<'_> {
    type State = ();

    fn draw(
        &self,
        _state: &(),
        renderer: &Renderer,
        _theme: &Theme,
        bounds: Rectangle,
        _cursor: mouse::Cursor,
    ) -> Vec<Geometry> {
        let size = bounds.size();
        vec![self.cache.draw(renderer, size, |frame| {
            frame.fill_rectangle(Point::ORIGIN, size, self.neutral.background);
            // The points span the take; the last may reach past its end.
            let span = self
                .length_s
                .max(self.track.len() as f64 * self.track.bin_s)
                .max(1e-9);
            let x = |s: f64| (s / span) as f32 * size.width;
            let w = x(self.track.bin_s).max(1.0);
            for (i, peak) in self.track.peaks().enumerate() {
                let Some(db) = peak else {
                    continue;
                };
                let h = fraction(db) * size.height;
                if h <= 0.0 {
                    continue;
                }
                let color = palette::level_color(db, self.hot_dbtp as f32);
                frame.fill_rectangle(
                    Point::new(x(i as f64 * self.track.bin_s), size.height - h),
                    Size::new(w, h),
                    color,
                );
            }
            for b in self.bursts {
                let at = x(b.start_s);
                let width = x(b.duration_s).max(3.0);
                frame.fill_rectangle(
                    Point::new(at - 1.0, 0.0),
                    Size::new(width, size.height),
                    palette::RED,
                );
            }
        })]
    }
}
