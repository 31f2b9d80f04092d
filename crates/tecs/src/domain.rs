//! Domain requests: what a valid `TransactionRequest` means (spec 3.1's operation table).
//!
//! ```text
//! message_type  origin id  indicator  card_number          -> Operation
//! 0001          1 (or "")  0 / 1      "" | PAN_YYMM | trk2 -> Sale
//! 0001          any        2          PAN_YYMM | REF…      -> MotoSale        (TEC-S-008)
//! 0001          5          any        "" | keyed           -> Preauth         (TEC-S-007)
//! 0907          not 4      not 2      ""                   -> SaleTip         (TEC-S-009)
//! 0011          any        any        "" | keyed           -> Refund          (TEC-S-010)
//! 0011          any        any        TXID…                -> ReferencedRefund
//! 0013          4          any        TXID…                -> Capture         (TEC-S-012)
//! 0013          not 4      any        TXID…                -> Cancel          (TEC-S-013, D10)
//! 0017          any        any        any                  -> Abort           (D13)
//! other type, origin 7                                     -> 3005            (TEC-S-021)
//! ```

use payrig_core::{Currency, Money};

use crate::code::TransactionType;
use crate::wire::{Fingerprint, ProblemReason, RequestProblem, TransactionRequest, TxidRef};

/// A supported `message_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageType {
    /// `0001` sale, preauthorization or MOTO.
    Sale,
    /// `0907` sale with tip.
    SaleTip,
    /// `0011` refund.
    Refund,
    /// `0013` cancel or capture.
    CancelOrCapture,
    /// `0017` abort.
    Abort,
}

impl MessageType {
    /// The four digits.
    pub const fn code(self) -> &'static str {
        match self {
            MessageType::Sale => "0001",
            MessageType::SaleTip => "0907",
            MessageType::Refund => "0011",
            MessageType::CancelOrCapture => "0013",
            MessageType::Abort => "0017",
        }
    }

    /// Looks a supported type up; anything else is `3005` (D21).
    pub fn from_code(code: &str) -> Option<MessageType> {
        [
            MessageType::Sale,
            MessageType::SaleTip,
            MessageType::Refund,
            MessageType::CancelOrCapture,
            MessageType::Abort,
        ]
        .into_iter()
        .find(|m| m.code() == code)
    }
}

/// A card given in `card_number` instead of being read by the terminal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyedCard {
    /// `PAN_YYMM`, keyed.
    Manual {
        /// Digits, 12 to 19.
        pan: String,
        /// `YYMM`.
        expiry: String,
    },
    /// Track 2 swiped on the ECR (`PAN=YYMMSSS…`).
    Track2 {
        /// Digits.
        pan: String,
        /// `YYMM`.
        expiry: String,
        /// Service code, `""` when the track has none.
        svc: String,
    },
    /// A stored card reference (`REF…`, D20), resolved by the world's card profiles.
    Reference(String),
}

impl KeyedCard {
    /// Parses `PAN_YYMM`, track 2 or `REF…`.
    pub fn parse(card_number: &str) -> Option<KeyedCard> {
        if card_number.starts_with("REF") && card_number.len() > 3 {
            return Some(KeyedCard::Reference(card_number.to_owned()));
        }
        let digits = |s: &str, lo: usize, hi: usize| {
            (lo..=hi).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
        };
        let month_ok = |yymm: &str| matches!(yymm.get(2..4), Some(m) if ("01"..="12").contains(&m));
        if let Some((pan, rest)) = card_number
            .trim_start_matches(';')
            .trim_end_matches('?')
            .split_once('=')
        {
            let expiry = rest.get(..4)?;
            let svc = rest.get(4..7).unwrap_or("");
            if digits(pan, 12, 19) && digits(expiry, 4, 4) && (svc.is_empty() || digits(svc, 3, 3))
            {
                return Some(KeyedCard::Track2 {
                    pan: pan.to_owned(),
                    expiry: expiry.to_owned(),
                    svc: svc.to_owned(),
                });
            }
            return None;
        }
        let (pan, expiry) = card_number.split_once('_')?;
        (digits(pan, 12, 19) && digits(expiry, 4, 4) && month_ok(expiry)).then(|| {
            KeyedCard::Manual {
                pan: pan.to_owned(),
                expiry: expiry.to_owned(),
            }
        })
    }
}

/// Where the card of a card transaction comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CardSource {
    /// `card_number` `""`: the terminal's reader (T1).
    Reader,
    /// Given in the request (T2).
    Keyed(KeyedCard),
}

/// What a request asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// `0001`: a sale, read by the terminal or swiped/keyed on the ECR.
    Sale {
        /// The card.
        card: CardSource,
    },
    /// `0001` with indicator `2`: MOTO from `card_number` (TEC-S-008).
    MotoSale {
        /// `PAN_YYMM` or `REF…` (or a track).
        card: KeyedCard,
    },
    /// `0001` with origin `5`: a hold (TEC-S-007).
    Preauth {
        /// The card.
        card: CardSource,
    },
    /// `0907`: sale with a tip keyed on the terminal (TEC-S-009).
    SaleTip,
    /// `0011` without a reference: card-present refund (TEC-S-010).
    Refund {
        /// The card.
        card: CardSource,
    },
    /// `0011` with `TXID…` (TEC-S-010).
    ReferencedRefund {
        /// The original.
        reference: TxidRef,
    },
    /// `0013`, origin not `4` (TEC-S-013).
    Cancel {
        /// The original.
        reference: TxidRef,
    },
    /// `0013`, origin `4` (TEC-S-012).
    Capture {
        /// The preauthorization.
        reference: TxidRef,
    },
    /// `0017` (TEC-S-015).
    Abort,
}

impl Operation {
    /// The response's `transaction_type` (D16).
    pub fn transaction_type(&self) -> TransactionType {
        match self {
            Operation::Sale { .. } | Operation::MotoSale { .. } => TransactionType::Sale,
            Operation::Preauth { .. } => TransactionType::Preauth,
            Operation::SaleTip => TransactionType::SaleTip,
            Operation::Refund { .. } | Operation::ReferencedRefund { .. } => {
                TransactionType::Refund
            }
            Operation::Cancel { .. } => TransactionType::Cancel,
            Operation::Capture { .. } => TransactionType::Capture,
            Operation::Abort => TransactionType::Abort,
        }
    }

    /// True when the terminal's reader must read a card (T1); false for T2 requests.
    pub fn needs_reader(&self) -> bool {
        matches!(
            self,
            Operation::SaleTip
                | Operation::Sale {
                    card: CardSource::Reader
                }
                | Operation::Preauth {
                    card: CardSource::Reader
                }
                | Operation::Refund {
                    card: CardSource::Reader
                }
        )
    }
}

/// A validated `makeTransaction` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The operation.
    pub operation: Operation,
    /// `amount` in minor units of `currency` (TEC-S-003).
    pub amount: Money,
    /// `terminal_number`.
    pub terminal_number: String,
    /// `transaction_id`.
    pub transaction_id: String,
    /// `transaction_source_id`, as sent.
    pub source_id: String,
    /// The fields as a map, for idempotency (4.3).
    pub fingerprint: Fingerprint,
    /// The body as sent (echoes: `ecr_data`, `card_number`, `cvc2`).
    pub wire: TransactionRequest,
}

impl Request {
    /// Validates a parsed body: §3.1 shape ([`TransactionRequest::check_shape`]), then the
    /// message type (`3005`), then content. The first problem is returned.
    pub fn from_wire(wire: &TransactionRequest) -> Result<Request, RequestProblem> {
        let (operation, amount) = Request::validate(wire)?;
        Ok(Request::build(operation, amount, wire.clone()))
    }

    /// [`Request::from_wire`] keeping the body it was given instead of copying it; the body
    /// comes back with the problem.
    #[allow(clippy::result_large_err)] // as `decode_request`, which passes it on
    pub(crate) fn from_owned_wire(
        wire: TransactionRequest,
    ) -> Result<Request, (RequestProblem, TransactionRequest)> {
        match Request::validate(&wire) {
            Ok((operation, amount)) => Ok(Request::build(operation, amount, wire)),
            Err(p) => Err((p, wire)),
        }
    }

    fn build(operation: Operation, amount: Money, wire: TransactionRequest) -> Request {
        Request {
            operation,
            amount,
            terminal_number: wire.text("terminal_number").to_owned(),
            transaction_id: wire.text("transaction_id").to_owned(),
            source_id: wire.text("transaction_source_id").to_owned(),
            fingerprint: wire.fingerprint(),
            wire,
        }
    }

    fn validate(wire: &TransactionRequest) -> Result<(Operation, Money), RequestProblem> {
        use ProblemReason as R;
        let bad = |field: &'static str, reason: ProblemReason| RequestProblem::new(field, reason);
        wire.check_shape()?;
        // TEC-S-021: other message types, and origin 7, get 3005.
        let message_type = MessageType::from_code(wire.text("message_type"))
            .ok_or_else(|| bad("message_type", R::UnsupportedMessageType))?;
        let origin = match wire.text("transaction_origin_identifier") {
            "" => "1",
            o => o,
        };
        if origin == "7" {
            return Err(bad("transaction_origin_identifier", R::BalanceInquiry));
        }
        let indicator = match wire.text("transaction_origin_indicator") {
            "" => "0",
            i => i,
        };
        // TEC-S-003: minor units of `currency` by its ISO 4217 exponent.
        let currency = Currency::from_code(wire.text("currency"))
            .map_err(|_| bad("currency", R::UnknownCurrency))?;
        let desired = wire.text("desired_currency");
        if !desired.is_empty() && desired != currency.code() {
            return Err(bad("desired_currency", R::CurrencyMismatch)); // D18
        }
        let minor = wire
            .text("amount")
            .parse::<i64>()
            .map_err(|_| bad("amount", R::Pattern))?;
        if minor == 0 && message_type != MessageType::Abort {
            return Err(bad("amount", R::ZeroAmount));
        }
        let card_number = wire.text("card_number");
        let reference = || {
            if card_number.starts_with("TXID") {
                TxidRef::parse(card_number).map_err(|e| bad("card_number", R::Txid(e)))
            } else {
                Err(bad("card_number", R::CardForm))
            }
        };
        let card_source = || match card_number {
            // TEC-S-008: MOTO needs a card number.
            "" if indicator == "2" => Err(bad("card_number", R::CardRequired)),
            "" => Ok(CardSource::Reader),
            c => KeyedCard::parse(c)
                .map(CardSource::Keyed)
                .ok_or_else(|| bad("card_number", R::CardForm)),
        };
        let operation = match message_type {
            MessageType::Abort => Operation::Abort,
            MessageType::CancelOrCapture if origin == "4" => Operation::Capture {
                reference: reference()?,
            },
            MessageType::CancelOrCapture => Operation::Cancel {
                reference: reference()?,
            },
            MessageType::Refund if card_number.starts_with("TXID") => Operation::ReferencedRefund {
                reference: reference()?,
            },
            MessageType::Refund => Operation::Refund {
                card: card_source()?,
            },
            MessageType::SaleTip => {
                if origin == "4" {
                    return Err(bad("transaction_origin_identifier", R::Pattern));
                }
                if indicator == "2" || !card_number.is_empty() {
                    // The tip is keyed on the terminal, so the card is read there too.
                    return Err(bad("card_number", R::CardForm));
                }
                Operation::SaleTip
            }
            MessageType::Sale => {
                if origin == "4" {
                    return Err(bad("transaction_origin_identifier", R::Pattern));
                }
                let card = card_source()?;
                match (origin, card) {
                    ("5", card) => Operation::Preauth { card },
                    (_, CardSource::Keyed(card)) if indicator == "2" => {
                        Operation::MotoSale { card }
                    }
                    (_, card) => Operation::Sale { card },
                }
            }
        };
        Ok((operation, Money::from_minor(minor, currency)))
    }

    /// `card_number` as sent.
    pub fn card_number(&self) -> &str {
        self.wire.text("card_number")
    }

    /// `ecr_data` as sent.
    pub fn ecr_data(&self) -> &str {
        self.wire.text("ecr_data")
    }
}

#[cfg(test)]
#[path = "domain_tests.rs"]
pub(crate) mod tests;
