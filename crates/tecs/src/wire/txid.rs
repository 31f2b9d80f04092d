//! `TXID` references (spec 3.3): `TXID<20>` and `TXID<20>_<src>_<terminal>`.
//!
//! ```text
//! TXID00020240521190912161                 short: original id 20240521190912161, padded to 20
//! TXID00000000000001451003_01_11460019     long: + source id 01 (= 1, D9) + terminal 11460019
//! TXID1451003                              unpadded: padded to 20 before matching (D8)
//! ```

use std::fmt;

/// Length every id is padded to.
pub const TXID_ID_LEN: usize = 20;

/// A parsed `TXID` reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TxidRef {
    /// The original id, left-padded with `0` to 20 (D8).
    pub padded_id: String,
    /// The long form's `<src>`, as sent (`01`); compare with [`same_source_id`].
    pub source_id: Option<String>,
    /// The long form's `<terminal>`.
    pub terminal: Option<String>,
}

/// Why a `card_number` starting `TXID` is not a reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TxidError {
    /// Does not start with `TXID`.
    #[error("does not start with TXID")]
    NoPrefix,
    /// No id after `TXID`.
    #[error("no transaction id after TXID")]
    EmptyId,
    /// The id part is longer than 20.
    #[error("transaction id longer than 20")]
    IdTooLong,
    /// The id part has a character other than ASCII letters and digits.
    #[error("transaction id has a character other than letters and digits")]
    IdCharacter,
    /// Something other than `_<src>_<terminal>` follows the id.
    #[error("expected `_<src>_<terminal>` after the id")]
    Suffix,
    /// `<src>` is not 1 or 2 digits.
    #[error("source id must be 1 or 2 digits")]
    SourceId,
    /// `<terminal>` is not 8 characters of letters and digits.
    #[error("terminal must be 8 letters or digits")]
    Terminal,
}

impl TxidRef {
    /// Parses either form.
    pub fn parse(card_number: &str) -> Result<TxidRef, TxidError> {
        let rest = card_number
            .strip_prefix("TXID")
            .ok_or(TxidError::NoPrefix)?;
        let mut parts = rest.split('_');
        let id = parts.next().unwrap_or("");
        let (source_id, terminal) = match (parts.next(), parts.next(), parts.next()) {
            (None, _, _) => (None, None),
            (Some(src), Some(term), None) => (Some(src), Some(term)),
            _ => return Err(TxidError::Suffix),
        };
        if id.is_empty() {
            return Err(TxidError::EmptyId);
        }
        if id.len() > TXID_ID_LEN {
            return Err(TxidError::IdTooLong);
        }
        if !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(TxidError::IdCharacter);
        }
        if let Some(src) = source_id {
            if !(1..=2).contains(&src.len()) || !src.bytes().all(|b| b.is_ascii_digit()) {
                return Err(TxidError::SourceId);
            }
        }
        if let Some(t) = terminal {
            if t.len() != 8 || !t.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(TxidError::Terminal);
            }
        }
        Ok(TxidRef {
            padded_id: pad_id(id),
            source_id: source_id.map(str::to_owned),
            terminal: terminal.map(str::to_owned),
        })
    }

    /// True for the `_<src>_<terminal>` form.
    pub fn is_long(&self) -> bool {
        self.terminal.is_some()
    }

    /// True when this reference names the stored id `transaction_id` (compared padded, D8).
    pub fn matches(&self, transaction_id: &str) -> bool {
        transaction_id.len() <= TXID_ID_LEN && pad_id(transaction_id) == self.padded_id
    }
}

impl fmt::Display for TxidRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TXID{}", self.padded_id)?;
        if let (Some(s), Some(t)) = (&self.source_id, &self.terminal) {
            write!(f, "_{s}_{t}")?;
        }
        Ok(())
    }
}

/// Left-pads an id with `0` to 20 characters (ids of 20 or more are returned as they are).
pub fn pad_id(id: &str) -> String {
    format!("{id:0>TXID_ID_LEN$}")
}

/// `transaction_source_id` equality with D9: `01` equals `1`; `""` equals only `""`.
pub fn same_source_id(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> Option<String> {
        if s.is_empty() {
            return None;
        }
        let t = s.trim_start_matches('0');
        Some(if t.is_empty() {
            "0".to_owned()
        } else {
            t.to_owned()
        })
    };
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples() {
        let s = TxidRef::parse("TXID00020240521190912161").unwrap();
        assert_eq!(s.padded_id, "00020240521190912161");
        assert!(!s.is_long());
        assert!(s.matches("20240521190912161"));
        assert_eq!(s.to_string(), "TXID00020240521190912161");

        let l = TxidRef::parse("TXID00000000000001451003_01_11460019").unwrap();
        assert!(l.matches("1451003"));
        assert_eq!(l.source_id.as_deref(), Some("01"));
        assert_eq!(l.terminal.as_deref(), Some("11460019"));
        assert_eq!(l.to_string(), "TXID00000000000001451003_01_11460019");

        let a = TxidRef::parse("TXID00000000TX1234567890").unwrap();
        assert!(a.matches("TX1234567890"));
        assert_eq!(pad_id("TX1234567890"), "00000000TX1234567890");
    }

    #[test]
    fn unpadded_ids_are_padded_d8() {
        let r = TxidRef::parse("TXID7000001").unwrap();
        assert_eq!(r.padded_id, "00000000000007000001");
        assert!(r.matches("7000001"));
        assert!(r.matches("0007000001"));
        assert!(!r.matches("7000002"));
        let r = TxidRef::parse("TXID1451003_1_11460019").unwrap();
        assert!(r.matches("1451003"));
    }

    #[test]
    fn errors_are_typed() {
        for (s, e) in [
            ("XTID0001", TxidError::NoPrefix),
            ("TXID", TxidError::EmptyId),
            ("TXID_01_11460019", TxidError::EmptyId),
            ("TXID000000000000014510031", TxidError::IdTooLong),
            ("TXID0000-1", TxidError::IdCharacter),
            ("TXID1_01", TxidError::Suffix),
            ("TXID1_01_11460019_x", TxidError::Suffix),
            ("TXID1_001_11460019", TxidError::SourceId),
            ("TXID1_ab_11460019", TxidError::SourceId),
            ("TXID1_01_1146001", TxidError::Terminal),
        ] {
            assert_eq!(TxidRef::parse(s), Err(e), "{s}");
        }
    }

    #[test]
    fn source_ids_d9() {
        assert!(same_source_id("01", "1"));
        assert!(same_source_id("1", "1"));
        assert!(same_source_id("00", "0"));
        assert!(!same_source_id("02", "1"));
        assert!(!same_source_id("", "1"));
        assert!(same_source_id("", ""));
    }
}
