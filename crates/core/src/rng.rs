//! Seeded random streams and `duration ± tolerance` specs.
//!
//! DECISION (simulators spec section 1): each instance owns a `ChaCha8Rng` seeded with
//! `SHA-256(seed u64 LE ‖ stream)`, so adding a device never shifts another device's draws.
//! Draws use rejection sampling on `next_u64`, not `rand` distributions, so the sequence is
//! stable across `rand` releases.

use std::fmt;

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use sha2::{Digest, Sha256};

use crate::time::{Duration, DurationError};

/// The random stream named `stream` (`pump/1`, `acquirer/main`) of run `seed`.
pub fn stream_rng(seed: u64, stream: &str) -> ChaCha8Rng {
    let mut h = Sha256::new();
    h.update(seed.to_le_bytes());
    h.update(stream.as_bytes());
    let digest: [u8; 32] = h.finalize().into();
    ChaCha8Rng::from_seed(digest)
}

/// Uniform integer on the closed interval `[lo, hi]` (returns `lo` when `hi <= lo`).
pub fn uniform_inclusive(rng: &mut impl RngCore, lo: u64, hi: u64) -> u64 {
    if hi <= lo {
        return lo;
    }
    let span = hi - lo;
    if span == u64::MAX {
        return rng.next_u64();
    }
    let n = span + 1;
    // Largest multiple of n that fits; draws above it are rejected to avoid modulo bias.
    let zone = u64::MAX - (u64::MAX % n) - 1;
    loop {
        let v = rng.next_u64();
        if v <= zone {
            return lo + v % n;
        }
    }
}

/// True with probability `num / den` (exact, no floats).
pub fn chance(rng: &mut impl RngCore, num: u64, den: u64) -> bool {
    if den == 0 || num == 0 {
        return false;
    }
    if num >= den {
        return true;
    }
    uniform_inclusive(rng, 0, den - 1) < num
}

/// `duration ± tolerance`, uniform on the closed interval, clamped at 0 (Hyperswitch style).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DurationSpec {
    /// Centre.
    pub base: Duration,
    /// Half-width.
    pub tolerance: Duration,
}

impl DurationSpec {
    /// A fixed duration.
    pub const fn fixed(ms: u64) -> DurationSpec {
        DurationSpec {
            base: Duration(ms),
            tolerance: Duration(0),
        }
    }

    /// `base ± tolerance` in milliseconds.
    pub const fn new(base_ms: u64, tolerance_ms: u64) -> DurationSpec {
        DurationSpec {
            base: Duration(base_ms),
            tolerance: Duration(tolerance_ms),
        }
    }

    /// Parses `"800ms ± 300ms"`, `"800ms +- 300ms"` or a plain `"2s"`.
    pub fn parse(text: &str) -> Result<DurationSpec, DurationError> {
        let (a, b) = match text.split_once('±').or_else(|| text.split_once("+-")) {
            Some((a, b)) => (a, Some(b)),
            None => (text, None),
        };
        Ok(DurationSpec {
            base: Duration::parse(a)?,
            tolerance: match b {
                Some(b) => Duration::parse(b)?,
                None => Duration::ZERO,
            },
        })
    }

    /// Draws one duration.
    pub fn sample(&self, rng: &mut impl RngCore) -> Duration {
        if self.tolerance.0 == 0 {
            return self.base;
        }
        let lo = self.base.0.saturating_sub(self.tolerance.0);
        let hi = self.base.0.saturating_add(self.tolerance.0);
        Duration(uniform_inclusive(rng, lo, hi))
    }
}

impl fmt::Display for DurationSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.tolerance.0 == 0 {
            write!(f, "{}", self.base)
        } else {
            write!(f, "{} ± {}", self.base, self.tolerance)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_independent_and_reproducible() {
        let mut a = stream_rng(42, "pump/1");
        let mut b = stream_rng(42, "pump/1");
        let mut c = stream_rng(42, "pump/2");
        let (x, y, z) = (a.next_u64(), b.next_u64(), c.next_u64());
        assert_eq!(x, y);
        assert_ne!(x, z);
    }

    #[test]
    fn parses_duration_specs() {
        assert_eq!(
            DurationSpec::parse("800ms ± 300ms").unwrap(),
            DurationSpec::new(800, 300)
        );
        assert_eq!(
            DurationSpec::parse("3s +- 1s").unwrap(),
            DurationSpec::new(3000, 1000)
        );
        assert_eq!(
            DurationSpec::parse("2s").unwrap(),
            DurationSpec::fixed(2000)
        );
        assert!(DurationSpec::parse("fast").is_err());
    }

    proptest::proptest! {
        #[test]
        fn samples_stay_in_the_interval(seed in 0u64..1000, base in 0u64..10_000, tol in 0u64..10_000) {
            let mut r = stream_rng(seed, "t");
            let d = DurationSpec::new(base, tol).sample(&mut r);
            proptest::prop_assert!(d.0 >= base.saturating_sub(tol) && d.0 <= base + tol);
        }

        #[test]
        fn uniform_respects_bounds(seed in 0u64..1000, lo in 0u64..100, span in 0u64..100) {
            let mut r = stream_rng(seed, "u");
            let v = uniform_inclusive(&mut r, lo, lo + span);
            proptest::prop_assert!(v >= lo && v <= lo + span);
        }
    }
}
