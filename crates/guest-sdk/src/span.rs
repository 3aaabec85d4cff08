//! Helpers on [`Span`], the byte range of a match.

use std::ops::Range;

use crate::Span;

impl Span {
    /// The span's length in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_guest_sdk::Span;
    ///
    /// assert_eq!(Span { start: 1, end: 4 }.len(), 3);
    /// ```
    pub fn len(&self) -> u32 {
        // A well-behaved host never sends `end < start`; saturate rather than
        // wrap if one does.
        self.end.saturating_sub(self.start)
    }

    /// Whether the span is empty (a match of zero bytes, such as `a*` on "b").
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_guest_sdk::Span;
    ///
    /// assert!(Span { start: 2, end: 2 }.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The span as a range to index the searched text with.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_guest_sdk::Span;
    ///
    /// let text = "xaab";
    /// let span = Span { start: 1, end: 4 };
    /// assert_eq!(&text[span.range()], "aab");
    /// ```
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl From<Span> for Range<usize> {
    fn from(span: Span) -> Self {
        span.range()
    }
}

#[cfg(test)]
mod tests {
    use super::Span;

    #[test]
    fn span_range_slices_the_matched_text() {
        let span = Span { start: 2, end: 5 };
        assert_eq!(&"..abc.."[span.range()], "abc");
        assert_eq!(std::ops::Range::from(span), 2..5);
    }

    #[test]
    fn inverted_span_has_length_zero() {
        assert_eq!(Span { start: 4, end: 1 }.len(), 0);
    }
}
