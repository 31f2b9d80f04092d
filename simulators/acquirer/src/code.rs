//! ISO 8583 field-39 response codes and their texts.
//!
//! The acquirer answers in field-39 codes (simulators spec 4.2); each protocol crate maps them to
//! its own wire codes. Two texts are offered: the standard ISO wording, and a short human text for
//! fleet hosts, whose `paymentProcessorMessage` shows "Approved" / "Declined" (ationet spec 3.3).

use std::fmt;

use serde::{Serialize, Serializer};

use crate::ConfigError;

/// A two-character ISO 8583 field-39 response code (`"00"`, `"05"`, `"51"`, ...).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResponseCode([u8; 2]);

impl ResponseCode {
    /// `00` approved.
    pub const APPROVED: ResponseCode = ResponseCode(*b"00");
    /// `04` pick up card.
    pub const PICK_UP: ResponseCode = ResponseCode(*b"04");
    /// `05` do not honour.
    pub const DO_NOT_HONOUR: ResponseCode = ResponseCode(*b"05");
    /// `10` partial approval.
    pub const PARTIAL: ResponseCode = ResponseCode(*b"10");
    /// `12` invalid transaction.
    pub const INVALID_TRANSACTION: ResponseCode = ResponseCode(*b"12");
    /// `13` invalid amount.
    pub const INVALID_AMOUNT: ResponseCode = ResponseCode(*b"13");
    /// `14` invalid card number.
    pub const INVALID_CARD: ResponseCode = ResponseCode(*b"14");
    /// `25` unable to locate original.
    pub const NOT_FOUND: ResponseCode = ResponseCode(*b"25");
    /// `51` insufficient funds.
    pub const INSUFFICIENT_FUNDS: ResponseCode = ResponseCode(*b"51");
    /// `54` expired card.
    pub const EXPIRED_CARD: ResponseCode = ResponseCode(*b"54");
    /// `91` issuer or switch inoperative.
    pub const ISSUER_UNAVAILABLE: ResponseCode = ResponseCode(*b"91");
    /// `94` duplicate transmission.
    pub const DUPLICATE: ResponseCode = ResponseCode(*b"94");
    /// `95` reconcile error (close-batch totals differ).
    pub const RECONCILE_ERROR: ResponseCode = ResponseCode(*b"95");
    /// `96` system malfunction.
    pub const SYSTEM_MALFUNCTION: ResponseCode = ResponseCode(*b"96");

    /// Parses two characters `[0-9A-Z]`.
    pub fn parse(text: &str) -> Result<ResponseCode, ConfigError> {
        match text.as_bytes() {
            [a, b] if is_code_char(*a) && is_code_char(*b) => Ok(ResponseCode([*a, *b])),
            _ => Err(ConfigError::BadCode(text.to_owned())),
        }
    }

    /// The code text (`"05"`).
    pub fn as_str(&self) -> &str {
        // Only ASCII alphanumerics get in (parse and the constants).
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// True for the codes that approve money: `00` and `10` (partial).
    pub fn is_approval(&self) -> bool {
        *self == ResponseCode::APPROVED || *self == ResponseCode::PARTIAL
    }

    /// The standard ISO 8583 (1987) meaning.
    pub fn iso_text(&self) -> &'static str {
        match &self.0 {
            b"00" => "Approved",
            b"01" => "Refer to card issuer",
            b"03" => "Invalid merchant",
            b"04" => "Pick up card",
            b"05" => "Do not honour",
            b"06" => "Error",
            b"07" => "Pick up card, special condition",
            b"10" => "Partial approval",
            b"12" => "Invalid transaction",
            b"13" => "Invalid amount",
            b"14" => "Invalid card number",
            b"15" => "No such issuer",
            b"25" => "Unable to locate record",
            b"30" => "Format error",
            b"41" => "Lost card, pick up",
            b"43" => "Stolen card, pick up",
            b"51" => "Insufficient funds",
            b"54" => "Expired card",
            b"55" => "Incorrect PIN",
            b"57" => "Transaction not permitted to cardholder",
            b"58" => "Transaction not permitted to terminal",
            b"61" => "Exceeds withdrawal amount limit",
            b"62" => "Restricted card",
            b"65" => "Exceeds withdrawal frequency limit",
            b"68" => "Response received too late",
            b"75" => "Allowable number of PIN tries exceeded",
            b"91" => "Issuer or switch inoperative",
            b"94" => "Duplicate transmission",
            b"95" => "Reconcile error",
            b"96" => "System malfunction",
            _ => "Declined",
        }
    }

    /// A short human text for fleet hosts (ATIONet `paymentProcessorMessage`).
    pub fn fleet_text(&self) -> &'static str {
        match &self.0 {
            b"00" => "Approved",
            b"10" => "Partially approved",
            b"12" => "Invalid transaction",
            b"13" => "Invalid amount",
            b"14" | b"15" => "Invalid card",
            b"25" => "Transaction not found",
            b"51" | b"61" | b"65" => "Limit exceeded",
            b"54" => "Expired card",
            b"55" => "Incorrect PIN",
            b"75" => "PIN tries exceeded",
            b"91" | b"96" => "Processor unavailable",
            b"94" => "Duplicate",
            b"95" => "Totals mismatch",
            _ => "Declined",
        }
    }
}

fn is_code_char(c: u8) -> bool {
    c.is_ascii_digit() || c.is_ascii_uppercase()
}

impl fmt::Debug for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResponseCode({})", self.as_str())
    }
}

impl fmt::Display for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ResponseCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Which text a profile puts beside each code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TextStyle {
    /// [`ResponseCode::iso_text`].
    #[default]
    Iso,
    /// [`ResponseCode::fleet_text`].
    Fleet,
}

impl TextStyle {
    /// The text of `code` in this style.
    pub fn text(&self, code: ResponseCode) -> &'static str {
        match self {
            TextStyle::Iso => code.iso_text(),
            TextStyle::Fleet => code.fleet_text(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_two_alphanumerics() {
        assert_eq!(
            ResponseCode::parse("05").unwrap(),
            ResponseCode::DO_NOT_HONOUR
        );
        assert_eq!(ResponseCode::parse("N7").unwrap().as_str(), "N7");
        for bad in ["", "5", "005", "a5", "0 "] {
            assert!(ResponseCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts_follow_the_style() {
        assert_eq!(
            TextStyle::Iso.text(ResponseCode::DO_NOT_HONOUR),
            "Do not honour"
        );
        assert_eq!(
            TextStyle::Fleet.text(ResponseCode::DO_NOT_HONOUR),
            "Declined"
        );
        assert_eq!(TextStyle::Fleet.text(ResponseCode::APPROVED), "Approved");
        assert!(ResponseCode::PARTIAL.is_approval());
        assert!(!ResponseCode::INSUFFICIENT_FUNDS.is_approval());
    }
}
