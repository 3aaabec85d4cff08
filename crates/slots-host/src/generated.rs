//! The `slots:host` world on the bindings `bindgen!` generates from `wit/`:
//! the same host as [`linker`](crate::linker), each import a typed Wasmer
//! function, each export a typed method.
//!
//! # Examples
//!
//! ```no_run
//! use host_wasmer::{HostConfig, SlotsHost};
//! use slots_host::HostData;
//! use slots_host::generated::Guest;
//! use wasmer::{Module, Store};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut store = Store::default();
//! let module = Module::new(&store, std::fs::read("guest.wasm")?)?;
//! let host = SlotsHost::new(HostConfig::default());
//! let guest = Guest::new(&mut store, &module, HostData::default(), host, "tenant-a")?;
//! let outcome: Result<(), String> = guest.call_run(&mut store)?;
//! # let _ = outcome; Ok(()) }
//! ```

use host_wasmer::bindings::Caller;
use host_wasmer::typed::Own;
use host_wasmer::{Ctx, HostError};
use slots_core::{Borrowed, Handle};

use crate::{Bucket, HostData, Pattern, buckets, grants, mailbox, patterns, types};

host_wasmer::bindgen!({
    path: "../../wit",
    world: "guest",
    with: {
        "slots:host/patterns/pattern": crate::Pattern,
        "slots:host/buckets/bucket": crate::Bucket,
    },
    // Strings the host only reads, lent as `&str` from a reused buffer: the
    // key of a keyed open is looked up without a copy of its own (an intern
    // hit allocates nothing), and a searched text is not copied twice.
    borrow_strings: [
        "slots:host/patterns/pattern.open",
        "slots:host/patterns/pattern.is-match",
        "slots:host/patterns/pattern.find",
        "slots:host/patterns/pattern.find-all",
    ],
});

use slots::host::{
    buckets as wit_buckets, grants as wit_grants, introspect, mailbox as wit_mailbox,
};
use slots::host::{patterns as wit_patterns, types as wit_types};

impl From<types::Error> for wit_types::Error {
    fn from(error: types::Error) -> Self {
        match error {
            types::Error::Invalid(s) => Self::Invalid(s),
            types::Error::QuotaExceeded(s) => Self::QuotaExceeded(s),
            types::Error::NotFound(s) => Self::NotFound(s),
        }
    }
}

impl From<wit_patterns::MatchOptions> for types::MatchOptions {
    fn from(options: wit_patterns::MatchOptions) -> Self {
        Self {
            case_insensitive: options.case_insensitive,
            multi_line: options.multi_line,
        }
    }
}

impl From<types::Span> for wit_patterns::Span {
    fn from(span: types::Span) -> Self {
        Self {
            start: span.start,
            end: span.end,
        }
    }
}

impl From<types::Entry> for wit_buckets::Entry {
    fn from(entry: types::Entry) -> Self {
        Self {
            key: entry.key,
            value: entry.value,
        }
    }
}

impl From<types::Token> for wit_grants::Token {
    fn from(token: types::Token) -> Self {
        Self {
            high: token.high,
            low: token.low,
        }
    }
}

impl From<wit_grants::Token> for types::Token {
    fn from(token: wit_grants::Token) -> Self {
        Self {
            high: token.high,
            low: token.low,
        }
    }
}

impl From<types::RedeemError> for wit_grants::RedeemError {
    fn from(error: types::RedeemError) -> Self {
        match error {
            types::RedeemError::Unknown => Self::Unknown,
            types::RedeemError::Expired => Self::Expired,
            types::RedeemError::WrongType(s) => Self::WrongType(s),
            types::RedeemError::Revoked => Self::Revoked,
            types::RedeemError::QuotaExceeded(s) => Self::QuotaExceeded(s),
        }
    }
}

impl From<types::Message> for wit_mailbox::Message {
    fn from(message: types::Message) -> Self {
        Self {
            sender: message.sender,
            subject: message.subject,
            token: message.token.map(Into::into),
        }
    }
}

fn convert<T, E: Into<F>, F>(result: Result<T, E>) -> Result<T, F> {
    result.map_err(Into::into)
}

impl wit_patterns::HostPattern for HostData {
    fn open(
        cx: &mut Ctx<'_, Self>,
        source: &str,
        options: wit_patterns::MatchOptions,
    ) -> Result<Result<Handle<Pattern>, wit_types::Error>, HostError> {
        patterns::open_str(cx, source, options.into()).map(convert)
    }

    fn source(_: &mut Caller<'_, Self>, this: Borrowed<'_, Pattern>) -> Result<String, HostError> {
        Ok(this.source().to_string())
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
    ) -> Result<Option<wit_patterns::Span>, HostError> {
        Ok(this.find(text).map(Into::into))
    }

    fn find_all(
        _: &mut Caller<'_, Self>,
        this: Borrowed<'_, Pattern>,
        text: &str,
    ) -> Result<Vec<wit_patterns::Span>, HostError> {
        Ok(this.find_all(text).into_iter().map(Into::into).collect())
    }
}

impl wit_buckets::Host for HostData {
    fn drain(cx: &mut Ctx<'_, Self>, b: Own<Bucket>) -> Result<Vec<wit_buckets::Entry>, HostError> {
        Ok(buckets::drain(cx, b)?.into_iter().map(Into::into).collect())
    }
}

impl wit_buckets::HostBucket for HostData {
    fn new(cx: &mut Ctx<'_, Self>, name: String) -> Result<Bucket, HostError> {
        Bucket::new(name, cx.data())
    }

    fn name(_: &mut Caller<'_, Self>, this: Borrowed<'_, Bucket>) -> Result<String, HostError> {
        Ok(this.name().to_string())
    }

    fn put(
        _: &mut Caller<'_, Self>,
        this: Borrowed<'_, Bucket>,
        key: String,
        value: Vec<u8>,
    ) -> Result<Result<Option<Vec<u8>>, wit_types::Error>, HostError> {
        Ok(convert(this.put(key, value)))
    }

    fn get(
        _: &mut Caller<'_, Self>,
        this: Borrowed<'_, Bucket>,
        key: String,
    ) -> Result<Option<Vec<u8>>, HostError> {
        Ok(this.get(&key))
    }

    fn remove(
        _: &mut Caller<'_, Self>,
        this: Borrowed<'_, Bucket>,
        key: String,
    ) -> Result<Result<Vec<u8>, wit_types::Error>, HostError> {
        Ok(convert(this.remove(&key)))
    }

    fn len(_: &mut Caller<'_, Self>, this: Borrowed<'_, Bucket>) -> Result<u32, HostError> {
        // A bucket's entries fit its budget, far below 2^32.
        Ok(u32::try_from(this.len()).unwrap_or(u32::MAX))
    }

    fn entries(
        _: &mut Caller<'_, Self>,
        this: Borrowed<'_, Bucket>,
    ) -> Result<Vec<wit_buckets::Entry>, HostError> {
        Ok(this.entries().into_iter().map(Into::into).collect())
    }

    fn keys_matching(
        _: &mut Caller<'_, Self>,
        this: Borrowed<'_, Bucket>,
        filter: &Pattern,
    ) -> Result<Vec<String>, HostError> {
        Ok(this.keys_matching(filter))
    }

    fn absorb(
        _: &mut Caller<'_, Self>,
        this: Borrowed<'_, Bucket>,
        other: Own<Bucket>,
    ) -> Result<u32, HostError> {
        this.absorb(&other)
            .map_err(|error| HostError::msg(format!("absorb: {error:?}")))
    }
}

impl wit_grants::Host for HostData {
    fn grant_pattern(
        cx: &mut Ctx<'_, Self>,
        p: Handle<Pattern>,
    ) -> Result<Result<wit_grants::Token, wit_types::Error>, HostError> {
        grants::grant(cx, p).map(|r| r.map(Into::into).map_err(Into::into))
    }

    fn redeem_pattern(
        cx: &mut Ctx<'_, Self>,
        t: wit_grants::Token,
    ) -> Result<Result<Handle<Pattern>, wit_grants::RedeemError>, HostError> {
        grants::redeem(cx, t.into()).map(convert)
    }

    fn grant_bucket(
        cx: &mut Ctx<'_, Self>,
        b: Handle<Bucket>,
    ) -> Result<Result<wit_grants::Token, wit_types::Error>, HostError> {
        grants::grant(cx, b).map(|r| r.map(Into::into).map_err(Into::into))
    }

    fn redeem_bucket(
        cx: &mut Ctx<'_, Self>,
        t: wit_grants::Token,
    ) -> Result<Result<Handle<Bucket>, wit_grants::RedeemError>, HostError> {
        grants::redeem(cx, t.into()).map(convert)
    }
}

impl wit_mailbox::Host for HostData {
    fn send(
        cx: &mut Ctx<'_, Self>,
        recipient: String,
        subject: String,
        token: Option<wit_grants::Token>,
    ) -> Result<Result<(), wit_types::Error>, HostError> {
        mailbox::send(cx, recipient, subject, token.map(Into::into)).map(convert)
    }

    fn receive(cx: &mut Ctx<'_, Self>) -> Result<Option<wit_mailbox::Message>, HostError> {
        Ok(mailbox::receive(cx)?.map(Into::into))
    }
}

impl introspect::Host for HostData {
    fn snapshot(cx: &mut Ctx<'_, Self>) -> Result<introspect::Counters, HostError> {
        let c = cx.counters();
        Ok(introspect::Counters {
            live_handles: c.live_handles,
            opens: c.opens,
            intern_hits: c.intern_hits,
            cache_hits: c.cache_hits,
            cache_misses: c.cache_misses,
            creations: c.creations,
            evictions: c.evictions,
            drops: c.drops,
        })
    }
}
