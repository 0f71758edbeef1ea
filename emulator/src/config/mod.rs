//! The `cognito-emulator` binary's config file and start-up plan, in the library so that they
//! are tested and fuzzed without the binary (`main.rs` keeps the flags and the process):
//! `file.rs` (the config file's schema and checks), `plan.rs` (the flags over the file, seeding a
//! new state, restoring a data directory); `tests.rs`.

mod file;
mod plan;
#[cfg(test)]
mod tests;

#[cfg(feature = "fuzzing")]
pub(crate) use file::parse_config;
pub use file::{DeviceSetting, MfaSetting};
#[cfg(feature = "fuzzing")]
pub(crate) use plan::plan_file;
pub use plan::{Flags, Plan, Running, plan, start};

/// The password of the user created when neither flags nor the config file name any.
pub const DEFAULT_PASSWORD: &str = "Passw0rd!";

/// The data directory when neither --data nor --memory is given.
pub const DEFAULT_DATA: &str = ".cognito-emulator";
/// The first line of the first start, kept in the data directory for the next ones.
pub(crate) const SETUP_FILE: &str = "setup.json";

/// Why the emulator did not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Bad flags or config (exit code 2).
    Config(String),
    /// The server could not start (exit code 1).
    Start(String),
}
