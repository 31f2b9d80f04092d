//! Response codes (spec 5.2), `transaction_type` values (D16) and the one table that maps an
//! acquirer's ISO 8583 field-39 answer onto a TECS code.

use serde::Serialize;

/// A `response_code` of the simulator table in spec 5.2 (D4: payrig's own, replaceable; only
/// `0000` = approved is assumed of real TECS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub enum ResponseCode {
    /// `0000` APPROVED (200).
    Approved,
    /// `1005` DECLINED (200): issuer decline.
    Declined,
    /// `1051` INSUFFICIENT FUNDS (200).
    InsufficientFunds,
    /// `1054` EXPIRED CARD (200).
    ExpiredCard,
    /// `1055` INCORRECT PIN (200).
    IncorrectPin,
    /// `1091` ISSUER UNAVAILABLE (200): host error or `host_timeout`.
    IssuerUnavailable,
    /// `1201` ORIGINAL TRANSACTION NOT FOUND (200).
    OriginalNotFound,
    /// `1202` ORIGINAL NOT ELIGIBLE (200): wrong kind or state.
    OriginalNotEligible,
    /// `1203` AMOUNT EXCEEDS ORIGINAL (200): amount too large or mismatched.
    AmountExceedsOriginal,
    /// `2001` ABORTED (200): `0017` or customer cancel.
    Aborted,
    /// `2002` NO CARD PRESENTED (200): `card_wait` expired.
    NoCardPresented,
    /// `2003` CARD READ ERROR (200).
    CardReadError,
    /// `2004` NOTHING TO ABORT (200): `0017` with no card wait.
    NothingToAbort,
    /// `3001` INVALID FIELD `<name>` (400).
    InvalidField,
    /// `3002` DUPLICATE TRANSACTION ID (400).
    DuplicateTransactionId,
    /// `3003` TERMINAL BUSY (400).
    TerminalBusy,
    /// `3004` UNKNOWN TERMINAL (400).
    UnknownTerminal,
    /// `3005` MESSAGE TYPE NOT SUPPORTED (400).
    MessageTypeNotSupported,
    /// `3401` UNAUTHORISED (401).
    Unauthorised,
    /// `9001` TERMINAL NOT REACHABLE (504).
    TerminalNotReachable,
}

/// Every code of 5.2, in table order.
pub const ALL_CODES: [ResponseCode; 20] = [
    ResponseCode::Approved,
    ResponseCode::Declined,
    ResponseCode::InsufficientFunds,
    ResponseCode::ExpiredCard,
    ResponseCode::IncorrectPin,
    ResponseCode::IssuerUnavailable,
    ResponseCode::OriginalNotFound,
    ResponseCode::OriginalNotEligible,
    ResponseCode::AmountExceedsOriginal,
    ResponseCode::Aborted,
    ResponseCode::NoCardPresented,
    ResponseCode::CardReadError,
    ResponseCode::NothingToAbort,
    ResponseCode::InvalidField,
    ResponseCode::DuplicateTransactionId,
    ResponseCode::TerminalBusy,
    ResponseCode::UnknownTerminal,
    ResponseCode::MessageTypeNotSupported,
    ResponseCode::Unauthorised,
    ResponseCode::TerminalNotReachable,
];

impl ResponseCode {
    /// The four-digit `response_code`.
    pub const fn code(self) -> &'static str {
        match self {
            ResponseCode::Approved => "0000",
            ResponseCode::Declined => "1005",
            ResponseCode::InsufficientFunds => "1051",
            ResponseCode::ExpiredCard => "1054",
            ResponseCode::IncorrectPin => "1055",
            ResponseCode::IssuerUnavailable => "1091",
            ResponseCode::OriginalNotFound => "1201",
            ResponseCode::OriginalNotEligible => "1202",
            ResponseCode::AmountExceedsOriginal => "1203",
            ResponseCode::Aborted => "2001",
            ResponseCode::NoCardPresented => "2002",
            ResponseCode::CardReadError => "2003",
            ResponseCode::NothingToAbort => "2004",
            ResponseCode::InvalidField => "3001",
            ResponseCode::DuplicateTransactionId => "3002",
            ResponseCode::TerminalBusy => "3003",
            ResponseCode::UnknownTerminal => "3004",
            ResponseCode::MessageTypeNotSupported => "3005",
            ResponseCode::Unauthorised => "3401",
            ResponseCode::TerminalNotReachable => "9001",
        }
    }

    /// The `response_text`. For [`ResponseCode::InvalidField`] this is the prefix; the full
    /// text adds the field name ([`ResponseCode::text_for_field`]).
    pub const fn text(self) -> &'static str {
        match self {
            ResponseCode::Approved => "APPROVED",
            ResponseCode::Declined => "DECLINED",
            ResponseCode::InsufficientFunds => "INSUFFICIENT FUNDS",
            ResponseCode::ExpiredCard => "EXPIRED CARD",
            ResponseCode::IncorrectPin => "INCORRECT PIN",
            ResponseCode::IssuerUnavailable => "ISSUER UNAVAILABLE",
            ResponseCode::OriginalNotFound => "ORIGINAL TRANSACTION NOT FOUND",
            ResponseCode::OriginalNotEligible => "ORIGINAL NOT ELIGIBLE",
            ResponseCode::AmountExceedsOriginal => "AMOUNT EXCEEDS ORIGINAL",
            ResponseCode::Aborted => "ABORTED",
            ResponseCode::NoCardPresented => "NO CARD PRESENTED",
            ResponseCode::CardReadError => "CARD READ ERROR",
            ResponseCode::NothingToAbort => "NOTHING TO ABORT",
            ResponseCode::InvalidField => "INVALID FIELD",
            ResponseCode::DuplicateTransactionId => "DUPLICATE TRANSACTION ID",
            ResponseCode::TerminalBusy => "TERMINAL BUSY",
            ResponseCode::UnknownTerminal => "UNKNOWN TERMINAL",
            ResponseCode::MessageTypeNotSupported => "MESSAGE TYPE NOT SUPPORTED",
            ResponseCode::Unauthorised => "UNAUTHORISED",
            ResponseCode::TerminalNotReachable => "TERMINAL NOT REACHABLE",
        }
    }

    /// `INVALID FIELD <name>`, cut to 80 bytes (TEC-S-004).
    pub fn text_for_field(field: &str) -> String {
        clip_bytes(
            &format!("{} {field}", ResponseCode::InvalidField.text()),
            80,
        )
    }

    /// The HTTP status 5.2 gives this code.
    pub const fn http_status(self) -> u16 {
        match self {
            ResponseCode::InvalidField
            | ResponseCode::DuplicateTransactionId
            | ResponseCode::TerminalBusy
            | ResponseCode::UnknownTerminal
            | ResponseCode::MessageTypeNotSupported => 400,
            ResponseCode::Unauthorised => 401,
            ResponseCode::TerminalNotReachable => 504,
            _ => 200,
        }
    }

    /// Looks a code up by its four digits.
    pub fn from_code(code: &str) -> Option<ResponseCode> {
        ALL_CODES.iter().copied().find(|c| c.code() == code)
    }

    /// True only for `0000` (TEC-S-005).
    pub const fn is_approved(self) -> bool {
        matches!(self, ResponseCode::Approved)
    }
}

/// The one table from an acquirer's ISO 8583 field 39 to a TECS code (5.2, section 7):
///
/// | field 39 | TECS |
/// |---|---|
/// | `00` | `0000` |
/// | `05` | `1005` |
/// | `51` | `1051` |
/// | `54` | `1054` |
/// | `55` | `1055` |
/// | `91`, `96` | `1091` |
/// | anything else | `1005` |
///
/// No answer at all (`host_timeout`) is `1091` too; the machine uses
/// [`ResponseCode::IssuerUnavailable`] directly for that.
pub fn from_iso_field_39(code: &str) -> ResponseCode {
    match code {
        "00" => ResponseCode::Approved,
        "05" => ResponseCode::Declined,
        "51" => ResponseCode::InsufficientFunds,
        "54" => ResponseCode::ExpiredCard,
        "55" => ResponseCode::IncorrectPin,
        "91" | "96" => ResponseCode::IssuerUnavailable,
        _ => ResponseCode::Declined,
    }
}

/// `transaction_type` of a response (D16: payrig's values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum TransactionType {
    /// `01` sale (also MOTO sale).
    Sale,
    /// `02` preauthorization.
    Preauth,
    /// `03` capture of a preauthorization.
    Capture,
    /// `04` cancel.
    Cancel,
    /// `05` refund (card present or referenced).
    Refund,
    /// `06` sale with tip.
    SaleTip,
    /// `17` abort.
    Abort,
}

impl TransactionType {
    /// The two-digit wire value.
    pub const fn code(self) -> &'static str {
        match self {
            TransactionType::Sale => "01",
            TransactionType::Preauth => "02",
            TransactionType::Capture => "03",
            TransactionType::Cancel => "04",
            TransactionType::Refund => "05",
            TransactionType::SaleTip => "06",
            TransactionType::Abort => "17",
        }
    }
}

/// `s` cut to at most `max` bytes on a character boundary.
pub(crate) fn clip_bytes(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_5_2() {
        let expect: [(&str, &str, u16); 20] = [
            ("0000", "APPROVED", 200),
            ("1005", "DECLINED", 200),
            ("1051", "INSUFFICIENT FUNDS", 200),
            ("1054", "EXPIRED CARD", 200),
            ("1055", "INCORRECT PIN", 200),
            ("1091", "ISSUER UNAVAILABLE", 200),
            ("1201", "ORIGINAL TRANSACTION NOT FOUND", 200),
            ("1202", "ORIGINAL NOT ELIGIBLE", 200),
            ("1203", "AMOUNT EXCEEDS ORIGINAL", 200),
            ("2001", "ABORTED", 200),
            ("2002", "NO CARD PRESENTED", 200),
            ("2003", "CARD READ ERROR", 200),
            ("2004", "NOTHING TO ABORT", 200),
            ("3001", "INVALID FIELD", 400),
            ("3002", "DUPLICATE TRANSACTION ID", 400),
            ("3003", "TERMINAL BUSY", 400),
            ("3004", "UNKNOWN TERMINAL", 400),
            ("3005", "MESSAGE TYPE NOT SUPPORTED", 400),
            ("3401", "UNAUTHORISED", 401),
            ("9001", "TERMINAL NOT REACHABLE", 504),
        ];
        for (c, (code, text, status)) in ALL_CODES.iter().zip(expect) {
            assert_eq!((c.code(), c.text(), c.http_status()), (code, text, status));
            assert_eq!(ResponseCode::from_code(code), Some(*c));
            assert!(c.text().len() <= 80);
            assert_eq!(c.is_approved(), code == "0000");
        }
        assert_eq!(ResponseCode::from_code("1234"), None);
    }

    #[test]
    fn field_texts_stay_within_80_bytes() {
        assert_eq!(
            ResponseCode::text_for_field("amount"),
            "INVALID FIELD amount"
        );
        let long = "é".repeat(60);
        let t = ResponseCode::text_for_field(&long);
        assert!(t.len() <= 80 && t.starts_with("INVALID FIELD é"));
    }

    #[test]
    fn iso_field_39_mapping() {
        use ResponseCode as R;
        for (iso, tecs) in [
            ("00", R::Approved),
            ("05", R::Declined),
            ("51", R::InsufficientFunds),
            ("54", R::ExpiredCard),
            ("55", R::IncorrectPin),
            ("91", R::IssuerUnavailable),
            ("96", R::IssuerUnavailable),
            ("14", R::Declined),
            ("", R::Declined),
            ("10", R::Declined),
        ] {
            assert_eq!(from_iso_field_39(iso), tecs, "{iso}");
        }
    }

    #[test]
    fn transaction_types_d16() {
        let all = [
            (TransactionType::Sale, "01"),
            (TransactionType::Preauth, "02"),
            (TransactionType::Capture, "03"),
            (TransactionType::Cancel, "04"),
            (TransactionType::Refund, "05"),
            (TransactionType::SaleTip, "06"),
            (TransactionType::Abort, "17"),
        ];
        for (t, c) in all {
            assert_eq!(t.code(), c);
        }
    }
}
