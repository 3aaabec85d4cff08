//! `pattern`: compiled regular expressions, opened by key and cached.

use host_wasmer::{Ctx, HostError, OpenError};
use slots_core::{Handle, Resource};

use std::sync::Arc;

use crate::HostData;
use crate::census::{Census, Counted};
use crate::types::{Error, MatchOptions, Span};

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
/// pattern by key ([`SlotsHost::revoke_key`]) names it with this.
///
/// [`SlotsHost::revoke_key`]: host_wasmer::SlotsHost::revoke_key
///
/// # Examples
///
/// ```
/// use slots_host::{MatchOptions, patterns::cache_key};
///
/// assert_eq!(cache_key("a+", MatchOptions::default()), "00:a+");
/// ```
pub fn cache_key(source: &str, options: MatchOptions) -> String {
    let mut key = String::with_capacity(source.len() + 3);
    write_cache_key(&mut key, source, options);
    key
}

/// Writes the cache key of a pattern into `key`, emptied first.
pub fn write_cache_key(key: &mut String, source: &str, options: MatchOptions) {
    let flag = |on: bool| if on { '1' } else { '0' };
    key.clear();
    key.push(flag(options.case_insensitive));
    key.push(flag(options.multi_line));
    key.push(':');
    key.push_str(source);
}

std::thread_local! {
    /// The key buffer of `open`, reused so that opening a pattern the
    /// instance already holds allocates nothing.
    static KEY: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

/// `[static]pattern.open`: the cached, interned path.
pub fn open(
    cx: &mut Ctx<'_, HostData>,
    source: String,
    options: MatchOptions,
) -> Result<Result<Handle<Pattern>, Error>, HostError> {
    open_str(cx, &source, options)
}

/// `[static]pattern.open` with the source borrowed: the key is built in a
/// buffer reused from call to call, so an intern hit allocates nothing.
pub fn open_str(
    cx: &mut Ctx<'_, HostData>,
    source: &str,
    options: MatchOptions,
) -> Result<Result<Handle<Pattern>, Error>, HostError> {
    let mut key = KEY.try_with(std::cell::Cell::take).unwrap_or_default();
    write_cache_key(&mut key, source, options);
    let census = cx.data().census.clone();
    let opened = cx.open(&key, |_| {
        Pattern::compile(source, options).map(|pattern| pattern.counted(&census))
    });
    // A long source is not kept for the thread's lifetime.
    if key.capacity() <= MAX_SOURCE_LEN + 3 {
        let _ = KEY.try_with(|slot| slot.set(key));
    }
    match opened {
        Ok(opened) => Ok(Ok(opened.handle)),
        Err(OpenError::Create(error)) => Ok(Err(error)),
        Err(OpenError::Insert(error)) => Ok(Err(Error::QuotaExceeded(error.to_string()))),
        Err(other) => Err(HostError::msg(other.to_string())),
    }
}

/// `[method]pattern.source`.
pub fn source(cx: &mut Ctx<'_, HostData>, this: Handle<Pattern>) -> Result<String, HostError> {
    Ok(cx.get(this)?.source.clone())
}

/// `[method]pattern.is-match`.
pub fn is_match(
    cx: &mut Ctx<'_, HostData>,
    this: Handle<Pattern>,
    text: String,
) -> Result<bool, HostError> {
    Ok(cx.get(this)?.is_match(&text))
}

/// `[method]pattern.find`.
pub fn find(
    cx: &mut Ctx<'_, HostData>,
    this: Handle<Pattern>,
    text: String,
) -> Result<Option<Span>, HostError> {
    Ok(cx.get(this)?.find(&text))
}

/// `[method]pattern.find-all`.
pub fn find_all(
    cx: &mut Ctx<'_, HostData>,
    this: Handle<Pattern>,
    text: String,
) -> Result<Vec<Span>, HostError> {
    Ok(cx.get(this)?.find_all(&text))
}
