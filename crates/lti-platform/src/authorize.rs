//! The OIDC authorization endpoint [Sec §5.1.1.2-§5.1.1.5; OIDC Core §3.1.2] (checklist D45-D50).

use std::borrow::Cow;

use bytes::Bytes;
use http::{Method, StatusCode, header};
use lti_core::login::{AuthRequest, AuthResponse, param};
use lti_core::{ClientId, State, ToolRegistration, UserId};
use tracing::Instrument as _;
use url::Url;

use crate::platform::{LaunchRecord, log_error};
use crate::{Platform, PlatformError, message, response};

/// The largest POSTed authentication request accepted.
pub const MAX_AUTH_REQUEST_BYTES: usize = 16 * 1024;

/// Where an error goes: before the `redirect_uri` is verified, to an error page; after, to the tool as an
/// OIDC error form post.
enum Failure {
    Page(PlatformError),
    Tool {
        error: PlatformError,
        redirect_uri: Url,
        state: Option<State>,
    },
}

impl Platform {
    /// The OIDC authorization endpoint, GET (query) or POST (form body), for the signed-in `current_user`
    /// (`None`: no session).
    ///
    /// In order: the tool is looked up by `client_id` (unknown: error page, D45); `redirect_uri` must equal a
    /// registered one exactly (else error page, never a redirect, D46). From then on errors are form-posted to
    /// the `redirect_uri` as OIDC errors with the request's `state`: the parameters are checked (D49), a session
    /// must exist (`login_required`, D47) and be the `login_hint` user (D48), except for anonymous launches;
    /// the `lti_message_hint` is resolved and consumed (single use); then the `id_token` is minted, signed with
    /// the key ring's active key and answered as an auto-submitting form post of `id_token` and `state` (D50,
    /// E53-E61), with `Cache-Control: no-store`.
    pub async fn authorize(
        &self,
        request: http::Request<Bytes>,
        current_user: Option<&UserId>,
    ) -> http::Response<Bytes> {
        let span = tracing::info_span!(
            "lti.auth",
            client_id = tracing::field::Empty,
            deployment_id = tracing::field::Empty,
            message_type = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        let result = self
            .authorize_inner(&request, current_user)
            .instrument(span.clone())
            .await;
        let _entered = span.enter();
        let response = match result {
            Ok(response) => response,
            Err(Failure::Page(error)) => {
                log_error(&error);
                error.into_response()
            }
            Err(Failure::Tool {
                error,
                redirect_uri,
                state,
            }) => {
                log_error(&error);
                let answer = AuthResponse::Error {
                    error: error.oidc_error().to_owned(),
                    error_description: Some(error.public_message()),
                    state,
                };
                response::html(StatusCode::OK, answer.to_form_post(&redirect_uri))
            }
        };
        span.record("status", response.status().as_u16());
        response
    }

    async fn authorize_inner(
        &self,
        request: &http::Request<Bytes>,
        current_user: Option<&UserId>,
    ) -> Result<http::Response<Bytes>, Failure> {
        let input = read_params(request).map_err(Failure::Page)?;
        let pairs: Vec<(Cow<'_, str>, Cow<'_, str>)> =
            url::form_urlencoded::parse(input.as_ref()).collect();
        let client_id = single(&pairs, param::CLIENT_ID).map_err(Failure::Page)?;
        tracing::Span::current().record("client_id", client_id);
        let client_id = ClientId::new(client_id);
        let registration = self.registration(&client_id).await.map_err(Failure::Page)?;
        let redirect = single(&pairs, param::REDIRECT_URI).map_err(Failure::Page)?;
        if !registration.accepts_redirect_uri(redirect) {
            return Err(Failure::Page(PlatformError::RedirectUriNotRegistered {
                client_id,
            }));
        }
        let redirect_uri = Url::parse(redirect).map_err(|_| {
            Failure::Page(PlatformError::RedirectUriNotRegistered {
                client_id: client_id.clone(),
            })
        })?;
        let state = single(&pairs, param::STATE).ok().map(State::new);
        let to_tool = |error: PlatformError| Failure::Tool {
            error,
            redirect_uri: redirect_uri.clone(),
            state: state.clone(),
        };
        let auth = AuthRequest::from_pairs(pairs.iter().cloned())
            .map_err(|e| to_tool(PlatformError::AuthRequest(e)))?;
        self.answer(auth, &registration, current_user, &redirect_uri)
            .await
            .map_err(to_tool)
    }

    /// Everything after the `redirect_uri` is known good.
    async fn answer(
        &self,
        auth: AuthRequest,
        registration: &ToolRegistration,
        current_user: Option<&UserId>,
        redirect_uri: &Url,
    ) -> Result<http::Response<Bytes>, PlatformError> {
        let inner = &self.inner;
        let anonymous = auth
            .login_hint
            .as_str()
            .starts_with(Self::ANONYMOUS_LOGIN_HINT_PREFIX);
        if !anonymous {
            let user = current_user.ok_or(PlatformError::LoginRequired)?;
            if user.as_str() != auth.login_hint.as_str() {
                return Err(PlatformError::LoginHintMismatch);
            }
        }
        let state = auth.state.clone().ok_or(PlatformError::AuthRequest(
            lti_core::Error::ParameterMissing {
                parameter: param::STATE,
            },
        ))?;
        let hint = auth
            .lti_message_hint
            .as_ref()
            .ok_or(PlatformError::MessageHintMissing)?;
        let key = hint.as_str().as_bytes();
        let stored = inner
            .store
            .get(Self::MESSAGE_HINT_NAMESPACE, key)
            .await?
            .ok_or(PlatformError::MessageHintUnknown)?;
        let record: LaunchRecord =
            serde_json::from_slice(&stored).map_err(PlatformError::Serialize)?;
        if record.client_id != auth.client_id {
            return Err(PlatformError::ClientMismatch {
                found: auth.client_id,
            });
        }
        if record.login_hint != auth.login_hint || record.anonymous != anonymous {
            return Err(PlatformError::LoginHintMismatch);
        }
        let span = tracing::Span::current();
        if let Some(deployment_id) = &record.message.deployment_id {
            span.record("deployment_id", deployment_id.as_str());
        }
        if let Some(message_type) = &record.message.message_type {
            span.record("message_type", message_type.as_str());
        }
        // Consume last and atomically: of concurrent requests with one hint, only one removes it.
        if !inner
            .store
            .delete(Self::MESSAGE_HINT_NAMESPACE, key)
            .await?
        {
            return Err(PlatformError::MessageHintUnknown);
        }
        let id_token = message::mint(
            record.message,
            registration,
            &inner.config,
            &auth.client_id,
            auth.nonce,
            inner.clock.unix_seconds(),
            &inner.key_ring.signing_key(),
        )?;
        let answer = AuthResponse::IdToken { id_token, state };
        Ok(response::html(
            StatusCode::OK,
            answer.to_form_post(redirect_uri),
        ))
    }
}

/// The raw parameters: the query of a GET, the form body of a POST.
fn read_params(request: &http::Request<Bytes>) -> Result<Cow<'_, [u8]>, PlatformError> {
    if request.method() == Method::GET {
        return Ok(Cow::Borrowed(
            request.uri().query().unwrap_or_default().as_bytes(),
        ));
    }
    if request.method() != Method::POST {
        return Err(PlatformError::MethodNotAllowed {
            method: request.method().as_str().chars().take(20).collect(),
        });
    }
    let form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| {
            essence
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form {
        return Err(PlatformError::UnsupportedBody {
            expected: "`application/x-www-form-urlencoded`",
        });
    }
    if request.body().len() > MAX_AUTH_REQUEST_BYTES {
        return Err(PlatformError::UnsupportedBody {
            expected: "a form body of at most 16 KiB",
        });
    }
    Ok(Cow::Borrowed(request.body().as_ref()))
}

/// The one non-empty value of `name`; missing, empty or repeated is an error page (nothing can be sent back).
fn single<'a>(
    pairs: &'a [(Cow<'a, str>, Cow<'a, str>)],
    name: &'static str,
) -> Result<&'a str, PlatformError> {
    let mut values = pairs.iter().filter(|(n, _)| n == name).map(|(_, v)| v);
    match (values.next(), values.next()) {
        (Some(value), None) if !value.is_empty() => Ok(value),
        (Some(_), Some(_)) => Err(PlatformError::UnroutableRequest(
            lti_core::Error::ParameterDuplicated { parameter: name },
        )),
        _ => Err(PlatformError::UnroutableRequest(
            lti_core::Error::ParameterMissing { parameter: name },
        )),
    }
}
