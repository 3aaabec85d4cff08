//! [`AbiError`]: every way lifting or lowering a value can fail.

/// Why a value could not cross the canonical ABI.
///
/// Errors caused by the guest (a bad pointer, invalid UTF-8, a discriminant
/// out of range, a misbehaving `cabi_realloc`) and errors caused by the host
/// (a [`Val`](super::Val) that does not match its WIT type) are both reported
/// here; the caller turns either into a trap. No variant is ever produced by
/// a panic.
///
/// # Examples
///
/// ```
/// use host_wasmer::abi::AbiError;
///
/// let err = AbiError::InvalidChar { value: 0xD800 };
/// assert_eq!(err.to_string(), "0xd800 is not a valid char (a unicode scalar value)");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AbiError {
    /// A guest memory access reaches past the end of memory.
    #[error("pointer {ptr:#x} + length {len} is past the end of memory ({size} bytes)")]
    OutOfBounds {
        /// Start of the access.
        ptr: u32,
        /// Length of the access in bytes.
        len: u64,
        /// Size of the memory in bytes.
        size: u64,
    },
    /// The byte length of a list or string does not fit in 32 bits.
    #[error("{what} of {count} elements of {elem_size} bytes overflows the 32-bit address space")]
    LengthOverflow {
        /// What was being measured: `list`, `string`, ...
        what: &'static str,
        /// Number of elements.
        count: u64,
        /// Size of one element in bytes.
        elem_size: u32,
    },
    /// A list or string is longer than the canonical ABI allows
    /// (`MAX_LIST_BYTE_LENGTH`, `MAX_STRING_BYTE_LENGTH`: `2^28 - 1` bytes).
    #[error("{what} of {len} bytes is longer than the canonical abi limit of {max} bytes")]
    TooLong {
        /// `list` or `string`.
        what: &'static str,
        /// Byte length of the value.
        len: u64,
        /// The limit.
        max: u64,
    },
    /// A pointer is not aligned to the alignment of what it points to.
    #[error("{what} pointer {ptr:#x} is not aligned to {align} bytes")]
    Misaligned {
        /// Which pointer: `list`, `string`, `parameter area`, `return area`, ...
        what: &'static str,
        /// The pointer.
        ptr: u32,
        /// The required alignment.
        align: u32,
    },
    /// A string's bytes are not valid UTF-8.
    #[error(
        "string at {ptr:#x} ({len} bytes) is not valid utf-8: bad byte at offset {valid_up_to}"
    )]
    InvalidUtf8 {
        /// Start of the string.
        ptr: u32,
        /// Byte length of the string.
        len: u32,
        /// Offset of the first byte that is not part of valid UTF-8.
        valid_up_to: usize,
    },
    /// A `char` is a surrogate or above `0x10FFFF`.
    #[error("{value:#x} is not a valid char (a unicode scalar value)")]
    InvalidChar {
        /// The guest's value.
        value: u32,
    },
    /// A variant, enum, option or result discriminant names no case.
    #[error("discriminant {value} of `{ty}` is out of range ({cases} cases)")]
    BadDiscriminant {
        /// The WIT type.
        ty: String,
        /// The guest's discriminant.
        value: u32,
        /// How many cases the type has.
        cases: usize,
    },
    /// A value crosses through guest memory, but the guest exports no
    /// `memory` (its world needs none, and it sent a pointer anyway).
    #[error("the guest exports no `memory`, but {len} bytes at {ptr:#x} were to cross through it")]
    NoMemory {
        /// The pointer.
        ptr: u32,
        /// The length of the access.
        len: u64,
    },
    /// A value needs guest memory, but the guest exports no `cabi_realloc`.
    #[error(
        "the guest exports no `cabi_realloc`, but lowering this value must allocate {len} bytes"
    )]
    ReallocMissing {
        /// Size of the allocation that was needed.
        len: u32,
    },
    /// A value needs guest memory, but it is being lowered through a
    /// [`ViewMemory`](super::ViewMemory), which holds the store and so
    /// cannot run the guest's `cabi_realloc`.
    #[error(
        "lowering this value must allocate {len} bytes, but `cabi_realloc` cannot run while the memory is viewed"
    )]
    ReallocUnavailable {
        /// Size of the allocation that was needed.
        len: u32,
    },
    /// The guest's `cabi_realloc` trapped or failed.
    #[error("`cabi_realloc` failed allocating {len} bytes: {message}")]
    ReallocFailed {
        /// Size of the allocation asked for.
        len: u32,
        /// What the trap or the allocator said.
        message: String,
    },
    /// `cabi_realloc` returned null for a non-empty allocation.
    #[error("`cabi_realloc` returned null for an allocation of {len} bytes")]
    ReallocNull {
        /// Size of the allocation asked for.
        len: u32,
    },
    /// `cabi_realloc` returned a pointer that is not aligned as asked.
    #[error("`cabi_realloc` returned {ptr:#x}, which is not aligned to {align} bytes")]
    ReallocMisaligned {
        /// The returned pointer.
        ptr: u32,
        /// The alignment asked for.
        align: u32,
    },
    /// `cabi_realloc` returned a block that does not fit in memory.
    #[error(
        "`cabi_realloc` returned {ptr:#x} for {len} bytes, past the end of memory ({size} bytes)"
    )]
    ReallocOutOfBounds {
        /// The returned pointer.
        ptr: u32,
        /// Size of the allocation asked for.
        len: u32,
        /// Size of the memory in bytes.
        size: u64,
    },
    /// A host value does not have the shape of its WIT type.
    #[error("expected a value of type `{expected}`, found {found}")]
    ValueMismatch {
        /// The WIT type (or the part of it) that was expected.
        expected: String,
        /// What the value was.
        found: String,
    },
    /// A host value names a case its variant or enum type does not have.
    #[error("case {case} is out of range for `{ty}` ({cases} cases)")]
    UnknownCase {
        /// The WIT type.
        ty: String,
        /// The case index given.
        case: u32,
        /// How many cases the type has.
        cases: usize,
    },
    /// A host variant-like value has a payload for a case without a type,
    /// or none for a case with one.
    #[error("case {case} of `{ty}` {}", if *.expected { "needs a payload, but none was given" } else { "has no payload, but one was given" })]
    PayloadMismatch {
        /// The WIT type.
        ty: String,
        /// The case index given.
        case: u32,
        /// Whether the case has a payload type.
        expected: bool,
    },
    /// A host flags value names a flag its type does not have.
    #[error("flag {flag} is out of range for `{ty}` ({count} flags)")]
    UnknownFlag {
        /// The WIT type.
        ty: String,
        /// The flag index given.
        flag: u32,
        /// How many flags the type has.
        count: usize,
    },
    /// A host record or tuple value has the wrong number of fields.
    #[error("`{ty}` has {expected} fields, the value has {found}")]
    WrongFieldCount {
        /// The WIT type.
        ty: String,
        /// Fields of the type.
        expected: usize,
        /// Fields of the value.
        found: usize,
    },
    /// A name given to a by-name helper is not a case, field or flag of the type.
    #[error("`{ty}` has no {what} named `{name}`")]
    UnknownName {
        /// The WIT type.
        ty: String,
        /// `case`, `field` or `flag`.
        what: &'static str,
        /// The name given.
        name: String,
    },
    /// The type cannot cross this ABI (async, future, stream, error-context,
    /// map, fixed-length list, a bare resource, or a malformed `Resolve`).
    #[error("type `{ty}` is not supported by the sync canonical abi")]
    UnsupportedType {
        /// The WIT type.
        ty: String,
    },
    /// The function cannot be called through this ABI (an async function).
    #[error("function `{func}` is not supported by the sync canonical abi")]
    UnsupportedFunction {
        /// The function's name.
        func: String,
    },
    /// A type's size does not fit in 32 bits.
    #[error("type `{ty}` is larger than 4 GiB")]
    TypeTooLarge {
        /// The WIT type.
        ty: String,
    },
    /// A core function got the wrong number of core values.
    #[error("expected {expected} core values, found {found}")]
    WrongCoreCount {
        /// Core values the signature has.
        expected: usize,
        /// Core values given.
        found: usize,
    },
    /// A core value has the wrong core type.
    #[error("core value {index} is {found}, expected {expected}")]
    WrongCoreType {
        /// Position of the value among the core values.
        index: usize,
        /// The core type the signature has.
        expected: &'static str,
        /// The core type of the value.
        found: &'static str,
    },
    /// The host passed the wrong number of WIT parameters.
    #[error("function `{func}` takes {expected} parameters, {found} given")]
    WrongParamCount {
        /// The function's name.
        func: String,
        /// Parameters of the function.
        expected: usize,
        /// Values given.
        found: usize,
    },
    /// The host gave a result for a function without one, or none for a
    /// function with one.
    #[error("function `{func}` {}", if *.expected { "returns a value, but none was given" } else { "returns nothing, but a value was given" })]
    WrongResult {
        /// The function's name.
        func: String,
        /// Whether the function has a result.
        expected: bool,
    },
    /// Lifting a guest value would take more host memory than the limit
    /// ([`Abi::with_lift_limit`](super::Abi::with_lift_limit)).
    #[error("lifting this value needs more than the limit of {limit} bytes of host memory")]
    LiftLimitExceeded {
        /// The limit in bytes.
        limit: u64,
    },
    /// An encoded value did not fit the buffer computed for its type. This
    /// is a bug in the layout code, reported instead of a panic.
    #[error(
        "internal layout error: {len} bytes at offset {offset} exceed a {available}-byte buffer"
    )]
    Layout {
        /// Offset of the access in the buffer.
        offset: usize,
        /// Length of the access.
        len: usize,
        /// Length of the buffer.
        available: usize,
    },
}
