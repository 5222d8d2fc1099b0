//! Platform side: verifying a `LtiDeepLinkingResponse` [DL §4.5; Sec §5.2.3; `deep-linking.md` §4].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use lti_core::message::MessageType;
use lti_core::uri::{LTI_VERSION, claim as lti_claim};
use lti_core::{ClientId, ContextId, DeploymentId, Issuer, ToolRegistration, UserId};
use lti_security::{
    ClaimRules, Clock, DEFAULT_LEEWAY, JwtVerifier, KeyResolver, RegisteredClaims, RequiredClaim,
};
use lti_storage::{Namespace, Store};

use crate::error::clip;
use crate::items::ContentItem;
use crate::message::ResponseMessage;
use crate::pending::{PendingRequest, PendingRequests};
use crate::policy::{Side, check};
use crate::{DeepLinkingSettings, Error};

/// The largest accepted response age (`now - iat`): 10 minutes.
pub const DEFAULT_MAX_RESPONSE_AGE: Duration = Duration::from_secs(600);

/// The longest `nonce` accepted (it becomes a store key).
const MAX_NONCE_LEN: usize = 255;

/// Verifies deep linking responses for the platform `issuer` (checklist J91–J93).
///
/// Steps, in order:
/// 1. the compact JWS parses (size limit, three parts, header, `alg` allowed, `kid` present);
/// 2. the signature verifies with the tool's keys, `iss` = the tool's client id, `aud` contains our issuer
///    (other audiences refused, `azp` if present = our issuer), `exp`/`iat` within leeway and maximum age, `nonce`
///    present;
/// 3. the LTI claims parse; `message_type` is `LtiDeepLinkingResponse`; `version` is `1.3.0`;
///    `deployment_id` and `data` are present;
/// 4. the `nonce` is recorded (atomic insert-if-absent with a TTL up to `exp` + leeway): a second use is a
///    replay;
/// 5. the pending request is found by `data`, was sent to this client and this deployment, and is taken
///    (single use): changed, expired or used `data` finds nothing, and a mismatch leaves it in place;
/// 6. every item is checked against the settings offered (types, count, media types, member rules).
#[derive(Clone)]
pub struct ResponseVerifier {
    issuer: Issuer,
    store: Arc<dyn Store>,
    pending: PendingRequests,
    clock: Arc<dyn Clock>,
    leeway: Duration,
    max_age: Duration,
}

impl ResponseVerifier {
    /// The store namespace of used response nonces.
    pub const NONCE_NAMESPACE: Namespace = Namespace::new("lti.dl.nonce");

    /// A verifier for the platform `issuer`, with pending requests and used nonces in `store`.
    pub fn new(issuer: Issuer, store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self {
            issuer,
            pending: PendingRequests::new(Arc::clone(&store)),
            store,
            clock,
            leeway: DEFAULT_LEEWAY,
            max_age: DEFAULT_MAX_RESPONSE_AGE,
        }
    }

    /// Sets the clock-skew leeway (capped by lti-security at 5 minutes).
    #[must_use]
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Sets the largest accepted `now - iat`.
    #[must_use]
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// The pending requests this verifier takes from.
    pub fn pending(&self) -> &PendingRequests {
        &self.pending
    }

    /// The unverified `iss` of `jwt`, to look up the tool's registration before [`verify`](Self::verify).
    ///
    /// # Errors
    /// [`Error::Token`] when the token does not parse or has no string `iss`.
    pub fn unverified_client_id(&self, jwt: &str) -> Result<ClientId, Error> {
        let verifier = JwtVerifier::new(Arc::clone(&self.clock));
        let jws = verifier.parse(jwt).map_err(Error::Token)?;
        let claims: RegisteredClaims = jws.unverified_claims().map_err(Error::Token)?;
        claims
            .iss
            .map(ClientId::new)
            .ok_or(Error::Token(lti_security::Error::MissingClaim {
                claim: "iss",
            }))
    }

    /// Runs every step on `jwt`, sent by the tool of `registration`, whose keys `keys` resolves.
    ///
    /// # Errors
    /// The [`Error`] of the first failing step.
    pub async fn verify(
        &self,
        jwt: &str,
        registration: &ToolRegistration,
        keys: &dyn KeyResolver,
    ) -> Result<VerifiedDeepLinkingResponse, Error> {
        self.verify_inner(jwt, registration, keys, None).await
    }

    /// [`verify`](Self::verify), also checking that the request was started for `user` (the user of the session
    /// that posts the response; `None` for a request started anonymously) **before** the nonce or the request's
    /// `data` is spent, so a response posted from someone else's session leaves the rightful user's response
    /// usable.
    ///
    /// # Errors
    /// As [`verify`](Self::verify), and [`Error::UserMismatch`] (403).
    pub async fn verify_for_user(
        &self,
        jwt: &str,
        registration: &ToolRegistration,
        keys: &dyn KeyResolver,
        user: Option<&UserId>,
    ) -> Result<VerifiedDeepLinkingResponse, Error> {
        self.verify_inner(jwt, registration, keys, Some(user)).await
    }

    async fn verify_inner(
        &self,
        jwt: &str,
        registration: &ToolRegistration,
        keys: &dyn KeyResolver,
        expected_user: Option<Option<&UserId>>,
    ) -> Result<VerifiedDeepLinkingResponse, Error> {
        let client_id = registration.client_id();
        let rules = ClaimRules::new()
            .issuer(client_id.as_str())
            .audience(self.issuer.as_str())
            .leeway(self.leeway)
            .max_age(self.max_age)
            .require(RequiredClaim::Nonce);
        let verified = JwtVerifier::new(Arc::clone(&self.clock))
            .verify(jwt, keys, &rules)
            .await
            .map_err(Error::Token)?;
        let message = ResponseMessage::from_payload(verified.payload())?;
        match &message.message_type {
            None => {
                return Err(Error::MissingClaim {
                    claim: lti_claim::MESSAGE_TYPE,
                });
            }
            Some(MessageType::LtiDeepLinkingResponse) => {}
            Some(other) => {
                return Err(Error::MessageTypeMismatch {
                    found: clip(other.as_str()),
                });
            }
        }
        match message.version.as_deref() {
            None => {
                return Err(Error::MissingClaim {
                    claim: lti_claim::VERSION,
                });
            }
            Some(LTI_VERSION) => {}
            Some(other) => {
                return Err(Error::VersionMismatch { found: clip(other) });
            }
        }
        let deployment_id = message.deployment_id.clone().ok_or(Error::MissingClaim {
            claim: lti_claim::DEPLOYMENT_ID,
        })?;
        let data = message.data.clone().ok_or(Error::DataMissing)?;
        if let Some(user) = expected_user
            && self.pending.peek(&data).await?.user_id.as_ref() != user
        {
            return Err(Error::UserMismatch);
        }
        self.consume_nonce(client_id, verified.registered()).await?;
        let pending = self
            .pending
            .take_for(&data, client_id, &deployment_id)
            .await?;
        check(&pending.settings, &message.content_items, Side::Platform)?;
        Ok(VerifiedDeepLinkingResponse { pending, message })
    }

    /// Records the response nonce as used until it expires (+ leeway); a second use is a replay.
    async fn consume_nonce(
        &self,
        client_id: &ClientId,
        claims: &RegisteredClaims,
    ) -> Result<(), Error> {
        let nonce = claims.nonce.as_deref().unwrap_or_default();
        if nonce.len() > MAX_NONCE_LEN {
            return Err(Error::Malformed {
                reason: format!("claim `nonce` is longer than {MAX_NONCE_LEN} bytes"),
            });
        }
        let now = self.clock.unix_seconds();
        let until = claims
            .exp
            .map(|e| e.unix_seconds())
            .unwrap_or(now)
            .saturating_add(self.leeway.as_secs());
        let ttl = Duration::from_secs(until.saturating_sub(now).max(1));
        let mut key = Vec::with_capacity(client_id.as_str().len() + nonce.len() + 1);
        key.extend_from_slice(nonce.as_bytes());
        key.push(b'\n');
        key.extend_from_slice(client_id.as_str().as_bytes());
        key.truncate(lti_storage::MAX_KEY_LEN);
        let inserted = self
            .store
            .insert_if_absent(Self::NONCE_NAMESPACE, &key, b"", Some(ttl))
            .await
            .map_err(Error::Storage)?;
        if !inserted {
            return Err(Error::NonceReplayed);
        }
        self.store.flush().await.map_err(Error::Storage)
    }
}

impl fmt::Debug for ResponseVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseVerifier")
            .field("issuer", &self.issuer)
            .field("leeway", &self.leeway)
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

/// A deep linking response that passed every step of [`ResponseVerifier`]. Only the verifier builds one.
///
/// Its items are typed and within the settings offered, but their text is the tool's: `html` items and
/// `embed.html` must be sanitised before display (checklist J96), titles and messages escaped.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedDeepLinkingResponse {
    pending: PendingRequest,
    message: ResponseMessage,
}

impl VerifiedDeepLinkingResponse {
    /// The tool's client id.
    pub fn client_id(&self) -> &ClientId {
        &self.pending.client_id
    }

    /// The deployment.
    pub fn deployment_id(&self) -> &DeploymentId {
        &self.pending.deployment_id
    }

    /// The user who started the request: compare it with the session that posted the response.
    pub fn user_id(&self) -> Option<&UserId> {
        self.pending.user_id.as_ref()
    }

    /// The context the items are for.
    pub fn context_id(&self) -> Option<&ContextId> {
        self.pending.context_id.as_ref()
    }

    /// The settings that were offered.
    pub fn settings(&self) -> &DeepLinkingSettings {
        &self.pending.settings
    }

    /// The items (possibly none: the user picked nothing).
    pub fn items(&self) -> &[ContentItem] {
        &self.message.content_items
    }

    /// `msg`: plain text to show the user (escape it).
    pub fn msg(&self) -> Option<&str> {
        self.message.msg.as_deref()
    }

    /// `log`: plain text to log.
    pub fn log(&self) -> Option<&str> {
        self.message.log.as_deref()
    }

    /// `errormsg`: plain text error to show the user (escape it).
    pub fn errormsg(&self) -> Option<&str> {
        self.message.errormsg.as_deref()
    }

    /// `errorlog`: plain text error to log.
    pub fn errorlog(&self) -> Option<&str> {
        self.message.errorlog.as_deref()
    }

    /// The whole verified message.
    pub fn message(&self) -> &ResponseMessage {
        &self.message
    }
}
