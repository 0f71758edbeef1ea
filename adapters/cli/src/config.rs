//! Profiles: `config.toml` in the platform's config directory (`$XDG_CONFIG_HOME/cognito` on
//! Linux), one `[profiles.NAME]` table each, chosen with `--profile` or `COGNITO_PROFILE`
//! (`default` otherwise). A profile never holds a secret: the client secret lives in the
//! secret store beside the saved session (see `store.rs`).
//!
//! ```toml
//! [profiles.default]
//! user_pool_id = "us-east-1_AbC123"
//! client_id = "1example23456789"
//! endpoint = "http://127.0.0.1:9229/"      # optional: an emulator, a proxy
//! hosted_ui_domain = "https://example.auth.us-east-1.amazoncognito.com"  # optional
//! callback_port = 8765                      # optional: the hosted-UI login's loopback port
//! session_store = "auto"                    # optional: auto (keyring, else file), keyring, file
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use directories::ProjectDirs;
use serde::{Deserialize, Serialize};

/// Where the CLI keeps its files.
#[derive(Debug, Clone)]
pub(crate) struct Dirs {
    /// The config directory (`config.toml`).
    pub config: PathBuf,
    /// The state directory (saved sessions, when they are not in the keyring).
    pub state: PathBuf,
}

impl Dirs {
    /// The platform's directories for `cognito`: XDG on Linux (`~/.config/cognito`,
    /// `~/.local/state/cognito`), `~/Library/Application Support` on macOS, `%APPDATA%` on
    /// Windows.
    pub fn platform() -> io::Result<Self> {
        let dirs = ProjectDirs::from("", "", "cognito").ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "no home directory to keep files in",
            )
        })?;
        Ok(Self {
            config: dirs.config_dir().to_path_buf(),
            state: dirs
                .state_dir()
                .unwrap_or_else(|| dirs.data_local_dir())
                .to_path_buf(),
        })
    }

    /// `config.toml`.
    pub fn config_file(&self) -> PathBuf {
        self.config.join("config.toml")
    }
}

/// Where a profile's session is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum StoreChoice {
    /// The OS keyring when one answers, else the file.
    #[default]
    Auto,
    /// The OS keyring only.
    Keyring,
    /// The 0600 file only.
    File,
}

impl std::str::FromStr for StoreChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Self::Auto),
            "keyring" => Ok(Self::Keyring),
            "file" => Ok(Self::File),
            other => Err(format!("{other:?} is not auto, keyring or file")),
        }
    }
}

/// One profile: a pool and an app client.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    /// The user pool id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_id: Option<String>,
    /// The app client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Another endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The hosted UI's domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosted_ui_domain: Option<String>,
    /// The hosted-UI login's loopback port (random when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_port: Option<u16>,
    /// Where the session is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_store: Option<StoreChoice>,
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    /// The profiles, by name.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

impl Config {
    /// Reads `path`; a missing file is an empty config, a broken one a clear error.
    pub fn load(path: &Path) -> io::Result<Self> {
        match fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: {}", path.display(), e.message()),
                )
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(e),
        }
    }

    /// Writes `path` (nothing in it is secret; still written atomically, so that an
    /// interrupted `configure` never leaves half a file).
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let text = toml::to_string_pretty(self).map_err(io::Error::other)?;
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("toml.tmp");
        fs::write(&tmp, text)?;
        fs::rename(&tmp, path)
    }
}

/// A profile name: letters, digits, `-`, `_` and `.` (it names files and keyring entries).
pub(crate) fn check_profile_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not a profile name (letters, digits, '-', '_', '.')"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_round_trips_and_unknown_keys_are_refused() {
        let mut config = Config::default();
        config.profiles.insert(
            "dev".into(),
            Profile {
                user_pool_id: Some("us-east-1_X".into()),
                client_id: Some("c".into()),
                callback_port: Some(8765),
                session_store: Some(StoreChoice::File),
                ..Profile::default()
            },
        );
        let text = toml::to_string_pretty(&config).unwrap();
        assert_eq!(toml::from_str::<Config>(&text).unwrap(), config);
        assert!(toml::from_str::<Config>("[profiles.a]\nclient_secret = \"s\"\n").is_err());
    }

    #[test]
    fn profile_names_cannot_escape_their_directory() {
        assert!(check_profile_name("dev-1.eu").is_ok());
        for bad in ["", "../x", "a/b", ".hidden", "a b", "é"] {
            assert!(check_profile_name(bad).is_err(), "{bad}");
        }
    }
}
