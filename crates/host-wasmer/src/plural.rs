//! Counting nouns in messages: "1 problem", "2 problems".

/// `n` and `noun`, in the plural unless `n` is 1: "1 parameter", "2 parameters".
pub(crate) fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}
