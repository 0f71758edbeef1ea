//! Refresh a stored session: `cargo run -p cognito-flows-ureq --example refresh -- POOL_ID CLIENT_ID session.json`
//! (the session as `serde_json::to_string(&StoredSession)` wrote it).

use cognito_flows::{StoredSession, UserPool};
use cognito_flows_ureq::Client;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [pool_id, client_id, path] = args.as_slice() else {
        return Err("usage: refresh POOL_ID CLIENT_ID SESSION_FILE".into());
    };
    let client = Client::new(UserPool::new(pool_id, client_id.as_str())?);
    let mut session: StoredSession = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    if session.needs_refresh(
        std::time::SystemTime::now(),
        std::time::Duration::from_secs(300),
    ) {
        client.refresh(&mut session)?;
        save(path, &session)?;
        eprintln!("refreshed");
    }
    Ok(())
}

/// Writes the session where only its owner can read it (mode 0600), atomically (a temporary file,
/// then a rename), so a crash never leaves half a session behind. Its serde form holds the refresh
/// token in clear: see `StoredSession`'s docs ("Storing it safely"); the OS keyring is the other
/// good home for it.
fn save(path: &str, session: &StoredSession) -> std::io::Result<()> {
    use std::io::Write as _;
    let tmp = format!("{path}.tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    file.write_all(serde_json::to_string(session)?.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}
