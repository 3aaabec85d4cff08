//! Guest `caching`: a pattern opened by key is interned while held and stays
//! warm in the host's cache once released.
//!
//! Opening the same source and options twice while the first handle is held
//! returns that handle (one object, an intern hit, no new creation). Other
//! options are another key, so another object. Once every handle is dropped,
//! opening the key again is a cache hit: the compiled pattern is reused, not
//! compiled again.

use slots_guest_sdk::{
    Counters, Error, Guest, MatchOptions, Pattern, Span, counters, ensure, ensure_eq,
    ensure_matches, ensure_ne,
};

/// The guest; see the crate documentation.
struct Caching;

const SOURCE: &str = "a+b";

impl Guest for Caching {
    fn run() -> Result<(), String> {
        let base = counters();

        let first = Pattern::open(SOURCE, MatchOptions::empty())?;
        let opened = counters();
        ensure_one_lookup(&base, &opened)?;
        ensure_eq!(opened.intern_hits, base.intern_hits);
        ensure_eq!(opened.live_handles, base.live_handles + 1);

        let second = Pattern::open(SOURCE, MatchOptions::empty())?;
        let interned = counters();
        ensure!(
            Pattern::same(&first, &second),
            "the same key while held is the same handle"
        );
        ensure_eq!(first, second);
        ensure_eq!(interned.intern_hits, opened.intern_hits + 1);
        ensure_eq!(
            interned.creations,
            opened.creations,
            "an intern hit creates nothing"
        );
        ensure_eq!(interned.cache_misses, opened.cache_misses);
        ensure_eq!(interned.cache_hits, opened.cache_hits);

        ensure_eq!(first.source(), SOURCE);
        ensure!(first.is_match("xaab"));
        ensure!(!first.is_match("ba"));
        ensure!(
            !first.is_match("XAAB"),
            "matching is case-sensitive by default"
        );
        ensure_eq!(first.find("xaab"), Some(Span { start: 1, end: 4 }));
        ensure_eq!(second.find("bbb"), None);
        ensure_eq!(first.find_all("none here"), []);
        let text = "ab aab b aaab";
        let spans = second.find_all(text);
        ensure_eq!(
            spans,
            [
                Span { start: 0, end: 2 },
                Span { start: 3, end: 6 },
                Span { start: 9, end: 13 },
            ]
        );
        ensure_eq!(&text[spans[1].range()], "aab");

        let before_other_key = counters();
        let folded = Pattern::open(SOURCE, MatchOptions::CASE_INSENSITIVE)?;
        let other_key = counters();
        ensure_ne!(first, folded, "options are part of the key");
        ensure_one_lookup(&before_other_key, &other_key)?;
        ensure_eq!(other_key.intern_hits, before_other_key.intern_hits);
        ensure!(folded.is_match("XAAB"));
        ensure_eq!(folded.find("xAaB"), Some(Span { start: 1, end: 4 }));

        drop(first);
        drop(second);
        drop(folded);
        let released = counters();
        ensure_eq!(released.live_handles, base.live_handles);

        let reopened = Pattern::open(SOURCE, MatchOptions::empty())?;
        let warm = counters();
        ensure_eq!(
            warm.cache_hits,
            released.cache_hits + 1,
            "a released pattern stays warm"
        );
        ensure_eq!(warm.cache_misses, released.cache_misses);
        ensure_eq!(
            warm.creations,
            released.creations,
            "a cache hit compiles nothing"
        );
        ensure_eq!(warm.live_handles, base.live_handles + 1);
        ensure_eq!(reopened.find("xaab"), Some(Span { start: 1, end: 4 }));
        drop(reopened);

        // The error's message is lowered whole: a result that allocates
        // only in its error case is stored a second time, with the
        // allocator, once the first store reaches the string.
        ensure_matches!(
            Pattern::open("(", MatchOptions::empty()),
            Err(Error::Invalid(message)) if message.contains("unclosed group")
        );
        ensure_eq!(counters().live_handles, base.live_handles);
        Ok(())
    }
}

/// Checks that exactly one keyed open reached the shared cache between
/// `before` and `after`, and that it created the object only if it missed.
///
/// The first open of a key in this instance is a miss on a fresh host; when
/// this module has run on the same host before, the key is warm and it is a
/// hit instead. Either way exactly one lookup happened.
fn ensure_one_lookup(before: &Counters, after: &Counters) -> Result<(), String> {
    let misses = after.cache_misses - before.cache_misses;
    let hits = after.cache_hits - before.cache_hits;
    ensure_eq!(
        misses + hits,
        1,
        "one cache lookup ({misses} misses, {hits} hits)"
    );
    ensure_eq!(
        after.creations - before.creations,
        misses,
        "only a miss creates"
    );
    Ok(())
}

slots_guest_sdk::export!(Caching);
