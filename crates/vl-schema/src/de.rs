//! Deserialization helpers shared by the wire types (crate-private).

use serde::de::{self, Deserialize, DeserializeOwned, Deserializer, Unexpected};
use serde_json::Value;

/// Separates an embedded JSON path from the message in errors raised inside buffered values.
const MARK: char = '\u{1f}';

/// Deserializes `T` from a string with its JSON path tracked.
pub(crate) fn typed_from_str<T: DeserializeOwned>(
    json: &str,
) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
    // Trailing characters were already rejected by the peek that chose `T`.
    let mut deserializer = serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(&mut deserializer)
}

/// Reads an object and its string `type`, for the tagged enums.
pub(crate) fn tagged_object<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<(String, Value), D::Error> {
    let value = Value::deserialize(deserializer)?;
    let Value::Object(map) = value else {
        return Err(de::Error::invalid_type(
            unexpected(&value),
            &"an object with a `type` field",
        ));
    };
    match map.get("type") {
        None => Err(de::Error::missing_field("type")),
        Some(Value::String(tag)) => {
            let tag = tag.clone();
            Ok((tag, Value::Object(map)))
        }
        Some(other) => {
            let inner: serde_json::Error = de::Error::invalid_type(unexpected(other), &"a string");
            Err(de::Error::custom(nest("type", &inner.to_string())))
        }
    }
}

/// The error for an unknown `type` of a tagged enum, pointing at its `type` field.
pub(crate) fn unknown_tag<E: de::Error>(tag: &str, expected: &'static [&'static str]) -> E {
    let inner: serde_json::Error = de::Error::unknown_variant(tag, expected);
    E::custom(nest("type", &inner.to_string()))
}

/// Deserializes `T` from a buffered value, embedding the path of any error in the message so
/// the outer `serde_path_to_error` path can be completed (see [`split_path`]).
pub(crate) fn from_value_tracked<T: DeserializeOwned, E: de::Error>(value: Value) -> Result<T, E> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        E::custom(nest(&path, &message))
    })
}

/// Joins two JSON paths in `serde_path_to_error` notation (`.` is the empty path).
pub(crate) fn join_path(outer: &str, inner: &str) -> String {
    match (outer, inner) {
        ("." | "", "." | "") => String::new(),
        ("." | "", inner) => inner.to_owned(),
        (outer, "." | "") => outer.to_owned(),
        (outer, inner) if inner.starts_with('[') => format!("{outer}{inner}"),
        (outer, inner) => format!("{outer}.{inner}"),
    }
}

/// Builds a message carrying `path`; nested markers are merged.
fn nest(path: &str, message: &str) -> String {
    let (inner_path, rest) = split_path(message);
    let full = join_path(path, inner_path.unwrap_or(""));
    format!("{MARK}{full}{MARK}{rest}")
}

/// Splits an embedded path from a message: `(Some(path), rest)` or `(None, message)`.
pub(crate) fn split_path(message: &str) -> (Option<&str>, &str) {
    if let Some(rest) = message.strip_prefix(MARK) {
        if let Some((path, rest)) = rest.split_once(MARK) {
            return (Some(path), rest);
        }
    }
    (None, message)
}

/// `Option<Option<T>>` patch fields: absent → `None` (via `#[serde(default)]`), `null` →
/// `Some(None)`, a value → `Some(Some(v))`.
pub(crate) fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// The serde `Unexpected` description of a JSON value.
pub(crate) fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Unexpected::Unsigned(u)
            } else if let Some(i) = n.as_i64() {
                Unexpected::Signed(i)
            } else {
                Unexpected::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}
