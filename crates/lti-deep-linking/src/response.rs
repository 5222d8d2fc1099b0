//! Tool side: the `LtiDeepLinkingResponse`, built against the request's settings, signed, and posted back
//! through the browser [DL §2.3, §4.5; Sec §5.2].

use std::fmt;
use std::time::Duration;

use lti_core::login::auto_submit_form;
use lti_core::message::MessageType;
use lti_security::{Audience, DEFAULT_TOKEN_BYTES, SigningKey, random_token, sign_jwt};
use serde_json::{Map, Value};
use url::Url;

use crate::items::ContentItem;
use crate::message::ResponseMessage;
use crate::policy::check_items;
use crate::uri::JWT_FIELD;
use crate::uri::LTI_VERSION;
use crate::{DeepLinkingRequest, Error};

/// The default lifetime of a signed response (`exp - iat`): 5 minutes.
pub const DEFAULT_RESPONSE_TTL: Duration = Duration::from_secs(300);

/// A deep linking response checked against the request's settings, ready to sign (checklist I85–I89).
///
/// Build it with [`DeepLinkingResponse::builder`]; [`ResponseBuilder::build`] refuses items the settings
/// forbid. An answer with no items is valid and SHOULD be sent when the user picked nothing, so the platform can
/// close its frame (checklist I89).
#[derive(Debug, Clone, PartialEq)]
pub struct DeepLinkingResponse {
    request: DeepLinkingRequest,
    return_url: Url,
    message: ResponseMessage,
    ttl: Duration,
}

/// Builds a [`DeepLinkingResponse`]; see [`DeepLinkingResponse::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ResponseBuilder {
    request: DeepLinkingRequest,
    items: Vec<ContentItem>,
    msg: Option<String>,
    log: Option<String>,
    errormsg: Option<String>,
    errorlog: Option<String>,
    ttl: Duration,
}

impl DeepLinkingResponse {
    /// Starts the answer to `request`.
    pub fn builder(request: &DeepLinkingRequest) -> ResponseBuilder {
        ResponseBuilder {
            request: request.clone(),
            items: Vec::new(),
            msg: None,
            log: None,
            errormsg: None,
            errorlog: None,
            ttl: DEFAULT_RESPONSE_TTL,
        }
    }

    /// Where the response goes: the request's `deep_link_return_url`.
    pub fn return_url(&self) -> &Url {
        &self.return_url
    }

    /// The LTI claims that will be signed.
    pub fn message(&self) -> &ResponseMessage {
        &self.message
    }

    /// Signs the response with the tool's `key` at time `now` (Unix seconds) (checklist I85, I86): header `alg`,
    /// `kid` and `typ: JWT`; claims `iss` = the client id, `aud` = the platform issuer, `iat`, `exp` = `now` +
    /// the TTL, a fresh random `nonce`, `deployment_id`, `message_type`, `version`, `data` exactly as the
    /// request sent it (absent when it sent none), the items and messages.
    ///
    /// # Errors
    /// [`Error::Crypto`] when random generation or signing fails; [`Error::Serialize`] for an unserializable
    /// item.
    pub fn sign(&self, key: &SigningKey, now: u64) -> Result<SignedDeepLinkingResponse, Error> {
        let nonce = random_token(DEFAULT_TOKEN_BYTES).map_err(Error::Crypto)?;
        let mut claims = Map::new();
        let registered = [
            ("iss", Value::from(self.request.client_id().as_str())),
            (
                "aud",
                serde_json::to_value(Audience::one(self.request.issuer().as_str()))
                    .map_err(|_| Error::Serialize { what: "aud" })?,
            ),
            ("iat", Value::from(now)),
            ("exp", Value::from(now.saturating_add(self.ttl.as_secs()))),
            ("nonce", Value::from(nonce)),
        ];
        for (name, value) in registered {
            claims.insert(name.to_owned(), value);
        }
        self.message.write_to(&mut claims)?;
        let jwt = sign_jwt(key, &claims).map_err(Error::Crypto)?;
        Ok(SignedDeepLinkingResponse {
            return_url: self.return_url.clone(),
            jwt,
        })
    }
}

impl ResponseBuilder {
    /// Adds a content item.
    pub fn item(mut self, item: impl Into<ContentItem>) -> Self {
        self.items.push(item.into());
        self
    }

    /// Adds content items.
    pub fn items(mut self, items: impl IntoIterator<Item = ContentItem>) -> Self {
        self.items.extend(items);
        self
    }

    /// `msg`: plain text for the user [DL §4.5.7].
    pub fn msg(mut self, text: impl Into<String>) -> Self {
        self.msg = Some(text.into());
        self
    }

    /// `log`: plain text for the platform's log [DL §4.5.8].
    pub fn log(mut self, text: impl Into<String>) -> Self {
        self.log = Some(text.into());
        self
    }

    /// `errormsg`: plain text error for the user [DL §4.5.9].
    pub fn errormsg(mut self, text: impl Into<String>) -> Self {
        self.errormsg = Some(text.into());
        self
    }

    /// `errorlog`: plain text error for the platform's log [DL §4.5.10].
    pub fn errorlog(mut self, text: impl Into<String>) -> Self {
        self.errorlog = Some(text.into());
        self
    }

    /// The signed response's lifetime (default [`DEFAULT_RESPONSE_TTL`], at most 1 hour, at least 1 second).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl.clamp(Duration::from_secs(1), Duration::from_secs(3600));
        self
    }

    /// Checks the items against the request's settings (see [`check_items`]) and builds the response.
    ///
    /// # Errors
    /// The [`Error`] of the first item rule broken ([`Error::TypeNotAccepted`], [`Error::MultipleNotAccepted`],
    /// [`Error::LineItemNotAccepted`], …); [`Error::Request`] when the return URL is not usable.
    pub fn build(self) -> Result<DeepLinkingResponse, Error> {
        let settings = self.request.settings();
        check_items(settings, &self.items)?;
        let return_url = settings.return_url().map_err(Error::Request)?;
        let message = ResponseMessage {
            message_type: Some(MessageType::LtiDeepLinkingResponse),
            version: Some(LTI_VERSION.to_owned()),
            deployment_id: Some(self.request.deployment_id().clone()),
            data: settings.data.clone(),
            content_items: self.items,
            msg: self.msg,
            log: self.log,
            errormsg: self.errormsg,
            errorlog: self.errorlog,
        };
        Ok(DeepLinkingResponse {
            request: self.request,
            return_url,
            message,
            ttl: self.ttl,
        })
    }
}

/// A signed response and where it goes. `Debug` does not print the token.
#[derive(Clone)]
pub struct SignedDeepLinkingResponse {
    return_url: Url,
    jwt: String,
}

impl SignedDeepLinkingResponse {
    /// The request's `deep_link_return_url`.
    pub fn return_url(&self) -> &Url {
        &self.return_url
    }

    /// The compact JWT.
    pub fn jwt(&self) -> &str {
        &self.jwt
    }

    /// The page that posts field `JWT` to the return URL as soon as it loads, in the frame or window that got the
    /// request (checklist I87). The action and the value are HTML-escaped.
    pub fn form_html(&self) -> String {
        auto_submit_form(&self.return_url, &[(JWT_FIELD, self.jwt.as_str())])
    }
}

impl fmt::Debug for SignedDeepLinkingResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedDeepLinkingResponse")
            .field("return_url", &self.return_url.as_str())
            .field("jwt", &"[redacted]")
            .finish()
    }
}
