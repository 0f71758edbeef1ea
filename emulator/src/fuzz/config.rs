//! The `emulator_config` target: the `cognito-emulator` binary's config file. The first byte
//! chooses JSON or TOML, the rest is the file's text. A file is refused with a clear error (one
//! line or more of words, never a panic), or it is accepted and its plan starts an emulator in
//! memory that sets up what the file says, or refuses one of its records with a clear error (a
//! user twice, a TOTP secret that is not base32, ...).

use std::path::PathBuf;

use crate::config::{self, Failure, Flags};

/// The most users, groups, clients and pools an accepted file may have for its plan to be
/// started (each user's SRP verifier costs a 3072-bit exponentiation).
const MOST: usize = 8;

/// What became of an input.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// Not a file the binary reads (empty, not UTF-8), or too big to start.
    Skipped,
    /// Refused by the checks, with words.
    Refused,
    /// Accepted, and the start refused one of its records, with words.
    RecordRefused,
    /// Accepted and started.
    Started,
}

/// The fuzz body: any bytes.
pub fn config_file(data: &[u8]) {
    let _ = outcome(data);
}

fn outcome(data: &[u8]) -> Outcome {
    let Some((&kind, rest)) = data.split_first() else {
        return Outcome::Skipped;
    };
    // The binary reads the file as UTF-8 text (`read_to_string` refuses anything else).
    let Ok(text) = std::str::from_utf8(rest) else {
        return Outcome::Skipped;
    };
    let json = kind & 1 == 1;
    let file = match config::parse_config(text, json) {
        Ok(file) => file,
        Err(why) => {
            if why.trim().is_empty() {
                panic!("a refused config says nothing: {text:?}");
            }
            return Outcome::Refused;
        }
    };
    if file.size() > MOST {
        return Outcome::Skipped;
    }
    // In memory, on a free port: the file's port and data are not the fuzzer's to take.
    let flags = Flags {
        config: Some(PathBuf::from("fuzz.toml")),
        port: Some(0),
        memory: true,
        ..Flags::default()
    };
    let started = config::plan_file(flags, file, None).and_then(config::start);
    match started {
        Ok(running) => {
            let pools = running.emulator.pool_ids();
            if pools.is_empty() || running.line["pool_id"].as_str().is_none() {
                panic!("an accepted config started without a pool: {text:?}");
            }
            Outcome::Started
        }
        Err(Failure::Config(why) | Failure::Start(why)) => {
            if why.trim().is_empty() {
                panic!("a refused config says nothing: {text:?}");
            }
            Outcome::RecordRefused
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_reaches_every_outcome() {
        let example = include_str!("../../cognito-emulator.example.toml");
        let toml = |text: &str| [b"\x00".as_slice(), text.as_bytes()].concat();
        assert_eq!(outcome(&toml(example)), Outcome::Started);
        assert_eq!(outcome(b"\x01{}"), Outcome::Started);
        assert_eq!(outcome(&toml("[pool")), Outcome::Refused);
        let twice = "[[users]]\nusername = \"a\"\npassword = \"Passw0rd!\"\n";
        assert_eq!(
            outcome(&toml(&format!("{twice}{twice}"))),
            Outcome::RecordRefused
        );
        assert_eq!(outcome(b""), Outcome::Skipped);
    }
}
