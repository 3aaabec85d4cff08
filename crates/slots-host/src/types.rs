//! The WIT records, flags and variants of `slots:host`, as Rust types.

host_wasmer::wit_variant! {
    /// Why a host operation refused a guest's request (WIT `error`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Error {
        /// The argument was malformed; the payload says how.
        Invalid(String),
        /// A limit of the host was reached; the payload names it.
        QuotaExceeded(String),
        /// The named thing does not exist.
        NotFound(String),
    }
}

host_wasmer::wit_flags! {
    /// How a pattern matches (WIT `match-options`).
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
    pub struct MatchOptions {
        /// Letters match regardless of case.
        pub case_insensitive: bool,
        /// `^` and `$` match at line boundaries.
        pub multi_line: bool,
    }
}

host_wasmer::wit_record! {
    /// A half-open byte range of a match (WIT `span`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Span {
        /// Offset of the first byte.
        pub start: u32,
        /// Offset one past the last byte.
        pub end: u32,
    }
}

host_wasmer::wit_record! {
    /// A key and its value (WIT `entry`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Entry {
        /// The key.
        pub key: String,
        /// The value.
        pub value: Vec<u8>,
    }
}
