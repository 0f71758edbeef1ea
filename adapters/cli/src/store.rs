//! Where a profile's secrets live: its saved session (tokens, user name, the remembered
//! device's credentials) and its app client's secret.
//!
//! The OS keyring (Secret Service on Linux, the Keychain on macOS, the Credential Manager on
//! Windows, through the `keyring` crate) when one answers; otherwise files created `0600` in the
//! state directory (`$XDG_STATE_HOME/cognito` on Linux), written atomically by the adapter's
//! `save_session` / `write_private` (temporary file, fsync, rename), so a crash never leaves
//! half a session. `cognito status` says which.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use cognito_flows::{DeviceCredentials, SecretString, StoredSession};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::config::{Dirs, StoreChoice};

/// Stands in for the `keyring` crate in a build without the `keyring` feature: no entry can be
/// opened, so `auto` falls back to the files and `keyring` says why it cannot be used.
#[cfg(not(feature = "keyring"))]
mod keyring {
    use std::fmt;

    /// Why the keyring failed; only `PlatformFailure` is ever made.
    #[derive(Debug)]
    pub enum Error {
        #[allow(dead_code)] // matched, as with the real crate, never made
        NoEntry,
        PlatformFailure(Box<dyn std::error::Error + Send + Sync>),
        #[allow(dead_code)] // matched, as with the real crate, never made
        NoStorageAccess(Box<dyn std::error::Error + Send + Sync>),
    }

    impl fmt::Display for Error {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                Self::NoEntry => f.write_str("no entry"),
                Self::PlatformFailure(e) | Self::NoStorageAccess(e) => e.fmt(f),
            }
        }
    }

    /// An entry that cannot exist: [`Entry::new`] always fails.
    pub struct Entry(std::convert::Infallible);

    impl Entry {
        pub fn new(_service: &str, _user: &str) -> Result<Self, Error> {
            Err(Error::PlatformFailure(
                "this cognito was built without the `keyring` feature".into(),
            ))
        }

        pub fn get_password(&self) -> Result<String, Error> {
            match self.0 {}
        }

        pub fn set_password(&self, _: &str) -> Result<(), Error> {
            match self.0 {}
        }

        pub fn delete_credential(&self) -> Result<(), Error> {
            match self.0 {}
        }
    }
}

/// The keyring service name the entries are kept under.
const SERVICE: &str = "cognito-cli";

/// The remembered device kept after a sign-out (the JS SDK keeps its device keys too), for the
/// next sign-in of the same user: device SRP instead of MFA.
#[derive(Serialize, Deserialize)]
pub(crate) struct KeptDevice {
    /// The user the device was remembered for.
    pub username: String,
    /// Its credentials.
    pub device: DeviceCredentials,
}

/// One profile's secret store.
pub(crate) struct Secrets {
    profile: String,
    backend: Backend,
    /// The state directory (the files, and the locks of both stores).
    state: PathBuf,
}

enum Backend {
    Keyring,
    /// The files, and why the keyring was not used (when it was not asked for).
    File {
        dir: PathBuf,
        why: Option<String>,
    },
}

/// What a keyring failure says, without ever its secret.
fn keyring_error(e: &keyring::Error) -> String {
    match e {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            inner.to_string()
        }
        other => other.to_string(),
    }
}

impl Secrets {
    /// The store for `profile`: the keyring when `choice` allows it and it answers, else the
    /// files under `dirs.state`.
    pub fn open(choice: StoreChoice, dirs: &Dirs, profile: &str) -> Result<Self, String> {
        let file = |why| Backend::File {
            dir: dirs.state.clone(),
            why,
        };
        let backend = match choice {
            StoreChoice::File => file(None),
            StoreChoice::Keyring | StoreChoice::Auto => match probe(profile) {
                Ok(()) => Backend::Keyring,
                Err(e) if choice == StoreChoice::Auto => file(Some(e)),
                Err(e) => return Err(format!("the OS keyring is not available: {e}")),
            },
        };
        Ok(Self {
            profile: profile.to_owned(),
            backend,
            state: dirs.state.clone(),
        })
    }

    /// Which store, in words (for `status`).
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Keyring => format!(
                "OS keyring (service {SERVICE:?}, entry {:?})",
                self.key("session")
            ),
            Backend::File { why, .. } => {
                let path = self.session_path();
                match why {
                    Some(why) => {
                        format!("file {} (mode 0600; no OS keyring: {why})", path.display())
                    }
                    None => format!("file {} (mode 0600)", path.display()),
                }
            }
        }
    }

    fn key(&self, what: &str) -> String {
        format!("{}/{what}", self.profile)
    }

    fn entry(&self, what: &str) -> io::Result<keyring::Entry> {
        keyring::Entry::new(SERVICE, &self.key(what))
            .map_err(|e| io::Error::other(keyring_error(&e)))
    }

    /// `sessions/{profile}.json`.
    pub fn session_path(&self) -> PathBuf {
        match &self.backend {
            Backend::File { dir, .. } => {
                dir.join("sessions").join(format!("{}.json", self.profile))
            }
            Backend::Keyring => PathBuf::new(),
        }
    }

    /// `devices/{profile}.json`: the device kept after a sign-out.
    fn device_path(&self) -> PathBuf {
        match &self.backend {
            Backend::File { dir, .. } => dir.join("devices").join(format!("{}.json", self.profile)),
            Backend::Keyring => PathBuf::new(),
        }
    }

    fn secret_path(&self) -> PathBuf {
        match &self.backend {
            Backend::File { dir, .. } => dir
                .join("secrets")
                .join(format!("{}.client-secret", self.profile)),
            Backend::Keyring => PathBuf::new(),
        }
    }

    /// The saved session, if any. One that cannot be read is an error (never its content).
    pub fn load_session(&self) -> io::Result<Option<StoredSession>> {
        match &self.backend {
            Backend::Keyring => match self.entry("session")?.get_password() {
                Ok(json) => {
                    let json = Zeroizing::new(json);
                    serde_json::from_str(&json).map(Some).map_err(|e| {
                        io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("not a saved session: {e}"),
                        )
                    })
                }
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(io::Error::other(keyring_error(&e))),
            },
            Backend::File { .. } => match cognito_flows_ureq::load_session(&self.session_path()) {
                Ok(session) => Ok(Some(session)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            },
        }
    }

    /// Saves `session`, replacing the previous one whole.
    pub fn save_session(&self, session: &StoredSession) -> io::Result<()> {
        match &self.backend {
            Backend::Keyring => {
                let json = Zeroizing::new(serde_json::to_string(session)?);
                self.entry("session")?
                    .set_password(&json)
                    .map_err(|e| io::Error::other(keyring_error(&e)))
            }
            Backend::File { .. } => {
                let path = self.session_path();
                private_dir(&path)?;
                cognito_flows_ureq::save_session(&path, session)
            }
        }
    }

    /// Deletes the saved session; `false` when there was none.
    pub fn delete_session(&self) -> io::Result<bool> {
        match &self.backend {
            Backend::Keyring => match self.entry("session")?.delete_credential() {
                Ok(()) => Ok(true),
                Err(keyring::Error::NoEntry) => Ok(false),
                Err(e) => Err(io::Error::other(keyring_error(&e))),
            },
            Backend::File { .. } => remove(&self.session_path()),
        }
    }

    /// Keeps `device`, remembered for `username`, after the session is gone.
    pub fn keep_device(&self, username: &str, device: &DeviceCredentials) -> io::Result<()> {
        let kept = KeptDevice {
            username: username.to_owned(),
            device: device.clone(),
        };
        let json = Zeroizing::new(serde_json::to_string(&kept)?);
        match &self.backend {
            Backend::Keyring => self
                .entry("device")?
                .set_password(&json)
                .map_err(|e| io::Error::other(keyring_error(&e))),
            Backend::File { .. } => {
                let path = self.device_path();
                private_dir(&path)?;
                cognito_flows_ureq::write_private(&path, json.as_bytes())
            }
        }
    }

    /// The device kept at the last sign-out, if any.
    pub fn load_device(&self) -> io::Result<Option<KeptDevice>> {
        let json = match &self.backend {
            Backend::Keyring => match self.entry("device")?.get_password() {
                Ok(json) => Zeroizing::new(json),
                Err(keyring::Error::NoEntry) => return Ok(None),
                Err(e) => return Err(io::Error::other(keyring_error(&e))),
            },
            Backend::File { .. } => match fs::read_to_string(self.device_path()) {
                Ok(json) => Zeroizing::new(json),
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(e),
            },
        };
        // Never serde's message: it may quote the content.
        serde_json::from_str(&json).map(Some).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "not a kept device (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
        })
    }

    /// Deletes the kept device's credentials; `false` when there were none.
    pub fn delete_device(&self) -> io::Result<bool> {
        match &self.backend {
            Backend::Keyring => match self.entry("device")?.delete_credential() {
                Ok(()) => Ok(true),
                Err(keyring::Error::NoEntry) => Ok(false),
                Err(e) => Err(io::Error::other(keyring_error(&e))),
            },
            Backend::File { .. } => remove(&self.device_path()),
        }
    }

    /// Holds the profile's lock (`locks/{profile}.lock` in the state directory, whichever store
    /// holds the session) until dropped: one refresh at a time.
    pub fn lock(&self) -> io::Result<fs::File> {
        let path = self
            .state
            .join("locks")
            .join(format!("{}.lock", self.profile));
        private_dir(&path)?;
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        file.lock()?;
        Ok(file)
    }

    /// The app client's secret, if one was configured.
    pub fn client_secret(&self) -> io::Result<Option<SecretString>> {
        match &self.backend {
            Backend::Keyring => match self.entry("client-secret")?.get_password() {
                Ok(secret) => Ok(Some(SecretString::from(secret))),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(io::Error::other(keyring_error(&e))),
            },
            Backend::File { .. } => match fs::read(self.secret_path()) {
                Ok(bytes) => {
                    let bytes = Zeroizing::new(bytes);
                    let text = std::str::from_utf8(&bytes).map_err(|_| {
                        io::Error::new(io::ErrorKind::InvalidData, "the client secret is not text")
                    })?;
                    Ok(Some(SecretString::from(text.trim().to_owned())))
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            },
        }
    }

    /// Keeps (or, with `None`, removes) the app client's secret.
    pub fn set_client_secret(&self, secret: Option<&SecretString>) -> io::Result<()> {
        match (&self.backend, secret) {
            (Backend::Keyring, Some(secret)) => self
                .entry("client-secret")?
                .set_password(secret.expose())
                .map_err(|e| io::Error::other(keyring_error(&e))),
            (Backend::Keyring, None) => match self.entry("client-secret")?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(io::Error::other(keyring_error(&e))),
            },
            (Backend::File { .. }, Some(secret)) => {
                let path = self.secret_path();
                private_dir(&path)?;
                cognito_flows_ureq::write_private(&path, secret.expose().as_bytes())
            }
            (Backend::File { .. }, None) => remove(&self.secret_path()).map(|_| ()),
        }
    }
}

/// Whether the keyring answers: reading an entry works or says there is none.
fn probe(profile: &str) -> Result<(), String> {
    let entry = keyring::Entry::new(SERVICE, &format!("{profile}/session"))
        .map_err(|e| keyring_error(&e))?;
    match entry.get_password() {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(keyring_error(&e)),
    }
}

/// Creates the file's directory, owner-only (`0700` on Unix).
fn private_dir(path: &Path) -> io::Result<()> {
    let Some(dir) = path.parent() else {
        return Ok(());
    };
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn remove(path: &Path) -> io::Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}
