//! Volume in integer millilitres.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::decimal::{format_scaled, Decimal};

/// A volume of fuel in millilitres.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct Volume(pub u64);

/// Why a volume text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VolumeError {
    /// Not `"<decimal> L"` or `"<integer> ml"`.
    #[error("not a volume (expected e.g. `40 L` or `500 ml`): `{0}`")]
    Syntax(String),
    /// Finer than a millilitre, negative or too large.
    #[error("volume out of range or finer than 1 ml: `{0}`")]
    Range(String),
}

impl Volume {
    /// Zero.
    pub const ZERO: Volume = Volume(0);

    /// Millilitres.
    pub const fn ml(self) -> u64 {
        self.0
    }

    /// From whole litres.
    pub const fn from_litres(l: u64) -> Volume {
        Volume(l * 1000)
    }

    /// Exact litres as a decimal (`9000 ml` -> `9`, `1500 ml` -> `1.5`).
    pub fn to_litres_decimal(self) -> Decimal {
        Decimal::new(i128::from(self.0), 3)
    }

    /// Litres with at most three decimals, exactly.
    pub fn from_litres_decimal(d: Decimal) -> Option<Volume> {
        let ml = d.to_scaled(3)?;
        u64::try_from(ml).ok().map(Volume)
    }

    /// Parses `"40 L"`, `"9.5L"`, `"500 ml"` (scenario files).
    pub fn parse(text: &str) -> Result<Volume, VolumeError> {
        let t = text.trim();
        let (num, unit_ml) = if let Some(n) = t.strip_suffix("ml").or_else(|| t.strip_suffix("mL"))
        {
            (n.trim(), true)
        } else if let Some(n) = t.strip_suffix('L').or_else(|| t.strip_suffix('l')) {
            (n.trim(), false)
        } else {
            return Err(VolumeError::Syntax(text.to_owned()));
        };
        let d = Decimal::parse(num).map_err(|_| VolumeError::Syntax(text.to_owned()))?;
        let ml = if unit_ml {
            d.to_scaled(0)
        } else {
            d.to_scaled(3)
        };
        ml.and_then(|v| u64::try_from(v).ok())
            .map(Volume)
            .ok_or_else(|| VolumeError::Range(text.to_owned()))
    }
}

impl fmt::Display for Volume {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_scaled(f, i128::from(self.0), 3)?;
        f.write_str(" L")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_scenario_volumes() {
        assert_eq!(Volume::parse("40 L").unwrap(), Volume(40_000));
        assert_eq!(Volume::parse("9.5L").unwrap(), Volume(9_500));
        assert_eq!(Volume::parse("500 ml").unwrap(), Volume(500));
        assert!(Volume::parse("1.0001 L").is_err());
        assert!(Volume::parse("-1 L").is_err());
        assert!(Volume::parse("ten L").is_err());
        assert_eq!(Volume(1500).to_litres_decimal().to_string(), "1.5");
    }
}
