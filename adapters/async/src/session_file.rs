//! Keeping a [`StoredSession`] in a file, safely.
//!
//! A session's serde form holds the refresh token, the access and id tokens and the device's
//! password in clear (`Debug` redacts them; serde cannot). [`save_session`] writes it where only
//! its owner can read it (mode `0600` on Unix) and atomically: the JSON goes to a temporary file
//! beside the target, is flushed to disk, then renamed over it, so a crash mid-write leaves the
//! previous session whole. The serialized bytes are zeroized once written. The OS keyring is the
//! other good home for a session; never log it, put it in a URL or pass it on a command line.
//!
//! Both functions block (they are plain file I/O): in async code, call them from
//! `spawn_blocking` or your executor's equivalent.
//!
//! ```no_run
//! use std::path::Path;
//! use cognito_flows_async::{load_session, save_session};
//!
//! let path = Path::new("session.json");
//! let session = load_session(path)?;
//! // ... refresh it ...
//! save_session(path, &session)?;
//! # Ok::<(), std::io::Error>(())
//! ```

use std::fs::{self, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use cognito_flows::StoredSession;
use zeroize::Zeroizing;

/// Writes `session` to `path`: owner-only (`0600` on Unix), atomically (a temporary file in the
/// same directory, flushed, then renamed over `path`), so a crash mid-write leaves the previous
/// session whole; the JSON (which holds the refresh token in clear) is zeroized once written.
/// Blocking file I/O: in async code, call it from `spawn_blocking`.
pub fn save_session(path: &Path, session: &StoredSession) -> io::Result<()> {
    let json = Zeroizing::new(serde_json::to_vec(session)?);
    write_private(path, &json)
}

/// Writes `bytes` to `path` as [`save_session`] writes a session: owner-only (`0600` on Unix),
/// atomically (a temporary file in the same directory, flushed, then renamed over `path`), so
/// that a crash mid-write leaves the previous content whole. For other secrets kept beside a
/// session (a client secret); the caller zeroizes `bytes`.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = temporary(path);
    // A temporary file left by a crash is stale: it never replaced the session.
    match fs::remove_file(&tmp) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&tmp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    match written.and_then(|()| fs::rename(&tmp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Reads the session [`save_session`] wrote. A file that is not a session is
/// [`io::ErrorKind::InvalidData`], never a panic.
pub fn load_session(path: &Path) -> io::Result<StoredSession> {
    let bytes = Zeroizing::new(fs::read(path)?);
    serde_json::from_slice(&bytes).map_err(|e| {
        // serde_json's message names a line and column, never the content.
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not a saved session: {e}"),
        )
    })
}

/// `session.json` -> `.session.json.tmp`, in the same directory (a rename across file systems
/// would not be atomic).
fn temporary(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "session".to_owned());
    path.with_file_name(format!(".{name}.tmp"))
}
