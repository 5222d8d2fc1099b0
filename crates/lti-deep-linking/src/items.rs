//! Content items, typed [DL §3]: one struct per item type, and [`ContentItem`] over them with unknown types kept
//! as raw JSON.

use serde::de::{self, DeserializeOwned, Deserializer};
use serde::ser::{self, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::uri::item_type;

mod file;
mod html;
mod image;
mod link;
mod parts;
mod resource_link;

pub use file::File;
pub use html::Html;
pub use image::Image;
pub use link::Link;
pub use parts::{Embed, Icon, Iframe, LineItem, TimeWindow, Window};
pub use resource_link::LtiResourceLink;

/// One content item of a deep linking response [DL §3], chosen by its `type` member.
///
/// Reading: a known `type` with a member of the wrong JSON type is an error naming the item type; an unknown
/// `type` (new 1EdTech types, vendor URL types [DL §3.7]) is kept whole in [`Other`](Self::Other); an item
/// without a string `type` is an error. Writing: the struct's members plus `type`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // ok: at most 100 items, read once; boxing would make matching clumsy
pub enum ContentItem {
    /// `file` [DL §3.3].
    File(File),
    /// `html` [DL §3.4].
    Html(Html),
    /// `image` [DL §3.5].
    Image(Image),
    /// `link` [DL §3.1].
    Link(Link),
    /// `ltiResourceLink` [DL §3.2].
    LtiResourceLink(LtiResourceLink),
    /// Any other type, as sent (a JSON object with a string `type`).
    Other(Value),
}

impl ContentItem {
    /// The `type` value.
    pub fn item_type(&self) -> &str {
        match self {
            Self::File(_) => item_type::FILE,
            Self::Html(_) => item_type::HTML,
            Self::Image(_) => item_type::IMAGE,
            Self::Link(_) => item_type::LINK,
            Self::LtiResourceLink(_) => item_type::LTI_RESOURCE_LINK,
            Self::Other(value) => value.get("type").and_then(Value::as_str).unwrap_or(""),
        }
    }

    /// The item's `title`, when it has one.
    pub fn title(&self) -> Option<&str> {
        match self {
            Self::File(i) => i.title.as_deref(),
            Self::Html(i) => i.title.as_deref(),
            Self::Image(i) => i.title.as_deref(),
            Self::Link(i) => i.title.as_deref(),
            Self::LtiResourceLink(i) => i.title.as_deref(),
            Self::Other(value) => value.get("title").and_then(Value::as_str),
        }
    }

    /// The item as JSON (with `type`).
    ///
    /// # Errors
    /// A `serde_json` error when a value does not serialize (only non-finite numbers, e.g. a NaN `scoreMaximum`).
    pub fn to_json(&self) -> Result<Value, serde_json::Error> {
        let (name, mut value) = match self {
            Self::File(i) => (item_type::FILE, serde_json::to_value(i)?),
            Self::Html(i) => (item_type::HTML, serde_json::to_value(i)?),
            Self::Image(i) => (item_type::IMAGE, serde_json::to_value(i)?),
            Self::Link(i) => (item_type::LINK, serde_json::to_value(i)?),
            Self::LtiResourceLink(i) => (item_type::LTI_RESOURCE_LINK, serde_json::to_value(i)?),
            Self::Other(value) => return Ok(value.clone()),
        };
        if let Value::Object(map) = &mut value {
            map.insert("type".to_owned(), Value::String(name.to_owned()));
        }
        Ok(value)
    }

    /// Reads one item from JSON (see the type's docs for the rules).
    ///
    /// # Errors
    /// A message naming the item type and the member at fault.
    pub fn from_json(value: Value) -> Result<Self, String> {
        let Value::Object(map) = value else {
            return Err("a content item must be a JSON object".to_owned());
        };
        let name = match map.get("type") {
            Some(Value::String(name)) => name.clone(),
            Some(_) => return Err("content item member `type` must be a string".to_owned()),
            None => return Err("content item has no `type`".to_owned()),
        };
        match name.as_str() {
            item_type::FILE => typed(&name, map).map(Self::File),
            item_type::HTML => typed(&name, map).map(Self::Html),
            item_type::IMAGE => typed(&name, map).map(Self::Image),
            item_type::LINK => typed(&name, map).map(Self::Link),
            item_type::LTI_RESOURCE_LINK => typed(&name, map).map(Self::LtiResourceLink),
            _ => Ok(Self::Other(Value::Object(map))),
        }
    }
}

/// Parses a known item type's members (the `type` member removed so it does not land in `extra`).
fn typed<T: DeserializeOwned>(name: &str, mut map: Map<String, Value>) -> Result<T, String> {
    map.remove("type");
    serde_json::from_value(Value::Object(map))
        .map_err(|e| format!("`{name}` item: {}", crate::error::clip(&e.to_string())))
}

impl From<Link> for ContentItem {
    fn from(item: Link) -> Self {
        Self::Link(item)
    }
}

impl From<LtiResourceLink> for ContentItem {
    fn from(item: LtiResourceLink) -> Self {
        Self::LtiResourceLink(item)
    }
}

impl From<File> for ContentItem {
    fn from(item: File) -> Self {
        Self::File(item)
    }
}

impl From<Html> for ContentItem {
    fn from(item: Html) -> Self {
        Self::Html(item)
    }
}

impl From<Image> for ContentItem {
    fn from(item: Image) -> Self {
        Self::Image(item)
    }
}

impl Serialize for ContentItem {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json()
            .map_err(ser::Error::custom)?
            .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ContentItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::from_json(Value::deserialize(deserializer)?).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn known_types_round_trip_with_their_type() {
        let item = ContentItem::from(
            LtiResourceLink::new()
                .with_url("https://tool.example/a")
                .with_custom("k", "v")
                .with_line_item(LineItem::new(10.0)),
        );
        let value = item.to_json().unwrap();
        assert_eq!(value["type"], "ltiResourceLink");
        assert_eq!(value["lineItem"]["scoreMaximum"], 10.0);
        assert_eq!(value["custom"]["k"], "v");
        let back = ContentItem::from_json(value).unwrap();
        assert_eq!(back, item);
        let ContentItem::LtiResourceLink(link) = back else {
            panic!()
        };
        assert!(link.extra.is_empty(), "type must not leak into extra");
    }

    #[test]
    fn unknown_types_are_kept_raw_and_bad_items_are_errors() {
        let raw = json!({"type": "https://www.example.com/custom_type", "data": [1]});
        let item = ContentItem::from_json(raw.clone()).unwrap();
        assert_eq!(item, ContentItem::Other(raw));
        assert_eq!(item.item_type(), "https://www.example.com/custom_type");
        assert!(ContentItem::from_json(json!({"url": "x"})).is_err());
        assert!(ContentItem::from_json(json!({"type": 5})).is_err());
        assert!(ContentItem::from_json(json!([])).is_err());
        let e = ContentItem::from_json(json!({"type": "link"})).unwrap_err();
        assert!(e.contains("`link` item") && e.contains("url"), "{e}");
        let e = ContentItem::from_json(json!({"type": "ltiResourceLink", "custom": {"a": null}}))
            .unwrap_err();
        assert!(e.contains("null"), "{e}");
    }
}
