//! `patterns` on wasmtime: keyed opens interned by slots-core and cached
//! host-wide, exactly as `Ctx::open` does on host-wasmer.

use slots_core::{Lookup, OpenError, Shared};
use slots_host::Pattern;
use slots_host::patterns::cache_key;
use wasmtime::component::Resource;

use super::slots::host::patterns::{Host, HostPattern, MatchOptions, Span};
use super::{TenantState, WitError, bad, raw, wit_error};

impl Host for TenantState {}

fn span(span: slots_host::Span) -> Span {
    Span {
        start: span.start,
        end: span.end,
    }
}

impl HostPattern for TenantState {
    fn open(
        &mut self,
        source: String,
        options: MatchOptions,
    ) -> wasmtime::Result<Result<Resource<Pattern>, WitError>> {
        let options = slots_host::MatchOptions {
            case_insensitive: options.contains(MatchOptions::CASE_INSENSITIVE),
            multi_line: options.contains(MatchOptions::MULTI_LINE),
        };
        let key = cache_key(&source, options);
        let census = self.data.census.clone();
        let (shared, namespace) = (self.shared.clone(), self.namespace.clone());
        let mut lookup = None;
        let opened = self.table.open(key, |key| {
            let (object, how) = shared.cache.get_or_create(&(namespace, key.clone()), || {
                Pattern::compile(&source, options)
                    .map(|pattern| Shared::new(pattern.counted(&census)))
            })?;
            lookup = Some(how);
            Ok(object)
        });
        match opened {
            Ok(opened) => {
                match (opened.interned, lookup) {
                    (true, _) => {}
                    (false, Some(Lookup::Hit)) => self.cache_hits += 1,
                    (false, _) => {
                        self.cache_misses += 1;
                        self.creations += 1;
                    }
                }
                Ok(Ok(Resource::new_own(opened.handle.raw().to_bits())))
            }
            Err(OpenError::Create(error)) => Ok(Err(wit_error(error))),
            Err(OpenError::Insert(error)) => Ok(Err(WitError::QuotaExceeded(error.to_string()))),
            Err(other) => Err(wasmtime::format_err!("opening a pattern: {other}")),
        }
    }

    fn source(&mut self, this: Resource<Pattern>) -> wasmtime::Result<String> {
        Ok(self.object::<Pattern>(this.rep())?.source().to_string())
    }

    fn is_match(&mut self, this: Resource<Pattern>, text: String) -> wasmtime::Result<bool> {
        Ok(self.object::<Pattern>(this.rep())?.is_match(&text))
    }

    fn find(&mut self, this: Resource<Pattern>, text: String) -> wasmtime::Result<Option<Span>> {
        Ok(self.object::<Pattern>(this.rep())?.find(&text).map(span))
    }

    fn find_all(&mut self, this: Resource<Pattern>, text: String) -> wasmtime::Result<Vec<Span>> {
        let pattern = self.object::<Pattern>(this.rep())?;
        Ok(pattern.find_all(&text).into_iter().map(span).collect())
    }

    fn drop(&mut self, rep: Resource<Pattern>) -> wasmtime::Result<()> {
        self.table
            .release::<Pattern>(raw(rep.rep())?)
            .map_err(|e| bad::<Pattern>(&e))?;
        Ok(())
    }
}
