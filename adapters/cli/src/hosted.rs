//! `cognito login --hosted-ui`: the authorization code flow with PKCE and `state`, its
//! redirect received by a one-shot listener on 127.0.0.1 (`http://localhost:PORT/callback`,
//! the port random or configured, registered as a callback URL of the app client).

use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use cognito_flows::flows::hosted_ui::{HostedUi, parse_callback};
use cognito_flows::{Input, Prompt, SecretString, Tokens};
use cognito_flows_ureq::{PromptError, drive_with, entropy};

use crate::Failure;
use crate::term;

/// How the login runs.
pub(crate) struct Login<'a> {
    /// The hosted UI's domain (`https://...`; the emulator's endpoint for tests).
    pub domain: &'a str,
    /// The app client.
    pub client_id: &'a str,
    /// Its secret, sent as HTTP Basic to the token endpoint.
    pub client_secret: Option<SecretString>,
    /// The loopback port; 0 picks a free one.
    pub port: u16,
    /// The scopes asked for.
    pub scopes: Vec<String>,
    /// Open the system browser (else only print the URL).
    pub open_browser: bool,
    /// How long to wait for the browser to come back.
    pub timeout: Duration,
}

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>cognito</title>\
<p>Signed in. You can close this window and go back to the terminal.</p>";

impl Login<'_> {
    /// Runs the login; the tokens once the code is exchanged.
    pub fn run(self, agent: &ureq::Agent) -> Result<Tokens, Failure> {
        let server = tiny_http::Server::http(("127.0.0.1", self.port)).map_err(|e| {
            Failure::Usage(format!("cannot listen on 127.0.0.1:{}: {e}", self.port))
        })?;
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or_else(|| Failure::Usage("the listener has no port".into()))?;
        let redirect = format!("http://localhost:{port}/callback");
        let mut ui = HostedUi::new(self.domain, self.client_id, &redirect)
            .map_err(|e| Failure::Usage(e.to_string()))?
            .with_scopes(self.scopes.iter().map(String::as_str));
        if let Some(secret) = &self.client_secret {
            ui = ui.with_client_secret(secret.expose());
        }
        let seed = entropy().map_err(|e| Failure::Usage(format!("no randomness: {e}")))?;
        let flow = ui.authorize(seed);
        let deadline = Instant::now() + self.timeout;
        let answer = |prompt: Prompt| -> Result<Input, PromptError> {
            let Prompt::Authorize { url } = prompt else {
                return Err(format!("cannot answer {} here", prompt.kind()).into());
            };
            eprintln!(
                "Open this URL in a browser to sign in (the redirect comes back to {redirect}):"
            );
            eprintln!("  {url}");
            if self.open_browser && webbrowser::open(&url).is_err() {
                eprintln!("(no browser could be opened: open the URL yourself)");
            }
            if std::io::stderr().is_terminal() {
                eprintln!("Waiting for the browser...");
            }
            let state = param(&url, "state")
                .ok_or_else(|| PromptError::from("the authorize URL has no state"))?;
            Ok(Input::Callback(wait_for_callback(
                &server, &redirect, &state, deadline,
            )?))
        };
        drive_with(|request| term::send(agent, request), flow, answer).map_err(Failure::from)
    }
}

const NOT_OURS_PAGE: &str = "<!doctype html><meta charset=utf-8><title>cognito</title>\
<p>This is not the answer to the sign-in in progress: it was ignored.</p>";

/// The value of the query parameter `name` of `url`, if it has exactly one.
fn param(url: &str, name: &str) -> Option<String> {
    // `parse_callback` splits a URL into its parameters; the URL checked against itself
    // without its query, so only the parameters decide.
    let base = url.split(['?', '#']).next().unwrap_or(url);
    let pairs = parse_callback(url, base).ok()?;
    pairs.into_iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// The first request to `/callback` that carries `state` (others get a 404, and callbacks
/// with another state or none a 400: a web page can send the browser here with an `<img>`
/// tag, and that must not end the login), as the full redirect URL; a [`PromptError`]
/// holding a `TimedOut` I/O error when none comes before `deadline`.
fn wait_for_callback(
    server: &tiny_http::Server,
    redirect: &str,
    state: &str,
    deadline: Instant,
) -> Result<String, PromptError> {
    let html = || {
        tiny_http::Header::from_bytes("Content-Type", "text/html; charset=utf-8")
            .map_err(|()| std::io::Error::other("bad header"))
    };
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Some(request) = server.recv_timeout(left)? else {
            return Err(Box::new(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "no answer from the browser in time: run cognito login --hosted-ui again",
            )));
        };
        let url = request.url().to_owned();
        let query = match url.split_once('?') {
            Some(("/callback", query)) => query.to_owned(),
            _ if url == "/callback" => String::new(),
            _ => {
                let _ = request.respond(tiny_http::Response::empty(404));
                continue;
            }
        };
        let callback = format!("{redirect}?{query}");
        if param(&callback, "state").as_deref() != Some(state) {
            let page = tiny_http::Response::from_string(NOT_OURS_PAGE)
                .with_status_code(400)
                .with_header(html()?);
            let _ = request.respond(page);
            continue;
        }
        let _ = request.respond(tiny_http::Response::from_string(DONE_PAGE).with_header(html()?));
        return Ok(callback);
    }
}
