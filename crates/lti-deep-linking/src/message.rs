//! The `LtiDeepLinkingResponse` claims on the wire [DL §4.5], read and written by claim-name constants.

use lti_core::DeploymentId;
use lti_core::message::MessageType;
use lti_core::uri::claim as lti_claim;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::Error;
use crate::error::clip;
use crate::items::ContentItem;
use crate::policy::MAX_CONTENT_ITEMS;
use crate::uri::claim;

/// The LTI claims of a deep linking response [DL §4.5], every one optional so that a missing one is reported by
/// name. The registered JWT claims (`iss`, `aud`, `exp`, `iat`, `nonce`) are checked by lti-security and are not
/// repeated here.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ResponseMessage {
    /// `…/claim/message_type`: must be `LtiDeepLinkingResponse` [DL §4.5.2].
    pub message_type: Option<MessageType>,
    /// `…/claim/version`: must be `1.3.0` [DL §4.5.3].
    pub version: Option<String>,
    /// `…/claim/deployment_id`: the request's deployment [DL §4.5.4].
    pub deployment_id: Option<DeploymentId>,
    /// `…/lti-dl/claim/data`: the request's `data`, echoed exactly [DL §4.5.5].
    pub data: Option<String>,
    /// `…/lti-dl/claim/content_items` (absent or empty: nothing to add) [DL §4.5.6].
    pub content_items: Vec<ContentItem>,
    /// `…/lti-dl/claim/msg`: plain text for the user [DL §4.5.7].
    pub msg: Option<String>,
    /// `…/lti-dl/claim/log`: plain text for the log [DL §4.5.8].
    pub log: Option<String>,
    /// `…/lti-dl/claim/errormsg`: plain text error for the user [DL §4.5.9].
    pub errormsg: Option<String>,
    /// `…/lti-dl/claim/errorlog`: plain text error for the log [DL §4.5.10].
    pub errorlog: Option<String>,
}

impl ResponseMessage {
    /// Reads the claims from a (verified) JWT payload. At most [`MAX_CONTENT_ITEMS`] items are read; each is
    /// parsed on its own so an error names its index.
    ///
    /// # Errors
    /// [`Error::Malformed`] naming the claim or item; [`Error::ItemLimit`].
    pub fn from_payload(payload: &[u8]) -> Result<Self, Error> {
        let mut map: Map<String, Value> =
            serde_json::from_slice(payload).map_err(|e| Error::Malformed {
                reason: clip(&e.to_string()),
            })?;
        let items: Vec<Value> = take(&mut map, claim::CONTENT_ITEMS)?.unwrap_or_default();
        if items.len() > MAX_CONTENT_ITEMS {
            return Err(Error::ItemLimit {
                max: MAX_CONTENT_ITEMS,
                found: items.len(),
            });
        }
        let content_items = items
            .into_iter()
            .enumerate()
            .map(|(index, value)| {
                ContentItem::from_json(value).map_err(|reason| Error::Malformed {
                    reason: format!("{}[{index}]: {reason}", claim::CONTENT_ITEMS),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            message_type: take(&mut map, lti_claim::MESSAGE_TYPE)?,
            version: take(&mut map, lti_claim::VERSION)?,
            deployment_id: take(&mut map, lti_claim::DEPLOYMENT_ID)?,
            data: take(&mut map, claim::DATA)?,
            content_items,
            msg: take(&mut map, claim::MSG)?,
            log: take(&mut map, claim::LOG)?,
            errormsg: take(&mut map, claim::ERRORMSG)?,
            errorlog: take(&mut map, claim::ERRORLOG)?,
        })
    }

    /// Writes the claims into `map` (absent ones left out; `content_items` always written, possibly empty).
    ///
    /// # Errors
    /// [`Error::Serialize`] when an item does not serialize (a non-finite number).
    pub fn write_to(&self, map: &mut Map<String, Value>) -> Result<(), Error> {
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                map.insert(key.to_owned(), value);
            }
        };
        put(
            lti_claim::MESSAGE_TYPE,
            self.message_type
                .as_ref()
                .map(|m| Value::String(m.as_str().to_owned())),
        );
        put(lti_claim::VERSION, self.version.clone().map(Value::String));
        put(
            lti_claim::DEPLOYMENT_ID,
            self.deployment_id
                .as_ref()
                .map(|d| Value::String(d.as_str().to_owned())),
        );
        put(claim::DATA, self.data.clone().map(Value::String));
        put(claim::MSG, self.msg.clone().map(Value::String));
        put(claim::LOG, self.log.clone().map(Value::String));
        put(claim::ERRORMSG, self.errormsg.clone().map(Value::String));
        put(claim::ERRORLOG, self.errorlog.clone().map(Value::String));
        let items = self
            .content_items
            .iter()
            .map(ContentItem::to_json)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| Error::Serialize {
                what: "content items",
            })?;
        map.insert(claim::CONTENT_ITEMS.to_owned(), Value::Array(items));
        Ok(())
    }
}

/// Removes `key` and reads it as `T`; `null` reads as absent.
fn take<T: DeserializeOwned>(map: &mut Map<String, Value>, key: &str) -> Result<Option<T>, Error> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => serde_json::from_value(value)
            .map(Some)
            .map_err(|e| Error::Malformed {
                reason: format!("claim `{key}`: {}", clip(&e.to_string())),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::items::Link;

    #[test]
    fn round_trip_and_typed_errors() {
        let message = ResponseMessage {
            message_type: Some(MessageType::LtiDeepLinkingResponse),
            version: Some("1.3.0".into()),
            deployment_id: Some(DeploymentId::new("d")),
            data: Some("x".into()),
            content_items: vec![Link::new("https://a.example").into()],
            msg: Some("done".into()),
            ..ResponseMessage::default()
        };
        let mut map = Map::new();
        message.write_to(&mut map).unwrap();
        let bytes = serde_json::to_vec(&map).unwrap();
        assert_eq!(ResponseMessage::from_payload(&bytes).unwrap(), message);

        map.insert(claim::DATA.into(), Value::from(7));
        let e = ResponseMessage::from_payload(&serde_json::to_vec(&map).unwrap()).unwrap_err();
        assert!(e.to_string().contains(claim::DATA), "{e}");

        let many =
            serde_json::json!({ claim::CONTENT_ITEMS: vec![serde_json::json!({"type":"x"}); 101] });
        assert!(matches!(
            ResponseMessage::from_payload(&serde_json::to_vec(&many).unwrap()),
            Err(Error::ItemLimit { found: 101, .. })
        ));
        let bad = serde_json::json!({ claim::CONTENT_ITEMS: [{"type":"link"}, {"type":"image"}] });
        let e = ResponseMessage::from_payload(&serde_json::to_vec(&bad).unwrap()).unwrap_err();
        assert!(e.to_string().contains("content_items[0]"), "{e}");
    }
}
