//! Check macros for guests: a failed check returns `Err(message)` with the
//! file and line, so `run` reports the first failure instead of trapping.
//!
//! A panic in a guest is a trap, and the host sees only "unreachable". These
//! macros return from the enclosing function instead, with an error that says
//! where and what; the function must return `Result<_, E>` where `E:
//! From<String>` (`String` itself, typically).

/// Returns `Err` from the enclosing function unless `cond` holds.
///
/// The message is `"file:line: check failed: cond"`, or `"file:line: "`
/// followed by the given format string and arguments.
///
/// # Examples
///
/// ```
/// use slots_guest_sdk::ensure;
///
/// fn check(len: u32) -> Result<(), String> {
///     ensure!(len > 0);
///     ensure!(len < 10, "too long: {len}");
///     Ok(())
/// }
///
/// assert!(check(3).is_ok());
/// assert!(check(0).unwrap_err().ends_with("check failed: len > 0"));
/// assert!(check(12).unwrap_err().ends_with(": too long: 12"));
/// ```
#[macro_export]
macro_rules! ensure {
    ($cond:expr $(,)?) => {
        if !$cond {
            return ::core::result::Result::Err(::core::convert::From::from(::std::format!(
                "{}:{}: check failed: {}",
                ::core::file!(),
                ::core::line!(),
                ::core::stringify!($cond),
            )));
        }
    };
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return ::core::result::Result::Err(::core::convert::From::from(::std::format!(
                "{}:{}: {}",
                ::core::file!(),
                ::core::line!(),
                ::core::format_args!($($arg)+),
            )));
        }
    };
}

/// Returns `Err` from the enclosing function unless `left == right`.
///
/// Both sides are evaluated once and must be `PartialEq + Debug`; the message
/// shows the expressions and both values, then the optional format string.
///
/// # Examples
///
/// ```
/// use slots_guest_sdk::ensure_eq;
///
/// fn check(entries: &[&str]) -> Result<(), String> {
///     ensure_eq!(entries.len(), 2, "entries: {entries:?}");
///     ensure_eq!(entries[0], "a");
///     Ok(())
/// }
///
/// assert!(check(&["a", "b"]).is_ok());
/// let message = check(&["b", "a"]).unwrap_err();
/// assert!(message.contains("`entries[0] == \"a\"`"), "{message}");
/// assert!(message.contains("left: \"b\""), "{message}");
/// ```
#[macro_export]
macro_rules! ensure_eq {
    ($left:expr, $right:expr $(,)?) => {
        $crate::__ensure_compare!(==, $left, $right, ::core::option::Option::None)
    };
    ($left:expr, $right:expr, $($arg:tt)+) => {
        $crate::__ensure_compare!(
            ==, $left, $right, ::core::option::Option::Some(::core::format_args!($($arg)+))
        )
    };
}

/// Returns `Err` from the enclosing function unless `left != right`.
///
/// The counterpart of [`ensure_eq!`], with the same message shape.
///
/// # Examples
///
/// ```
/// use slots_guest_sdk::ensure_ne;
///
/// fn check(old: u32, new: u32) -> Result<(), String> {
///     ensure_ne!(old, new, "the handle was reused as is");
///     Ok(())
/// }
///
/// assert!(check(1, 2).is_ok());
/// assert!(check(7, 7).unwrap_err().contains("the handle was reused as is"));
/// ```
#[macro_export]
macro_rules! ensure_ne {
    ($left:expr, $right:expr $(,)?) => {
        $crate::ensure_ne!($left, $right, "both sides are equal")
    };
    ($left:expr, $right:expr, $($arg:tt)+) => {
        $crate::__ensure_compare!(
            !=, $left, $right, ::core::option::Option::Some(::core::format_args!($($arg)+))
        )
    };
}

/// What [`ensure_eq!`] and [`ensure_ne!`] expand to: both sides evaluated
/// once, compared with `$op`, and on failure an `Err` that names the
/// comparison, the optional message and both values.
#[doc(hidden)]
#[macro_export]
macro_rules! __ensure_compare {
    ($op:tt, $left:expr, $right:expr, $message:expr) => {
        match (&$left, &$right) {
            (left, right) => {
                if !(*left $op *right) {
                    return ::core::result::Result::Err(::core::convert::From::from(
                        $crate::__comparison_failed(
                            ::core::file!(),
                            ::core::line!(),
                            ::core::concat!(
                                ::core::stringify!($left),
                                " ",
                                ::core::stringify!($op),
                                " ",
                                ::core::stringify!($right)
                            ),
                            $message,
                            left,
                            right,
                        ),
                    ));
                }
            }
        }
    };
}

/// The message of a failed [`ensure_eq!`] or [`ensure_ne!`].
#[doc(hidden)]
pub fn comparison_failed(
    file: &str,
    line: u32,
    comparison: &str,
    message: Option<core::fmt::Arguments<'_>>,
    left: &dyn core::fmt::Debug,
    right: &dyn core::fmt::Debug,
) -> String {
    let message = message.map(|m| format!(": {m}")).unwrap_or_default();
    format!(
        "{file}:{line}: check failed: `{comparison}`{message}\n  left: {left:?}\n right: {right:?}"
    )
}

/// Returns `Err` from the enclosing function unless `value` matches the
/// pattern (with an optional `if` guard).
///
/// The value must be `Debug`; the message shows it and the pattern.
///
/// # Examples
///
/// ```
/// use slots_guest_sdk::{ensure_matches, Error};
///
/// fn check(result: Result<Vec<u8>, Error>) -> Result<(), String> {
///     ensure_matches!(result, Err(Error::NotFound(_)));
///     Ok(())
/// }
///
/// assert!(check(Err(Error::NotFound("key `k`".into()))).is_ok());
/// let message = check(Ok(vec![1])).unwrap_err();
/// assert!(message.contains("does not match `Err(Error::NotFound(_))`"), "{message}");
/// ```
#[macro_export]
macro_rules! ensure_matches {
    ($value:expr, $pattern:pat $(if $guard:expr)? $(,)?) => {
        match $value {
            $pattern $(if $guard)? => {}
            ref value => {
                return ::core::result::Result::Err(::core::convert::From::from(::std::format!(
                    "{}:{}: check failed: `{}` does not match `{}`\n value: {:?}",
                    ::core::file!(),
                    ::core::line!(),
                    ::core::stringify!($value),
                    ::core::stringify!($pattern $(if $guard)?),
                    value,
                )));
            }
        }
    };
}

#[cfg(test)]
mod tests {
    fn first_failure(values: &[u32]) -> Result<(), String> {
        crate::ensure!(!values.is_empty());
        crate::ensure_eq!(values[0], 1, "first of {values:?}");
        crate::ensure_ne!(values[0], values[values.len() - 1]);
        crate::ensure_matches!(values.get(1), Some(n) if *n > 1);
        Ok(())
    }

    #[test]
    fn passing_checks_return_ok() {
        assert_eq!(first_failure(&[1, 2, 3]), Ok(()));
    }

    #[test]
    fn first_failed_check_names_file_line_and_values() {
        let Err(message) = first_failure(&[2, 3]) else {
            unreachable!("the first check must fail")
        };
        assert!(message.starts_with(file!()), "{message}");
        assert!(
            message.contains("`values[0] == 1`: first of [2, 3]"),
            "{message}"
        );
        assert!(message.contains("left: 2"), "{message}");
    }

    #[test]
    fn each_macro_stops_at_its_own_check() {
        assert!(first_failure(&[]).is_err_and(|m| m.contains("check failed: !values.is_empty()")));
        assert!(
            first_failure(&[1])
                .is_err_and(|m| m.contains("`values[0] != values[values.len() - 1]`"))
        );
        assert!(
            first_failure(&[1, 1, 2])
                .is_err_and(|m| m.contains("does not match `Some(n) if *n > 1`"))
        );
    }
}
