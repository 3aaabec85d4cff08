//! [`Error`]: why the host refused a guest's request.

use std::fmt;

/// Why a host operation refused a guest's request: the WIT `error` variant of
/// `slots:host/types`.
///
/// These are errors a correct guest can meet and recover from: a malformed
/// argument, a limit of the host, a missing key. A forged, stale or wrong-type
/// handle is not one of them; the host traps on those instead, since no correct
/// guest produces them.
///
/// The bindings lift the WIT variant straight into this type (it is mapped with
/// wit-bindgen's `with` option), so its cases must stay exactly those of the
/// WIT variant, in the same order, each with one `String` payload.
///
/// # Examples
///
/// ```
/// use slots_guest_sdk::Error;
///
/// let error = Error::NotFound("key `a`".to_string());
/// assert_eq!(error.to_string(), "not found: key `a`");
/// assert_eq!(error.message(), "key `a`");
/// assert!(matches!(error, Error::NotFound(_)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// The argument was malformed; the payload says how.
    Invalid(String),
    /// A limit of the host was reached; the payload names it.
    QuotaExceeded(String),
    /// The named thing does not exist.
    NotFound(String),
}

impl Error {
    /// The host's explanation, without the kind of error in front of it.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = slots_guest_sdk::Error::Invalid("unclosed group".to_string());
    /// assert_eq!(error.message(), "unclosed group");
    /// ```
    pub fn message(&self) -> &str {
        match self {
            Error::Invalid(message) | Error::QuotaExceeded(message) | Error::NotFound(message) => {
                message
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid(message) => write!(f, "invalid argument: {message}"),
            Error::QuotaExceeded(message) => write!(f, "quota exceeded: {message}"),
            Error::NotFound(message) => write!(f, "not found: {message}"),
        }
    }
}

impl std::error::Error for Error {}

/// Lets `?` turn a host refusal into the `Err(String)` a guest's `run`
/// returns, shown through [`Display`](fmt::Display).
///
/// # Examples
///
/// ```
/// fn run_step() -> Result<(), String> {
///     Err(slots_guest_sdk::Error::Invalid("unclosed group".to_string()))?
/// }
///
/// assert_eq!(run_step(), Err("invalid argument: unclosed group".to_string()));
/// ```
impl From<Error> for String {
    fn from(error: Error) -> Self {
        error.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::Error;

    #[test]
    fn display_names_the_kind_and_the_message() {
        let cases = [
            (Error::Invalid("bad".into()), "invalid argument: bad"),
            (
                Error::QuotaExceeded("live handles".into()),
                "quota exceeded: live handles",
            ),
            (Error::NotFound("key `k`".into()), "not found: key `k`"),
        ];
        for (error, shown) in cases {
            assert_eq!(error.to_string(), shown);
        }
    }

    #[test]
    fn error_is_a_std_error() {
        fn takes_error(_: &dyn std::error::Error) {}
        takes_error(&Error::NotFound(String::new()));
    }
}
