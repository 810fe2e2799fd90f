//! Padding by display width, so that Chinese (double-width) text lines up in a terminal.

use unicode_width::UnicodeWidthStr;

/// Display width of a string: CJK characters count two columns.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Pads on the right to `columns` display columns.
pub fn pad_right(text: &str, columns: usize) -> String {
    let mut out = text.to_string();
    out.extend(std::iter::repeat_n(' ', columns.saturating_sub(width(text))));
    out
}

/// Pads on the left to `columns` display columns.
pub fn pad_left(text: &str, columns: usize) -> String {
    let mut out: String = std::iter::repeat_n(' ', columns.saturating_sub(width(text))).collect();
    out.push_str(text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_counts_double() {
        assert_eq!(width("毕业生人数"), 10);
        assert_eq!(width("Mbps"), 4);
        assert_eq!(width("其中：升学人数"), 14);
        assert_eq!(pad_right("人", 4), "人  ");
        assert_eq!(pad_left("12", 4), "  12");
    }
}
