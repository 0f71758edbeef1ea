//! Cognito's hex: the `SRP_B` and `SALT` challenge parameters are the hex of a *signed* big
//! integer, as printed by the JS SDK's `BigInteger.toString(16)`. They may have odd length, and
//! for users that do not exist Cognito sends negative values (to hide that they don't exist).
//!
//! [`SignedHex`] parses them strictly (an optional `-`, then hex digits) and [`SignedHex::pad`]
//! reproduces the JS SDK's `padHex`: minimal big-endian bytes, a leading `00` when the first byte
//! is `>= 0x80`, and for negative values the minimal two's complement.

use std::fmt;

/// Why a hex string from Cognito was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HexError {
    /// The string was empty (or just `-`).
    Empty,
    /// A character other than a hex digit (after an optional leading `-`).
    InvalidDigit {
        /// Byte offset of the offending character.
        position: usize,
    },
    /// More digits than the field can hold.
    TooLong {
        /// The number of significant bytes the value has.
        bytes: usize,
        /// The most this field accepts.
        max: usize,
    },
}

impl fmt::Display for HexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("empty hex string"),
            Self::InvalidDigit { position } => write!(f, "invalid hex digit at offset {position}"),
            Self::TooLong { bytes, max } => {
                write!(f, "hex value of {bytes} bytes exceeds the maximum of {max}")
            }
        }
    }
}

impl std::error::Error for HexError {}

/// A signed big integer read from Cognito's hex.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedHex {
    negative: bool,
    /// Big-endian magnitude, without leading zero bytes (empty for zero).
    magnitude: Vec<u8>,
}

impl fmt::Debug for SignedHex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.negative { "-" } else { "" })?;
        if self.magnitude.is_empty() {
            return f.write_str("0");
        }
        for b in &self.magnitude {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

const fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl SignedHex {
    /// Parses `-?[0-9a-fA-F]+`, accepting odd lengths and leading zeros; `max_bytes` bounds the
    /// magnitude (after leading zeros are dropped).
    pub fn parse(s: &str, max_bytes: usize) -> Result<Self, HexError> {
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        if digits.is_empty() {
            return Err(HexError::Empty);
        }
        let offset = usize::from(negative);
        let mut values = Vec::with_capacity(digits.len());
        for (i, c) in digits.bytes().enumerate() {
            values.push(nibble(c).ok_or(HexError::InvalidDigit {
                position: i + offset,
            })?);
        }
        let first_significant = values.iter().position(|&v| v != 0).unwrap_or(values.len());
        let significant = values.get(first_significant..).unwrap_or_default();
        let mut magnitude = Vec::with_capacity(significant.len().div_ceil(2));
        let (head, pairs) = significant.split_at(significant.len() % 2);
        magnitude.extend(head.iter().copied());
        magnitude.extend(
            pairs
                .chunks_exact(2)
                .map(|p| p.iter().fold(0u8, |acc, &n| (acc << 4) | n)),
        );
        if magnitude.len() > max_bytes {
            return Err(HexError::TooLong {
                bytes: magnitude.len(),
                max: max_bytes,
            });
        }
        // "-0" is zero, as in the JS SDK.
        let negative = negative && !magnitude.is_empty();
        Ok(Self {
            negative,
            magnitude,
        })
    }

    /// A non-negative value from its big-endian bytes (leading zeros allowed).
    pub fn from_unsigned_be(bytes: &[u8]) -> Self {
        let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        Self {
            negative: false,
            magnitude: bytes.get(start..).unwrap_or_default().to_vec(),
        }
    }

    /// Whether the value is below zero.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.magnitude.is_empty()
    }

    /// The big-endian magnitude, without leading zeros.
    pub fn magnitude(&self) -> &[u8] {
        &self.magnitude
    }

    /// The JS SDK's `padHex`, as bytes.
    pub fn pad(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.magnitude.len() + 1);
        pad_unsigned_into(&self.magnitude, &mut out);
        if self.negative {
            // Two's complement of the padded magnitude (whose top bit is clear), then drop a
            // redundant leading 0xFF, exactly as the SDK's string manipulation does.
            let mut carry = true;
            for b in out.iter_mut().rev() {
                let (v, c) = (!*b).overflowing_add(u8::from(carry));
                *b = v;
                carry = c;
            }
            if let [0xFF, second, ..] = out.as_slice()
                && second >> 4 == 0x8
            {
                out.remove(0);
            }
        }
        out
    }
}

/// Appends the JS SDK's `padHex` of the non-negative big-endian value `bytes` (leading zeros
/// allowed) to `out`: minimal bytes, with a `00` in front when the top bit is set; zero is `00`.
pub fn pad_unsigned_into(bytes: &[u8], out: &mut Vec<u8>) {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let significant = bytes.get(start..).unwrap_or_default();
    match significant.first() {
        None => out.push(0),
        Some(&first) => {
            if first >= 0x80 {
                out.push(0);
            }
            out.extend_from_slice(significant);
        }
    }
}

/// [`pad_unsigned_into`] into a new vector.
pub fn pad_unsigned(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 1);
    pad_unsigned_into(bytes, &mut out);
    out
}

/// Lowercase hex of bytes.
pub fn encode(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pad(s: &str) -> String {
        encode(&SignedHex::parse(s, 1024).unwrap().pad())
    }

    #[test]
    fn pads_like_the_js_sdk() {
        assert_eq!(pad("0"), "00");
        assert_eq!(pad("-0"), "00");
        assert_eq!(pad("1"), "01");
        assert_eq!(pad("abc"), "0abc");
        assert_eq!(pad("7f"), "7f");
        assert_eq!(pad("80"), "0080");
        assert_eq!(pad("000080"), "0080");
        assert_eq!(pad("-1"), "ff");
        assert_eq!(pad("-80"), "80");
        assert_eq!(pad("-81"), "ff7f");
        assert_eq!(pad("-7f"), "81");
        assert_eq!(pad("-100"), "ff00");
        assert_eq!(pad("-8000"), "8000");
        assert_eq!(pad("-9000"), "ff7000");
    }

    #[test]
    fn refuses_what_is_not_signed_hex() {
        assert_eq!(SignedHex::parse("", 8), Err(HexError::Empty));
        assert_eq!(SignedHex::parse("-", 8), Err(HexError::Empty));
        assert_eq!(
            SignedHex::parse("12g4", 8),
            Err(HexError::InvalidDigit { position: 2 })
        );
        assert_eq!(
            SignedHex::parse("--1", 8),
            Err(HexError::InvalidDigit { position: 1 })
        );
        assert_eq!(
            SignedHex::parse("0001ffff", 1),
            Err(HexError::TooLong { bytes: 3, max: 1 })
        );
        assert!(SignedHex::parse("00000000ff", 1).is_ok());
    }
}
