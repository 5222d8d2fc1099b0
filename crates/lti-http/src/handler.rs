//! The inbound handler convention: `http::Request<Bytes>` in, `http::Response<Bytes>` out.

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;

/// An inbound endpoint: takes a fully read request and answers with a fully built response.
///
/// This is how every lti-rs service is exposed (login initiation, launch, JWKS, token endpoint, AGS and NRPS
/// endpoints, ...), so that any server framework can mount it: read the body (capped) into [`Bytes`], call
/// [`handle`](Self::handle), write the response back. The same handler can be mounted on a
/// [`RouterClient`](crate::RouterClient) to be called in-process, without sockets.
///
/// A handler never fails: errors are answered as responses (a 4xx for the peer's mistakes, a generic 5xx for
/// internal ones), mapped in one place per facade.
///
/// The request URI may be absolute (`https://lms.example/jwks?x=1`, as the [`RouterClient`](crate::RouterClient)
/// passes it) or origin-form (`/jwks?x=1`, as most servers pass it): use [`http::Uri::path`] and
/// [`http::Uri::query`], never the whole URI.
///
/// Implemented for every `Fn(http::Request<Bytes>) -> impl Future<Output = http::Response<Bytes>>` that is
/// `Send + Sync` (async closures and `async fn`s), and for `Arc<H>` of any handler (including `Arc<dyn Handler>`).
///
/// ```
/// use bytes::Bytes;
/// use lti_http::Handler;
///
/// async fn hello(_request: http::Request<Bytes>) -> http::Response<Bytes> {
///     http::Response::new(Bytes::from_static(b"hello"))
/// }
///
/// # async fn run() {
/// let response = hello.handle(http::Request::new(Bytes::new())).await;
/// assert_eq!(response.body(), "hello");
/// # }
/// ```
#[async_trait]
pub trait Handler: Send + Sync {
    /// Answers `request`.
    async fn handle(&self, request: http::Request<Bytes>) -> http::Response<Bytes>;
}

#[async_trait]
impl<F, Fut> Handler for F
where
    F: Fn(http::Request<Bytes>) -> Fut + Send + Sync,
    Fut: Future<Output = http::Response<Bytes>> + Send,
{
    async fn handle(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        self(request).await
    }
}

#[async_trait]
impl<H: Handler + ?Sized> Handler for Arc<H> {
    async fn handle(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        (**self).handle(request).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use bytes::Bytes;

    use super::Handler;

    struct Echo;

    #[async_trait::async_trait]
    impl Handler for Echo {
        async fn handle(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
            http::Response::new(request.into_body())
        }
    }

    #[tokio::test]
    async fn closures_structs_and_shared_handlers_all_answer() {
        let closure = |request: http::Request<Bytes>| async move {
            http::Response::new(Bytes::from(request.uri().path().to_owned()))
        };
        let response = closure.handle(http::Request::new(Bytes::new())).await;
        assert_eq!(response.body(), "/");

        let shared: Arc<dyn Handler> = Arc::new(Echo);
        let response = shared
            .handle(http::Request::new(Bytes::from_static(b"ping")))
            .await;
        assert_eq!(response.body(), "ping");
    }
}
