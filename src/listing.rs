//! What the listing commands (`gainstage log`, `gainstage takes`) share: how they print, and
//! the CSV cell rule. Both the advisor's log and the takes use it, so neither imports the
//! other for it.

/// How a listing command prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListFormat {
    /// Aligned columns for a terminal.
    #[default]
    Table,
    /// The stored JSON (lines for the log, one document for takes).
    Json,
    /// CSV for spreadsheets, RFC 4180 quoting.
    Csv,
}

/// A CSV cell (RFC 4180): quoted when it holds a comma, quote or line break, with quotes
/// doubled.
pub fn csv_cell(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_only_when_rfc_4180_needs_it() {
        assert_eq!(csv_cell("Take 1"), "Take 1");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
    }
}
