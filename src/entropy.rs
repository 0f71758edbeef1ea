//! Randomness enters a flow once, as 32 bytes that seed a CSPRNG inside it.

use std::fmt;

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng as _, SeedableRng as _};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// 32 bytes of entropy that seed a flow's CSPRNG (ChaCha20): the SRP ephemeral `a`, device
/// passwords and salts, PKCE verifiers all come from it.
///
/// In production take them from the operating system (the adapters do, e.g. with `getrandom`);
/// in tests fix them, and every request the flow emits is reproducible byte for byte.
///
/// ```
/// let entropy = cognito_flows::Entropy::from([7u8; 32]);
/// # let _ = entropy;
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Entropy([u8; 32]);

impl From<[u8; 32]> for Entropy {
    fn from(seed: [u8; 32]) -> Self {
        Self(seed)
    }
}

impl fmt::Debug for Entropy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Entropy([redacted])")
    }
}

/// The CSPRNG a flow owns.
pub(crate) struct FlowRng(ChaCha20Rng);

impl FlowRng {
    pub(crate) fn new(entropy: &Entropy) -> Self {
        Self(ChaCha20Rng::from_seed(entropy.0))
    }

    /// `N` fresh random bytes.
    pub(crate) fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        self.0.fill_bytes(&mut out);
        out
    }
}

impl fmt::Debug for FlowRng {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FlowRng([redacted])")
    }
}
