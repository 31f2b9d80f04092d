//! `--min-index` / `--min-score` thresholds: `0.9` or `90%`.

use std::str::FromStr;

use payrig_conformance::report::Fraction;

/// A gate threshold, kept as parts per million so that comparisons are exact.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Gate {
    /// The threshold in parts per million (900000 = 90%).
    ppm: u64,
    /// As given, for messages.
    shown: f64,
}

impl Gate {
    /// Whether `f` reaches the threshold, compared exactly: num / den >= ppm / 1e6.
    pub(crate) fn met_by(&self, f: Fraction) -> bool {
        if f.den == 0 {
            return self.ppm == 0;
        }
        (f.num as u128) * 1_000_000 >= (self.ppm as u128) * (f.den as u128)
    }

    /// The threshold as a percentage with one decimal.
    pub(crate) fn percent(&self) -> String {
        format!("{:.1}%", self.shown * 100.0)
    }
}

impl FromStr for Gate {
    type Err = String;

    fn from_str(s: &str) -> Result<Gate, String> {
        let t = s.trim();
        let (num, scale) = match t.strip_suffix('%') {
            Some(p) => (p.trim(), 100.0),
            None => (t, 1.0),
        };
        let v: f64 = num.parse().map_err(|_| {
            format!("`{s}`: expected a fraction such as 0.9 or a percentage such as 90%")
        })?;
        let v = v / scale;
        if !v.is_finite() || !(0.0..=1.0).contains(&v) {
            return Err(format!("`{s}`: must be between 0 and 1 (or 0% and 100%)"));
        }
        Ok(Gate {
            ppm: (v * 1_000_000.0).round() as u64,
            shown: v,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn parses_fractions_and_percentages() {
        let g: Gate = "0.9".parse().unwrap();
        assert_eq!(g, "90%".parse().unwrap());
        assert_eq!(g.percent(), "90.0%");
        assert!("1.5".parse::<Gate>().is_err());
        assert!("-1%".parse::<Gate>().is_err());
        assert!("abc".parse::<Gate>().is_err());
        assert!("100%".parse::<Gate>().is_ok());
    }

    #[test]
    fn compares_exactly() {
        let g: Gate = "0.75".parse().unwrap();
        assert!(g.met_by(Fraction::new(3, 4)));
        assert!(!g.met_by(Fraction::new(2, 3)));
        let all: Gate = "100%".parse().unwrap();
        assert!(all.met_by(Fraction::new(21, 21)));
        assert!(!all.met_by(Fraction::new(20, 21)));
        assert!(!all.met_by(Fraction::new(0, 0)));
        let none: Gate = "0".parse().unwrap();
        assert!(none.met_by(Fraction::new(0, 0)));
    }
}
