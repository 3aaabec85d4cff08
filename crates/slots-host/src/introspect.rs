//! `introspect`: a guest reads its own instance's handle counters.

use host_wasmer::{Ctx, HostError};

use crate::HostData;
use crate::generated::slots::host::introspect::{Counters, Host};

impl Host for HostData {
    fn snapshot(cx: &mut Ctx<'_, Self>) -> Result<Counters, HostError> {
        let c = cx.counters();
        Ok(Counters {
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
