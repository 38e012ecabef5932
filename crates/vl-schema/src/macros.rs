//! Declarative macros that keep the many small wire types uniform.
//!
//! - [`event_struct!`]: an event payload struct with `event_id` first; `name?: T` declares an
//!   optional field (`Option<T>`, omitted when unset), `name: T` a required one.
//! - [`wire_struct!`]: the same without `event_id`, for nested objects.
//! - [`tagged_enum!`]: an enum tagged by `type` whose `Deserialize` keeps the JSON path of nested
//!   errors (serde's derived internally tagged enums lose it).
//! - [`open_enum!`]: a string enum that keeps unknown values in `Other(String)`.
//! - [`events!`]: the `ClientEvent` / `ServerEvent` enums with their dispatch tables.

/// Defines a struct of wire fields; see the module docs for the field syntax.
macro_rules! wire_struct {
    (
        $(#[$meta:meta])*
        $name:ident { $($body:tt)* }
    ) => {
        wire_struct!(@munch [$(#[$meta])*] $name [] [] $($body)*);
    };
    (@munch $meta:tt $name:ident [$($head:tt)*] [$($out:tt)*]
        $(#[$fmeta:meta])* $field:ident ?: $ty:ty, $($rest:tt)*) => {
        wire_struct!(@munch $meta $name [$($head)*] [$($out)*
            #[doc = concat!("Wire field `", stringify!($field), "` (optional).")]
            $(#[$fmeta])*
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub $field: Option<$ty>,
        ] $($rest)*);
    };
    (@munch $meta:tt $name:ident [$($head:tt)*] [$($out:tt)*]
        $(#[$fmeta:meta])* $field:ident : $ty:ty, $($rest:tt)*) => {
        wire_struct!(@munch $meta $name [$($head)*] [$($out)*
            #[doc = concat!("Wire field `", stringify!($field), "`.")]
            $(#[$fmeta])*
            pub $field: $ty,
        ] $($rest)*);
    };
    (@munch [$($meta:tt)*] $name:ident [$($head:tt)*] [$($out:tt)*]) => {
        // `remote = "Self"` makes the derives inherent functions; the trait impls below call
        // them. serde's derived `Deserialize` for a struct also accepts a JSON array of its
        // fields in order (`"response": [false]`), but the wire only has objects: the trait impl
        // asks for a map, so anything else is an "invalid type" error.
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(remote = "Self")]
        $($meta)*
        pub struct $name {
            $($head)*
            $($out)*
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $name::serialize(self, serializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct ObjectOnly;

                impl<'de> serde::de::Visitor<'de> for ObjectOnly {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a JSON object")
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        map: A,
                    ) -> Result<$name, A::Error> {
                        $name::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    }
                }

                deserializer.deserialize_map(ObjectOnly)
            }
        }
    };
}

/// Defines an event payload struct: `event_id` plus the listed fields.
macro_rules! event_struct {
    (
        $(#[$meta:meta])*
        $name:ident { $($body:tt)* }
    ) => {
        wire_struct!(@munch [$(#[$meta])*] $name [
            /// Optional client- or server-assigned id of this event.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub event_id: Option<String>,
        ] [] $($body)*);
    };
}

/// Defines an enum tagged by `type` with newtype variants.
///
/// `Serialize` is derived (internally tagged); `Deserialize` buffers the object as a
/// `serde_json::Value`, dispatches on `type` (aliases after `|`) and keeps the JSON path of any
/// error inside the variant.
macro_rules! tagged_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident($payload:ty) = $tag:literal $(| $alias:literal)* ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        #[serde(tag = "type")]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $tag)] $variant($payload), )*
        }

        impl $name {
            /// The wire values of `type` this enum knows (aliases excluded).
            pub const TYPES: &'static [&'static str] = &[$($tag),*];

            /// The wire `type` of this value.
            pub fn type_name(&self) -> &'static str {
                match self {
                    $( Self::$variant(_) => $tag, )*
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let (tag, value) = $crate::de::tagged_object::<D>(deserializer)?;
                match tag.as_str() {
                    $( $tag $(| $alias)* => $crate::de::from_value_tracked(value).map(Self::$variant), )*
                    other => Err($crate::de::unknown_tag::<D::Error>(other, Self::TYPES)),
                }
            }
        }
    };
}

/// Defines an open string enum: known values as unit variants, anything else as `Other(String)`.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal $(| $alias:literal)* ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// Any other value, kept verbatim.
            Other(String),
        }

        impl $name {
            /// The known wire values (aliases excluded).
            pub const KNOWN: &'static [&'static str] = &[$($wire),*];

            /// The wire spelling of this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Other(other) => other.as_str(),
                }
            }

            /// True unless this is `Other`.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }

            fn from_known(value: &str) -> Option<Self> {
                match value {
                    $( $wire $(| $alias)* => Some(Self::$variant), )*
                    _ => None,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::from_known(value).unwrap_or_else(|| Self::Other(value.to_owned()))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::from_known(&value).unwrap_or(Self::Other(value))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::from(v))
                    }
                    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<$name, E> {
                        Ok($name::from(v))
                    }
                }
                deserializer.deserialize_str(V)
            }
        }
    };
}

/// Defines `ClientEvent` or `ServerEvent`: the enum, `From` impls, `type_name`, `event_id`, the
/// list of wire types and the typed decode dispatch.
macro_rules! events {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $variant:ident($payload:ty) = $wire:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(tag = "type")]
        #[non_exhaustive]
        #[allow(
            clippy::large_enum_variant,
            reason = "session events are large but rare; boxing would burden every constructor"
        )]
        pub enum $name {
            $(
                #[doc = concat!("The `", $wire, "` event.")]
                #[serde(rename = $wire)]
                $variant($payload),
            )*
        }

        impl $name {
            /// Every wire `type` of this direction, in declaration order.
            pub const TYPES: &'static [&'static str] = &[$($wire),*];

            /// The wire `type` of this event.
            pub fn type_name(&self) -> &'static str {
                match self {
                    $( Self::$variant(_) => $wire, )*
                }
            }

            /// The `event_id` of this event, if set.
            pub fn event_id(&self) -> Option<&str> {
                match self {
                    $( Self::$variant(event) => event.event_id.as_deref(), )*
                }
            }

            /// Sets or clears the `event_id` of this event.
            pub fn set_event_id(&mut self, event_id: Option<String>) {
                match self {
                    $( Self::$variant(event) => event.event_id = event_id, )*
                }
            }

            /// Deserializes the payload of `type_name` from `json`; `None` if the type is unknown.
            pub(crate) fn decode_typed(
                type_name: &str,
                json: &str,
            ) -> Option<Result<Self, serde_path_to_error::Error<serde_json::Error>>> {
                match type_name {
                    $( $wire => Some($crate::de::typed_from_str::<$payload>(json).map(Self::$variant)), )*
                    _ => None,
                }
            }
        }

        $(
            impl From<$payload> for $name {
                fn from(event: $payload) -> Self {
                    Self::$variant(event)
                }
            }
        )*
    };
}
