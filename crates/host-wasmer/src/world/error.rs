//! [`WorldError`]: why a WIT world could not be loaded or served.

/// A WIT world could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorldError {
    /// The WIT files could not be read or parsed.
    #[error("cannot load WIT from `{path}`: {message}")]
    Parse {
        /// Where the WIT was looked for.
        path: String,
        /// wit-parser's explanation.
        message: String,
    },
    /// The package has no world of that name.
    #[error("no world `{world}` in the WIT package: {message}")]
    NoWorld {
        /// The world asked for.
        world: String,
        /// wit-parser's explanation.
        message: String,
    },
    /// The world imports no interface of that name.
    #[error("the world imports no interface `{name}`")]
    NoInterface {
        /// The interface asked for.
        name: String,
    },
    /// Several imported interfaces answer to the name: give the version
    /// (`name@1.0.0`) or the full name.
    #[error("`{name}` is ambiguous: the world imports {}", .candidates.join(", "))]
    Ambiguous {
        /// The name asked for.
        name: String,
        /// Every interface it could mean.
        candidates: Vec<String>,
    },
    /// The world uses something this host cannot serve.
    #[error("`{item}` is not supported: {reason}")]
    Unsupported {
        /// The WIT item.
        item: String,
        /// Why.
        reason: &'static str,
    },
}
