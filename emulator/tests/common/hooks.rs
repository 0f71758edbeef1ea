//! The Python webhook server of `clients/python/webhook_server.py` (standard library only), for
//! the tests of Lambda triggers as webhooks; killed and reaped on drop.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// The running webhook server.
pub struct Hooks {
    child: Child,
    _stdin: ChildStdin,
    /// The port it listens on, on 127.0.0.1.
    pub port: String,
}

impl Drop for Hooks {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Hooks {
    /// Starts the server (`$PYTHON`, else `python3`) and reads the port it prints.
    pub fn start() -> Self {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/clients/python/webhook_server.py"
        );
        let mut child = Command::new(std::env::var("PYTHON").unwrap_or_else(|_| "python3".into()))
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs the webhook server");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        // The port line, read with a deadline: a server that never prints fails the test.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut hooks = Self {
            child,
            _stdin: stdin,
            port: String::new(),
        };
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the webhook server prints its port");
        line.trim()
            .strip_prefix("PORT ")
            .expect("PORT <n>")
            .clone_into(&mut hooks.port);
        hooks
    }

    /// The URL of `path` on the server, as a pool's webhook setting takes it.
    pub fn url(&self, path: &str) -> Option<String> {
        Some(format!("http://127.0.0.1:{}{path}", self.port))
    }

    /// Every call the server received (`[{"path": .., "event": ..}]`), oldest first.
    pub fn calls(&self) -> Value {
        let response = super::send(
            &super::agent(),
            http::Request::get(format!("http://127.0.0.1:{}/calls", self.port))
                .body(Vec::new())
                .unwrap(),
        );
        serde_json::from_slice(response.body()).unwrap()
    }

    /// Every event the server received for `path`, oldest first.
    pub fn events(&self, path: &str) -> Vec<Value> {
        let Value::Array(calls) = self.calls() else {
            panic!("the webhook server's calls are not a list")
        };
        calls
            .into_iter()
            .filter(|c| c["path"] == path)
            .map(|c| c["event"].clone())
            .collect()
    }
}
