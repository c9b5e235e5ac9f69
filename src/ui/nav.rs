//! Where the user is: which view the main window shows and which panel is open. Plain values
//! the shell, the key map and the top bar share.

/// The three views, switched with 1 / 2 / 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Bridge,
    Wall,
    Performer,
}

impl View {
    pub fn name(self) -> &'static str {
        match self {
            View::Bridge => "bridge",
            View::Wall => "wall",
            View::Performer => "performer",
        }
    }

    pub fn from_name(name: &str) -> View {
        match name {
            "wall" => View::Wall,
            "performer" => View::Performer,
            _ => View::Bridge,
        }
    }
}

/// The panels that open under the top bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Log,
    Takes,
    Settings,
    /// The remote view: serving the session to browsers, its addresses and QR code.
    Remote,
    Help,
}
