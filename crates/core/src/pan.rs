//! Masked card numbers: payrig never journals a full PAN unless asked to.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A PAN masked as first 6 and last 4 digits (`476173******0011`). Shorter inputs keep only the
/// last 4 visible.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MaskedPan(String);

impl MaskedPan {
    /// Masks a PAN or track; non-digits are kept as they are so the shape stays readable.
    pub fn new(pan: &str) -> MaskedPan {
        let n = pan.chars().count();
        let (head, tail) = if n >= 13 { (6, 4) } else { (0, 4.min(n)) };
        let s = pan
            .chars()
            .enumerate()
            .map(|(i, c)| if i < head || i >= n - tail { c } else { '*' })
            .collect();
        MaskedPan(s)
    }

    /// The masked text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MaskedPan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_middle_digits() {
        assert_eq!(
            MaskedPan::new("4761730000000011").as_str(),
            "476173******0011"
        );
        assert_eq!(MaskedPan::new("0000000000001").as_str(), "000000***0001");
        assert_eq!(MaskedPan::new("12345").as_str(), "*2345");
        assert_eq!(MaskedPan::new("").as_str(), "");
    }
}
