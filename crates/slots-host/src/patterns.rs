//! `pattern`: compiled regular expressions, opened by key and cached.

use std::sync::Arc;

use host_wasmer::bindings::{Caller, Scratch};
use host_wasmer::{Ctx, HostError, OpenError};
use slots_core::{Borrowed, Handle, Resource};

use crate::census::{Census, Counted};
use crate::generated::slots::host::patterns::HostPattern;
use crate::{Error, HostData, MatchOptions, Span};

/// Longest pattern source a guest may compile, in bytes.
pub const MAX_SOURCE_LEN: usize = 4096;
/// Most memory one compiled pattern may take (the regex crate's size limit).
pub const MAX_COMPILED_SIZE: usize = 1 << 20;

/// A compiled pattern. Costly to create, so the host caches it: every
/// instance that opens the same source and options shares one `Pattern`.
#[derive(Debug)]
pub struct Pattern {
    source: String,
    regex: regex::Regex,
    counted: Option<Counted>,
}

impl Resource for Pattern {
    const NAME: &'static str = "pattern";
}

impl Pattern {
    /// Compiles `source` with `options`.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_host::{MatchOptions, Pattern};
    ///
    /// let p = Pattern::compile("a+b", MatchOptions::default()).unwrap();
    /// assert!(p.is_match("xaab"));
    /// assert!(Pattern::compile("(", MatchOptions::default()).is_err());
    /// ```
    pub fn compile(source: &str, options: MatchOptions) -> Result<Self, Error> {
        if source.len() > MAX_SOURCE_LEN {
            return Err(Error::QuotaExceeded(format!(
                "pattern source of {} bytes is over the {MAX_SOURCE_LEN}-byte limit",
                source.len()
            )));
        }
        let regex = regex::RegexBuilder::new(source)
            .case_insensitive(options.case_insensitive)
            .multi_line(options.multi_line)
            .size_limit(MAX_COMPILED_SIZE)
            .build()
            .map_err(|e| Error::Invalid(e.to_string()))?;
        Ok(Self {
            source: source.to_string(),
            regex,
            counted: None,
        })
    }

    /// The pattern, counted by `census` from now until it is dropped.
    pub fn counted(mut self, census: &Arc<Census>) -> Self {
        self.counted = Some(census.count());
        self
    }

    /// Whether the pattern matches anywhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    /// The source it was compiled from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The first match in `text`, if any.
    pub fn find(&self, text: &str) -> Option<Span> {
        self.regex.find(text).map(span)
    }

    /// Every non-overlapping match in `text`, in order.
    pub fn find_all(&self, text: &str) -> Vec<Span> {
        self.regex.find_iter(text).map(span).collect()
    }
}

/// A match as WIT has it. Texts come from a 32-bit guest memory, so the
/// offsets fit a `u32`; a larger one would saturate.
fn span(m: regex::Match<'_>) -> Span {
    let offset = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Span {
        start: offset(m.start()),
        end: offset(m.end()),
    }
}

/// The cache key of a pattern: its options and source. A host revoking a
/// pattern by key ([`SharedHost::revoke_key`]) names it with this.
///
/// [`SharedHost::revoke_key`]: host_wasmer::SharedHost::revoke_key
///
/// # Examples
///
/// ```
/// use slots_host::{MatchOptions, patterns::cache_key};
///
/// assert_eq!(cache_key("a+", MatchOptions::default()), "00:a+");
/// ```
pub fn cache_key(source: &str, options: MatchOptions) -> String {
    format!("{}{source}", key_prefix(options))
}

/// What a pattern's cache key puts before its source: its options.
fn key_prefix(options: MatchOptions) -> &'static str {
    match (options.case_insensitive, options.multi_line) {
        (false, false) => "00:",
        (false, true) => "01:",
        (true, false) => "10:",
        (true, true) => "11:",
    }
}

impl HostPattern for HostData {
    /// `[static]pattern.open`: the cached, interned path. The source is
    /// lent (`borrow_strings` in `generated.rs`) and the key built in a
    /// [`Scratch`], inline for keys up to [`Scratch::INLINE`] bytes, so an
    /// intern hit of such a key allocates nothing.
    fn open(
        cx: &mut Ctx<'_, Self>,
        source: &str,
        options: MatchOptions,
    ) -> Result<Result<Handle<Pattern>, Error>, HostError> {
        let mut buffer = Scratch::take();
        let key = buffer.concat(&[key_prefix(options), source]);
        let opened = cx.open_with(key, |_, data: &HostData| {
            Pattern::compile(source, options).map(|pattern| pattern.counted(&data.census))
        });
        match opened {
            Ok(opened) => Ok(Ok(opened.handle)),
            Err(OpenError::Create(error)) => Ok(Err(error)),
            Err(OpenError::Insert(error)) => Ok(Err(Error::QuotaExceeded(error.to_string()))),
            Err(other) => Err(HostError::msg(other.to_string())),
        }
    }

    fn source(_: &mut Caller<'_, Self>, this: Borrowed<'_, Pattern>) -> Result<String, HostError> {
        Ok(this.source.clone())
    }

    fn is_match(
        _: &mut Caller<'_, Self>,
        this: Borrowed<'_, Pattern>,
        text: &str,
    ) -> Result<bool, HostError> {
        Ok(this.is_match(text))
    }

    fn find(
        _: &mut Caller<'_, Self>,
        this: Borrowed<'_, Pattern>,
        text: &str,
    ) -> Result<Option<Span>, HostError> {
        Ok(this.find(text))
    }

    fn find_all(
        _: &mut Caller<'_, Self>,
        this: Borrowed<'_, Pattern>,
        text: &str,
    ) -> Result<Vec<Span>, HostError> {
        Ok(this.find_all(text))
    }
}
