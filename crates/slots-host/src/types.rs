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

host_wasmer::wit_record! {
    /// A grant token as it crosses the boundary (WIT `token`): 128 bits in
    /// two halves.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Token {
        /// The high 64 bits.
        pub high: u64,
        /// The low 64 bits.
        pub low: u64,
    }
}

impl From<slots_core::Token> for Token {
    fn from(token: slots_core::Token) -> Self {
        Self {
            high: token.high(),
            low: token.low(),
        }
    }
}

impl From<Token> for slots_core::Token {
    fn from(token: Token) -> Self {
        slots_core::Token::from_halves(token.high, token.low)
    }
}

host_wasmer::wit_variant! {
    /// Why a token was not redeemed (WIT `redeem-error`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum RedeemError {
        /// Never issued, redeemed already, or expired and forgotten.
        Unknown,
        /// The token expired before it was redeemed.
        Expired,
        /// The token is for another resource type, named here.
        WrongType(String),
        /// The host revoked the object after the token was issued.
        Revoked,
        /// The redeemer may hold no more handles.
        QuotaExceeded(String),
    }
}

impl From<slots_core::RedeemError> for RedeemError {
    fn from(error: slots_core::RedeemError) -> Self {
        use slots_core::RedeemError as Core;
        match error {
            Core::Unknown => Self::Unknown,
            Core::Expired => Self::Expired,
            Core::WrongType { found, .. } => Self::WrongType(found.to_string()),
            Core::Revoked => Self::Revoked,
            Core::Insert(error) => Self::QuotaExceeded(error.to_string()),
            // Future refusals are refusals all the same.
            other => Self::QuotaExceeded(other.to_string()),
        }
    }
}

host_wasmer::wit_record! {
    /// A message between tenants (WIT `message`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Message {
        /// The namespace of the sender.
        pub sender: String,
        /// What the message is about.
        pub subject: String,
        /// A token passed on, if any.
        pub token: Option<Token>,
    }
}
