//! `buckets` on wasmtime: slots-host's buckets in the slots-core table.

use slots_host::{Bucket, Pattern};
use wasmtime::component::Resource;

use super::slots::host::buckets::{Entry, Host, HostBucket};
use super::{TenantState, WitError, bad, raw, wit_error};

fn entries(entries: Vec<slots_host::Entry>) -> Vec<Entry> {
    entries
        .into_iter()
        .map(|e| Entry {
            key: e.key,
            value: e.value,
        })
        .collect()
}

impl TenantState {
    /// Takes the bucket the guest gave up (`own<bucket>`) out of the table.
    fn take_bucket(
        &mut self,
        rep: u32,
    ) -> wasmtime::Result<std::sync::Arc<slots_core::Shared<Bucket>>> {
        self.table
            .take_shared::<Bucket>(raw(rep)?)
            .map_err(|e| bad::<Bucket>(&e))
    }
}

impl Host for TenantState {
    fn drain(&mut self, b: Resource<Bucket>) -> wasmtime::Result<Vec<Entry>> {
        Ok(entries(self.take_bucket(b.rep())?.take_entries()))
    }
}

impl HostBucket for TenantState {
    fn new(&mut self, name: String) -> wasmtime::Result<Resource<Bucket>> {
        let bucket = Bucket::new(name, &self.data).map_err(|e| wasmtime::format_err!("{e}"))?;
        let handle = self
            .table
            .insert(bucket)
            .map_err(|e| wasmtime::format_err!("cannot give out a `bucket` handle: {e}"))?;
        self.creations += 1;
        Ok(Resource::new_own(handle.raw().to_bits()))
    }

    fn name(&mut self, this: Resource<Bucket>) -> wasmtime::Result<String> {
        Ok(self.object::<Bucket>(this.rep())?.name().to_string())
    }

    fn put(
        &mut self,
        this: Resource<Bucket>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, WitError>> {
        Ok(self
            .object::<Bucket>(this.rep())?
            .put(key, value)
            .map_err(wit_error))
    }

    fn get(&mut self, this: Resource<Bucket>, key: String) -> wasmtime::Result<Option<Vec<u8>>> {
        Ok(self.object::<Bucket>(this.rep())?.get(&key))
    }

    fn remove(
        &mut self,
        this: Resource<Bucket>,
        key: String,
    ) -> wasmtime::Result<Result<Vec<u8>, WitError>> {
        Ok(self
            .object::<Bucket>(this.rep())?
            .remove(&key)
            .map_err(wit_error))
    }

    fn len(&mut self, this: Resource<Bucket>) -> wasmtime::Result<u32> {
        let len = self.object::<Bucket>(this.rep())?.len();
        Ok(u32::try_from(len).unwrap_or(u32::MAX))
    }

    fn entries(&mut self, this: Resource<Bucket>) -> wasmtime::Result<Vec<Entry>> {
        Ok(entries(self.object::<Bucket>(this.rep())?.entries()))
    }

    fn keys_matching(
        &mut self,
        this: Resource<Bucket>,
        filter: Resource<Pattern>,
    ) -> wasmtime::Result<Vec<String>> {
        let pattern = self.object::<Pattern>(filter.rep())?;
        Ok(self.object::<Bucket>(this.rep())?.keys_matching(pattern))
    }

    fn absorb(&mut self, this: Resource<Bucket>, other: Resource<Bucket>) -> wasmtime::Result<u32> {
        let other = self.take_bucket(other.rep())?;
        self.object::<Bucket>(this.rep())?
            .absorb(&other)
            .map_err(|e| wasmtime::format_err!("absorb: {e:?}"))
    }

    fn drop(&mut self, rep: Resource<Bucket>) -> wasmtime::Result<()> {
        self.table
            .release::<Bucket>(raw(rep.rep())?)
            .map_err(|e| bad::<Bucket>(&e))?;
        Ok(())
    }
}
