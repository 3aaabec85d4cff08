//! [`Signatures`]: the core signature of every function of an
//! [`Abi`](super::Abi)'s `Resolve`, computed once, so that the calling
//! conventions need not rebuild one on every call.

use std::hash::{Hash, Hasher};

use wit_parser::abi::{AbiVariant, WasmSignature};
use wit_parser::{Function, FunctionKind, Resolve, Type, WorldItem};

/// The sync core signatures of the functions of one `Resolve`, keyed by
/// everything wit-parser's `wasm_signature` reads: the ABI variant, whether
/// the function is a method (an exported method's first parameter is a
/// pointer), the parameter types and the result type.
///
/// Keys are compared by content, not by name, so a clone of a function
/// finds its signature, and two functions of the same name in different
/// interfaces never share one. Lookups hash the key in place and allocate
/// nothing.
///
/// Invariant: `entries` is sorted by `hash`, and holds only signatures
/// that [`Abi::signature`](super::Abi::signature) returned `Ok` for.
#[derive(Default)]
pub(crate) struct Signatures {
    entries: Vec<Entry>,
}

struct Entry {
    hash: u64,
    variant: AbiVariant,
    method: bool,
    params: Box<[Type]>,
    result: Option<Type>,
    signature: WasmSignature,
}

impl Signatures {
    /// The signatures of every function of `resolve`'s interfaces and
    /// worlds, for both sync variants, as `signature` computes them;
    /// functions it rejects are left out.
    pub(crate) fn compute<E>(
        resolve: &Resolve,
        mut signature: impl FnMut(AbiVariant, &Function) -> Result<WasmSignature, E>,
    ) -> Self {
        let in_interfaces = resolve
            .interfaces
            .iter()
            .flat_map(|(_, iface)| iface.functions.values());
        let in_worlds = resolve.worlds.iter().flat_map(|(_, world)| {
            world
                .imports
                .values()
                .chain(world.exports.values())
                .filter_map(|item| match item {
                    WorldItem::Function(func) => Some(func),
                    _ => None,
                })
        });
        let mut entries = Vec::new();
        for func in in_interfaces.chain(in_worlds) {
            for variant in [AbiVariant::GuestImport, AbiVariant::GuestExport] {
                if func.kind.is_async() {
                    continue;
                }
                let Ok(sig) = signature(variant, func) else {
                    continue;
                };
                let method = is_method(&func.kind);
                let params = func.params.iter().map(|p| &p.ty);
                entries.push(Entry {
                    hash: key_hash(variant, method, params.clone(), func.result.as_ref()),
                    variant,
                    method,
                    params: params.copied().collect(),
                    result: func.result,
                    signature: sig,
                });
            }
        }
        entries.sort_by_key(|e| e.hash);
        // The same function reached twice (or two with one shape) needs
        // one entry; keys of equal hash are adjacent after the sort.
        entries.dedup_by(|a, b| a.hash == b.hash && a.same_key(b));
        Self { entries }
    }

    /// The signature of `func` for `variant`, if it was computed.
    pub(crate) fn get(&self, variant: AbiVariant, func: &Function) -> Option<&WasmSignature> {
        if func.kind.is_async() {
            return None;
        }
        let method = is_method(&func.kind);
        let params = func.params.iter().map(|p| &p.ty);
        let hash = key_hash(variant, method, params.clone(), func.result.as_ref());
        let start = self.entries.partition_point(|e| e.hash < hash);
        self.entries
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|e| e.hash == hash)
            .find(|e| {
                e.variant == variant
                    && e.method == method
                    && e.result == func.result
                    && e.params.iter().eq(params.clone())
            })
            .map(|e| &e.signature)
    }
}

impl Entry {
    fn same_key(&self, other: &Entry) -> bool {
        self.variant == other.variant
            && self.method == other.method
            && self.result == other.result
            && self.params == other.params
    }
}

fn is_method(kind: &FunctionKind) -> bool {
    matches!(kind, FunctionKind::Method(_) | FunctionKind::AsyncMethod(_))
}

fn key_hash<'t>(
    variant: AbiVariant,
    method: bool,
    params: impl Iterator<Item = &'t Type>,
    result: Option<&Type>,
) -> u64 {
    let mut hasher = FxHasher::default();
    variant.hash(&mut hasher);
    method.hash(&mut hasher);
    for ty in params {
        ty.hash(&mut hasher);
    }
    result.hash(&mut hasher);
    hasher.finish()
}

/// The multiply-rotate hash of rustc's `FxHasher`: fast on the few words
/// a key has, and good enough for keys the host's WIT chooses.
#[derive(Default)]
struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            if let Ok(word) = <[u8; 8]>::try_from(chunk) {
                self.add(u64::from_le_bytes(word));
            }
        }
        let mut word = [0; 8];
        let rest = chunks.remainder();
        if let Some(prefix) = word.get_mut(..rest.len()) {
            prefix.copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn write_isize(&mut self, i: isize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}
