//! The scale labels of every strip of a bridge with a scale on each strip (16 channels or
//! fewer), as a widget stacked over the meters' canvas. (A performer's meter has its scale
//! left of the band, where the canvas's static layer draws it.)
//!
//! Drawn by the canvas, labels between the bars would lie inside the band the renderer
//! redraws every frame, where canvas text costs a window-sized clip-mask clear per label (as
//! outlines: antialiased paths), and a layer of their own two more clears a frame. Text a
//! widget draws inside a small clip of its own is drawn from the glyph cache, with no mask.

use iced::advanced::layout::{self, Layout};
use iced::advanced::renderer;
use iced::advanced::text::{self, Renderer as _};
use iced::advanced::widget::{Tree, Widget};
use iced::alignment::Vertical;
use iced::{Color, Element, Font, Length, Point, Rectangle, Renderer, Size, mouse};

use super::bars::Bars;
use super::strip_text;
use super::strips::{LABEL_SIZE, bridge_layout, label_spots};

/// Labels for `channels` strips laid out as a [`super::strips::Style::Bridge`]
/// `{ labels: true }` canvas of the same size lays them out.
#[derive(Debug)]
pub struct ScaleLabels {
    channels: usize,
    color: Color,
    /// The scale the strips are drawn on.
    bars: Bars,
}

pub fn scale_labels<'a, Message: 'a>(
    channels: usize,
    color: Color,
    bars: Bars,
) -> Element<'a, Message> {
    Element::new(ScaleLabels {
        channels,
        color,
        bars,
    })
}

impl<Message, Theme> Widget<Message, Theme, Renderer> for ScaleLabels {
    fn size(&self) -> Size<Length> {
        Size::new(Length::Fill, Length::Fill)
    }

    fn layout(
        &mut self,
        _tree: &mut Tree,
        _renderer: &Renderer,
        limits: &layout::Limits,
    ) -> layout::Node {
        layout::Node::new(limits.max())
    }

    fn draw(
        &self,
        _tree: &Tree,
        renderer: &mut Renderer,
        _theme: &Theme,
        _style: &renderer::Style,
        layout: Layout<'_>,
        _cursor: mouse::Cursor,
        _viewport: &Rectangle,
    ) {
        let bounds = layout.bounds();
        let line_height = text::LineHeight::default();
        let height = line_height.to_absolute(LABEL_SIZE.into()).0;
        for i in 0..self.channels {
            let l = bridge_layout(i, self.channels, bounds.size(), true, self.bars);
            for (label, y) in label_spots(&l) {
                let own_clip = Rectangle::new(
                    Point::new(bounds.x + l.x, bounds.y + y),
                    Size::new(l.label_w, height),
                );
                // Right-aligned by hand, 3 px from the bar: the renderer takes a text's place
                // (what it redraws when the text moves) to lie right of its position, while
                // right-aligned text is drawn left of it. A label that moved (a panel opened
                // above the meters) then left its old pixels on the first strip, outside the
                // band that is redrawn every frame.
                let right = own_clip.x + own_clip.width - 3.0;
                let left = (right - strip_text::width(&label, LABEL_SIZE)).max(own_clip.x);
                renderer.fill_text(
                    text::Text {
                        content: label,
                        // Finite: the renderer compares frames' texts to find what changed,
                        // and an infinite size transforms to NaN, which never compares equal.
                        // To the clip's right edge, so the place covers what is drawn even
                        // where the text is a little wider than its estimate.
                        bounds: Size::new(own_clip.x + own_clip.width - left, height),
                        size: LABEL_SIZE.into(),
                        line_height,
                        font: Font::default(),
                        align_x: text::Alignment::Left,
                        align_y: Vertical::Top,
                        shaping: text::Shaping::Basic,
                        wrapping: text::Wrapping::None,
                    },
                    Point::new(left, own_clip.y),
                    self.color,
                    own_clip,
                );
            }
        }
    }
}
