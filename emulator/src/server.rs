//! The HTTP side: tiny_http on 127.0.0.1, one thread, Cognito's JSON 1.1 protocol.
//!
//! tiny_http is a small synchronous server with no runtime: right for an embedded loopback test
//! server that must start in milliseconds inside any test, sync or async.

use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Value, json};

use crate::jwt::Signer;
use crate::ops::Fault;
use crate::state::Inner;

pub(crate) struct Listener {
    server: tiny_http::Server,
    pub port: u16,
}

pub(crate) fn bind(port: u16) -> io::Result<Listener> {
    let server = tiny_http::Server::http(("127.0.0.1", port))
        .map_err(|e| io::Error::other(e.to_string()))?;
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .ok_or_else(|| io::Error::other("no IP address"))?;
    Ok(Listener { server, port })
}

pub(crate) struct Handle {
    pub port: u16,
    pub jwks: Value,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

pub(crate) fn serve(
    listener: Listener,
    inner: Arc<Mutex<Inner>>,
    signer: Signer,
) -> io::Result<Handle> {
    let stop = Arc::new(AtomicBool::new(false));
    let jwks = signer.jwks();
    let flag = Arc::clone(&stop);
    let Listener { server, port } = listener;
    let thread = std::thread::Builder::new()
        .name(format!("cognito-emulator-{port}"))
        .spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                match server.recv_timeout(Duration::from_millis(50)) {
                    Ok(Some(request)) => handle(request, &inner, &signer),
                    Ok(None) => {}
                    Err(_) => break,
                }
            }
        })?;
    Ok(Handle {
        port,
        jwks,
        stop,
        thread: Some(thread),
    })
}

fn respond(request: tiny_http::Request, status: u16, body: &Value) {
    let header =
        tiny_http::Header::from_bytes(&b"Content-Type"[..], &b"application/x-amz-json-1.1"[..]);
    let mut response = tiny_http::Response::from_string(body.to_string()).with_status_code(status);
    if let Ok(h) = header {
        response.add_header(h);
    }
    let _ = request.respond(response);
}

fn error(request: tiny_http::Request, f: &Fault) {
    let mut response = tiny_http::Response::from_string(
        json!({"__type": f.kind, "message": f.message}).to_string(),
    )
    .with_status_code(f.status);
    for (k, v) in [
        ("Content-Type", "application/x-amz-json-1.1"),
        ("x-amzn-ErrorType", f.kind),
    ] {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
}

fn reply(request: tiny_http::Request, (status, headers, body): crate::oauth::Reply) {
    let mut response = tiny_http::Response::from_string(body).with_status_code(status);
    for (k, v) in headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
}

fn header(request: &tiny_http::Request, name: &'static str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str().to_owned())
}

fn handle(mut request: tiny_http::Request, inner: &Arc<Mutex<Inner>>, signer: &Signer) {
    let url = request.url().to_owned();
    if *request.method() == tiny_http::Method::Get && url.ends_with("/.well-known/jwks.json") {
        return respond(request, 200, &signer.jwks());
    }
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    if path.starts_with("/oauth2/") {
        let authorization = header(&request, "Authorization");
        let mut body = Vec::new();
        let _ = request.as_reader().take(1 << 20).read_to_end(&mut body);
        let mut state = inner.lock().unwrap_or_else(|p| p.into_inner());
        let answer = match path {
            "/oauth2/authorize" => state.authorize(query),
            "/oauth2/token" => state.token_endpoint(signer, authorization.as_deref(), &body),
            "/oauth2/revoke" => state.revoke_endpoint(authorization.as_deref(), &body),
            "/oauth2/userInfo" => state.user_info(authorization.as_deref()),
            _ => (404, Vec::new(), String::new()),
        };
        drop(state);
        return reply(request, answer);
    }
    if *request.method() != tiny_http::Method::Post {
        return error(
            request,
            &Fault {
                status: 405,
                kind: "UnknownOperationException",
                message: "only POST".into(),
            },
        );
    }
    let target = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("X-Amz-Target"))
        .map(|h| h.value.as_str().to_owned())
        .unwrap_or_default();
    let mut raw = Vec::new();
    if request
        .as_reader()
        .take(1 << 20)
        .read_to_end(&mut raw)
        .is_err()
    {
        return error(
            request,
            &Fault {
                status: 400,
                kind: "SerializationException",
                message: "unreadable body".into(),
            },
        );
    }
    let body: Value = match serde_json::from_slice(&raw) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return error(
                request,
                &Fault {
                    status: 400,
                    kind: "SerializationException",
                    message: "the body is not a JSON object".into(),
                },
            );
        }
    };
    let operation = target
        .strip_prefix("AWSCognitoIdentityProviderService.")
        .unwrap_or("");
    let mut state = inner.lock().unwrap_or_else(|p| p.into_inner());
    let answer = match operation {
        "InitiateAuth" => state.initiate_auth(signer, &body),
        "RespondToAuthChallenge" => state.respond_to_auth_challenge(signer, &body),
        "SignUp" => state.sign_up(&body),
        "ConfirmSignUp" => state.confirm_sign_up(&body),
        "ResendConfirmationCode" => state.resend_confirmation_code(&body),
        "ForgotPassword" => state.forgot_password(&body),
        "ConfirmForgotPassword" => state.confirm_forgot_password(&body),
        "ChangePassword" => state.change_password(&body),
        "GetUser" => state.get_user(&body),
        "UpdateUserAttributes" => state.update_user_attributes(&body),
        "DeleteUserAttributes" => state.delete_user_attributes(&body),
        "GetUserAttributeVerificationCode" => state.get_user_attribute_verification_code(&body),
        "VerifyUserAttribute" => state.verify_user_attribute(&body),
        "SetUserMFAPreference" => state.set_user_mfa_preference(&body),
        "SetUserSettings" => state.set_user_settings(&body),
        "AssociateSoftwareToken" => state.associate_software_token(&body),
        "VerifySoftwareToken" => state.verify_software_token(&body),
        "GlobalSignOut" => state.global_sign_out(&body),
        "RevokeToken" => state.revoke_token(&body),
        "DeleteUser" => state.delete_user(&body),
        "ConfirmDevice" => state.confirm_device(&body),
        "UpdateDeviceStatus" => state.update_device_status(&body),
        "ListDevices" => state.list_devices(&body),
        "GetDevice" => state.get_device(&body),
        "ForgetDevice" => state.forget_device(&body),
        _ => Err(Fault {
            status: 400,
            kind: "UnknownOperationException",
            message: format!("unknown operation {target:?}"),
        }),
    };
    drop(state);
    match answer {
        Ok(value) => respond(request, 200, &value),
        Err(f) => error(request, &f),
    }
}
