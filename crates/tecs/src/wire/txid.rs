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
        // `pad_id(transaction_id) == padded_id` without building the padded text: a reference
        // is checked against every record of the terminal.
        if transaction_id.len() > TXID_ID_LEN {
            return false;
        }
        let Some(zeros) = self.padded_id.strip_suffix(transaction_id) else {
            return false;
        };
        zeros.len() + transaction_id.chars().count() == TXID_ID_LEN
            && zeros.bytes().all(|b| b == b'0')
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
    fn norm(s: &str) -> Option<&str> {
        if s.is_empty() {
            return None;
        }
        let t = s.trim_start_matches('0');
        Some(if t.is_empty() { "0" } else { t })
    }
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

    /// `matches` is the padded comparison, without the padding.
    #[test]
    fn matches_is_padded_equality() {
        let ids = [
            "",
            "0",
            "1",
            "01",
            "001",
            "7000001",
            "0007000001",
            "00000000000007000001",
            "10000000000007000001",
            "000000000000007000001",
            "1234567890123456789012",
            "é",
            "0é",
            "000000000000000000é",
            "00000000000000000000",
            "A1",
            "0A1",
        ];
        let mut refs: Vec<TxidRef> = ["TXID7000001", "TXID0", "TXID00000000000000000000"]
            .iter()
            .filter_map(|s| TxidRef::parse(s).ok())
            .collect();
        for padded_id in ids
            .iter()
            .map(|i| pad_id(i))
            .chain(ids.iter().map(|i| i.to_string()))
        {
            refs.push(TxidRef {
                padded_id,
                source_id: None,
                terminal: None,
            });
        }
        for r in &refs {
            for id in ids {
                let expected = id.len() <= TXID_ID_LEN && pad_id(id) == r.padded_id;
                assert_eq!(r.matches(id), expected, "{:?} {id:?}", r.padded_id);
            }
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
