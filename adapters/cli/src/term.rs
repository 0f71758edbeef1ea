//! The terminal: strings from the server made safe to print, and the progress line on stderr
//! while a request takes more than a moment.

use std::io::{IsTerminal as _, Write as _};
use std::sync::mpsc;
use std::time::Duration;

/// How long a request may take before the progress line shows.
const MOMENT: Duration = Duration::from_millis(600);

/// `s` without terminal control characters (escape sequences, carriage returns, bells, C1
/// controls, bidirectional overrides, newlines: one line stays one line): what a server sent can neither move the cursor, recolor
/// the terminal nor overwrite what was printed before. Each is shown as `\u{..}`.
pub(crate) fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || bidi {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// [`clean`] over every string of a JSON value (keys too).
pub(crate) fn clean_json(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(clean(s)),
        Value::Array(items) => Value::Array(items.iter().map(clean_json).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (clean(k), clean_json(v))).collect())
        }
        other => other.clone(),
    }
}

/// Sends `request` with `agent`; when stderr is a terminal and the answer takes more than a
/// moment, says on stderr what it waits for, and clears the line when the answer comes.
pub(crate) fn send(
    agent: &ureq::Agent,
    request: http::Request<Vec<u8>>,
) -> Result<http::Response<Vec<u8>>, ureq::Error> {
    if !std::io::stderr().is_terminal() {
        return cognito_flows_ureq::send(agent, request);
    }
    let host = request
        .uri()
        .authority()
        .map(|a| a.host().to_owned())
        .unwrap_or_default();
    std::thread::scope(|scope| {
        let (done, wait) = mpsc::channel::<()>();
        scope.spawn(move || {
            if wait.recv_timeout(MOMENT) == Err(mpsc::RecvTimeoutError::Timeout) {
                eprint!("waiting for {host}...");
                let _ = std::io::stderr().flush();
                let _ = wait.recv();
                eprint!("\r\x1b[K");
                let _ = std::io::stderr().flush();
            }
        });
        let answer = cognito_flows_ureq::send(agent, request);
        drop(done);
        answer
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(clean("ok"), "ok");
        assert_eq!(clean("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(clean("x\ry\u{7}"), "x\\u{d}y\\u{7}");
        assert_eq!(clean("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(clean("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(clean("two\nlines"), "two\\u{a}lines");
        let v = serde_json::json!({"k\x1b": ["\x07", 1]});
        assert_eq!(
            clean_json(&v),
            serde_json::json!({"k\\u{1b}": ["\\u{7}", 1]})
        );
    }
}
