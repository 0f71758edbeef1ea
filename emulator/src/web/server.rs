//! The HTTP side: hyper on a tokio runtime of its own, on 127.0.0.1, Cognito's JSON 1.1 protocol.
//!
//! Every connection is its own task, so no client can stall another: request heads must arrive
//! within the I/O deadline (counted from their first byte), bodies are bounded in size and must
//! arrive within the deadline too, a write that makes no progress for the deadline (a client that
//! pipelines requests and never reads the replies) closes the connection, and replies go out with
//! `TCP_NODELAY`. An idle keep-alive connection waits [`IDLE_TIMEOUT`] for its next request, and
//! every answer says so (`Keep-Alive`): clients that pool connections (the JS SDK) do not send on
//! one the emulator has closed. Only requests whose `Host` is a loopback name (or one configured)
//! are answered, against DNS rebinding. The state lock is held only for bookkeeping: SRP and RSA
//! maths and all socket I/O happen outside it.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Response};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{Semaphore, oneshot};
use tokio::time::Sleep;

use crate::auth::shared::Shared;
use crate::fault::Fault;
use crate::web::Reply;

/// The largest request body accepted (Cognito's own limit is far below it).
pub(crate) const MAX_BODY: usize = 256 * 1024;
/// The read buffer of a connection, which bounds the request head.
const MAX_HEAD: usize = 16 * 1024;
/// Connections served at once; more wait in the listen queue.
const MAX_CONNECTIONS: usize = 1024;
/// How long an idle keep-alive connection waits for its next request (at least the I/O
/// deadline).
pub(crate) const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

pub(crate) struct Handle {
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Serves `listener` on a runtime owned by a background thread, until the handle is dropped.
pub(crate) fn serve(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    allowed_hosts: Vec<String>,
) -> io::Result<Handle> {
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(format!("cognito-emulator-{port}"))
        .enable_all()
        .build()?;
    let (tx, rx) = oneshot::channel();
    let thread = std::thread::Builder::new()
        .name(format!("cognito-emulator-{port}"))
        .spawn(move || {
            runtime.block_on(accept(listener, shared, allowed_hosts.into(), rx));
            runtime.shutdown_timeout(Duration::from_millis(200));
        })?;
    Ok(Handle {
        shutdown: Some(tx),
        thread: Some(thread),
    })
}

async fn accept(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    allowed_hosts: Arc<[String]>,
    mut stop: oneshot::Receiver<()>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let permit = tokio::select! {
            _ = &mut stop => return,
            permit = Arc::clone(&permits).acquire_owned() => permit,
        };
        let Ok(permit) = permit else { return };
        let stream = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
        };
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        let allowed_hosts = Arc::clone(&allowed_hosts);
        tokio::spawn(async move {
            let timeout = shared.io_timeout;
            let requests = Arc::new(Requests::default());
            let io = TokioIo::new(Deadline::new(stream, timeout, Arc::clone(&requests)));
            let service = hyper::service::service_fn(move |request| {
                requests.started.fetch_add(1, Ordering::SeqCst);
                let shared = Arc::clone(&shared);
                let allowed_hosts = Arc::clone(&allowed_hosts);
                let requests = Arc::clone(&requests);
                async move {
                    let reply = if host_allowed(request.headers(), &allowed_hosts) {
                        handle(&shared, request).await
                    } else {
                        refuse_host(&shared)
                    };
                    requests.done.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, Infallible>(reply)
                }
            });
            // The head's deadline is the stream's (from its first byte): hyper's own would count
            // the idle wait before it too.
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(None)
                .max_buf_size(MAX_HEAD)
                .max_headers(64)
                .serve_connection(io, service)
                .await;
            drop(permit);
        });
    }
}

/// The requests of a connection whose heads hyper parsed (`started`) and whose answers are
/// ready (`done`), counted by the service.
#[derive(Default)]
struct Requests {
    started: AtomicU64,
    done: AtomicU64,
}

/// A stream whose writes each fail after `limit` without progress, whose request heads fail
/// `limit` after their first byte, and whose reads fail after [`IDLE_TIMEOUT`] without progress
/// (an idle keep-alive connection; a body has its own deadline in [`handle`]).
struct Deadline {
    inner: tokio::net::TcpStream,
    limit: Duration,
    read: Option<Pin<Box<Sleep>>>,
    write: Option<Pin<Box<Sleep>>>,
    requests: Arc<Requests>,
    /// While a head is arriving: its deadline, and `requests.started` when it began.
    head: Option<(Pin<Box<Sleep>>, u64)>,
}

impl Deadline {
    fn new(inner: tokio::net::TcpStream, limit: Duration, requests: Arc<Requests>) -> Self {
        Self {
            inner,
            limit,
            read: None,
            write: None,
            requests,
            head: None,
        }
    }
}

/// `poll` after an I/O poll: disarms the timer on progress, fails once it fires while pending.
fn watch<T>(
    poll: Poll<io::Result<T>>,
    timer: &mut Option<Pin<Box<Sleep>>>,
    limit: Duration,
    cx: &mut Context<'_>,
) -> Poll<io::Result<T>> {
    match poll {
        Poll::Pending => {
            let sleep = timer.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
            match sleep.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(io::ErrorKind::TimedOut.into())),
                Poll::Pending => Poll::Pending,
            }
        }
        ready => {
            *timer = None;
            ready
        }
    }
}

impl AsyncRead for Deadline {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let started = this.requests.started.load(Ordering::SeqCst);
        // A head parsed since this one began: it has arrived.
        if this.head.as_ref().is_some_and(|(_, at)| *at != started) {
            this.head = None;
        }
        let before = buf.filled().len();
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        // Bytes while no request is being answered begin a head: it must arrive within `limit`
        // (bytes while one is, are its body or pipelined requests, bounded otherwise).
        if matches!(poll, Poll::Ready(Ok(())))
            && buf.filled().len() > before
            && this.head.is_none()
            && this.requests.done.load(Ordering::SeqCst) == started
        {
            this.head = Some((Box::pin(tokio::time::sleep(this.limit)), started));
        }
        if let (Poll::Pending, Some((deadline, _))) = (&poll, this.head.as_mut())
            && deadline.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(Err(io::ErrorKind::TimedOut.into()));
        }
        watch(poll, &mut this.read, IDLE_TIMEOUT.max(this.limit), cx)
    }
}

impl AsyncWrite for Deadline {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        watch(poll, &mut this.write, this.limit, cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        watch(poll, &mut this.write, this.limit, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_flush(cx);
        watch(poll, &mut this.write, this.limit, cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_shutdown(cx);
        watch(poll, &mut this.write, this.limit, cx)
    }
}

fn json_reply(status: u16, body: &Value) -> Reply {
    (
        status,
        vec![("Content-Type", "application/x-amz-json-1.1".into())],
        body.to_string(),
    )
}

pub(crate) fn fault_reply(f: &Fault) -> Reply {
    (
        f.status,
        vec![
            ("Content-Type", "application/x-amz-json-1.1".into()),
            ("x-amzn-ErrorType", f.kind.into()),
        ],
        json!({"__type": f.kind, "message": f.message}).to_string(),
    )
}

async fn handle(shared: &Shared, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    // The pre-signed URLs of import jobs take CSV files larger than an API call.
    let limit = crate::web::upload::body_limit(parts.uri.path()).unwrap_or(MAX_BODY);
    let collected =
        tokio::time::timeout(shared.io_timeout, Limited::new(body, limit).collect()).await;
    let reply = match collected {
        Ok(Ok(body)) => {
            let failures = shared.write_failures();
            let reply = dispatch(
                shared,
                &parts.method,
                &parts.uri,
                &parts.headers,
                &body.to_bytes(),
            )
            .await;
            // A change that did not reach the data directory is not acknowledged.
            if shared.write_failures() == failures {
                reply
            } else {
                fault_reply(&Fault {
                    status: 500,
                    kind: "InternalErrorException",
                    message: "the emulator could not write its data directory (see its stderr)"
                        .into(),
                })
            }
        }
        Ok(Err(_)) => fault_reply(&Fault {
            status: 413,
            kind: "SerializationException",
            message: format!("the body is unreadable or larger than {limit} bytes"),
        }),
        Err(_) => fault_reply(&Fault {
            status: 408,
            kind: "RequestTimeoutException",
            message: "the body did not arrive in time".into(),
        }),
    };
    answer(shared, reply)
}

/// The HTTP response of `reply`, with the request id and the idle connection's timeout.
fn answer(shared: &Shared, reply: Reply) -> Response<Full<Bytes>> {
    let request_id = shared.request_id();
    let idle = IDLE_TIMEOUT.max(shared.io_timeout).as_secs();
    build(reply, &request_id, idle).unwrap_or_else(|| {
        build(
            fault_reply(&Fault {
                status: 400,
                kind: "InvalidParameterException",
                message: "the answer would carry an invalid header value".into(),
            }),
            &request_id,
            idle,
        )
        .unwrap_or_default()
    })
}

/// The response, or `None` when a header value is not a valid one (control characters).
fn build(
    (status, headers, body): Reply,
    request_id: &str,
    idle: u64,
) -> Option<Response<Full<Bytes>>> {
    let mut response = Response::builder().status(status);
    for (k, v) in headers {
        response = response.header(k, HeaderValue::from_str(&v).ok()?);
    }
    response
        .header("x-amzn-RequestId", request_id)
        .header("Keep-Alive", format!("timeout={idle}"))
        .body(Full::new(Bytes::from(body)))
        .ok()
}

/// Whether the request's `Host` names this emulator: a loopback name (`localhost`,
/// `127.0.0.1`, `[::1]`) or one of `allowed`, with any port. A request without `Host` (HTTP/1.0)
/// is answered: a browser always sends one.
fn host_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(host) = headers.get(http::header::HOST) else {
        return true;
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or(host, |(v6, _)| v6),
        None => host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                name
            } else {
                host
            }
        }),
    };
    let name = name.trim_end_matches('.');
    ["localhost", "127.0.0.1", "::1"]
        .iter()
        .any(|l| name.eq_ignore_ascii_case(l))
        || allowed.iter().any(|a| {
            let a = a.trim_start_matches('[').trim_end_matches(']');
            name.eq_ignore_ascii_case(a)
        })
}

/// The answer to a request for another host (DNS rebinding): 403.
fn refuse_host(shared: &Shared) -> Response<Full<Bytes>> {
    answer(
        shared,
        fault_reply(&Fault {
            status: 403,
            kind: "ForbiddenException",
            message: "the Host header names another site: the emulator answers localhost, \
                      127.0.0.1, [::1] and the names given with --allow-host"
                .into(),
        }),
    )
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

pub(crate) async fn dispatch(
    shared: &Shared,
    method: &Method,
    uri: &http::Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    let path = uri.path();
    let query = uri.query().unwrap_or("");
    if let Some(reply) = crate::web::federation::route(shared, method, path, query, headers).await {
        return reply;
    }
    if let Some(reply) = crate::web::cimd::route(shared, method, path, query).await {
        return reply;
    }
    if let Some(reply) = crate::web::login::route(shared, method, path, query, headers, body).await
    {
        return crate::web::login::after_sign_in(shared, method, path, reply).await;
    }
    if let Some(reply) = crate::web::upload::route(shared, method, path, query, body) {
        return reply;
    }
    if let Some(reply) = crate::web::controls::route(shared, method, path, body) {
        return reply;
    }
    if let Some(reply) = crate::web::oauth::well_known(shared, method, path, query) {
        return reply;
    }
    if path.starts_with("/oauth2/") {
        let authorization = header(headers, "authorization");
        return crate::web::oauth::endpoint(shared, path, query, authorization.as_deref(), body)
            .await;
    }
    if *method != Method::POST {
        return fault_reply(&Fault {
            status: 405,
            kind: "UnknownOperationException",
            message: "Cognito's API takes POST".into(),
        });
    }
    let target = header(headers, "x-amz-target").unwrap_or_default();
    let body: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return fault_reply(&Fault {
                status: 400,
                kind: "SerializationException",
                message: "the body is not a JSON object".into(),
            });
        }
    };
    let operation = target
        .strip_prefix("AWSCognitoIdentityProviderService.")
        .unwrap_or("");
    match crate::api::dispatch(shared, operation, &body).await {
        Ok(value) => json_reply(200, &value),
        Err(f) => fault_reply(&f),
    }
}
