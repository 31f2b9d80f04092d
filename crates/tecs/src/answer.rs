//! Building the terminal's `TransactionResponse` (3.2) from a request, its record and the card.

use payrig_core::{MaskedPan, Money, Timestamp};

use crate::code::{clip_bytes, ResponseCode, TransactionType};
use crate::domain::Request;
use crate::messages::{CardData, Cvm, TerminalConfig};
use crate::record::Record;
use crate::wire::{format_date_time, TransactionResponse, RESPONSE_MESSAGE_TYPE};

/// What a terminal response is about.
pub(crate) struct Answer<'a> {
    pub(crate) code: ResponseCode,
    pub(crate) request: &'a Request,
    pub(crate) record: Option<&'a Record>,
    pub(crate) card: Option<&'a CardData>,
    pub(crate) original: Option<&'a Record>,
}

/// The 200 response of a routed request (every field present, D5).
pub(crate) fn terminal_response(
    config: &TerminalConfig,
    now: Timestamp,
    a: &Answer<'_>,
) -> TransactionResponse {
    let m = &config.merchant;
    let rec = a.record;
    let text = |f: fn(&Record) -> &String| rec.map(|r| f(r).clone()).unwrap_or_default();
    let approved = a.code.is_approved();
    let tip = rec
        .filter(|_| approved && a.request.operation.transaction_type() == TransactionType::SaleTip)
        .map(|r| (r.tip_amount, r.approved_amount));
    TransactionResponse {
        message_type: RESPONSE_MESSAGE_TYPE.to_owned(),
        response_code: a.code.code().to_owned(),
        response_text: a.code.text().to_owned(),
        authorization_number: if approved {
            text(|r| &r.authorization_number)
        } else {
            String::new()
        },
        // TEC-S-020: echoes.
        transaction_id: a.request.transaction_id.clone(),
        transaction_date_time: format_date_time(now, config.utc_offset_minutes),
        transaction_type: a.request.operation.transaction_type().code().to_owned(),
        card_number: text(|r| &r.card_number),
        credit_card_issuer_and_acquirer_company: rec
            .map(|r| clip_bytes(&r.issuer, 40))
            .unwrap_or_default(),
        stan: text(|r| &r.stan),
        receipt_header: m.receipt_header.clone(),
        receipt_footer: footer(a.card, tip),
        svc: text(|r| &r.svc),
        vu_number: m.vu_number.clone(),
        merchant_name: m.merchant_name.clone(),
        merchant_address: m.merchant_address.clone(),
        operator_id: m.operator_id.clone(),
        orig_stan: a.original.map(|o| o.stan.clone()).unwrap_or_default(),
        orig_tx_id: a
            .original
            .map(|o| o.transaction_id.clone())
            .unwrap_or_default(),
        serien_nr: m.serien_nr.clone(),
        ecr_data: a.request.ecr_data().to_owned(),
        ..TransactionResponse::default()
    }
}

/// `card_number` of a response: `PAN_YYMM`, masked first-6/last-4 unless switched off (D17).
pub(crate) fn display_pan(pan: &str, expiry: &str, mask: bool) -> String {
    let mut s = String::with_capacity(pan.len() + 1 + expiry.len());
    if !mask {
        s.push_str(pan);
    } else if pan.is_ascii() {
        // MaskedPan's rule, without its own String: first 6 and last 4 kept from 13 up.
        let n = pan.len();
        let (head, tail) = if n >= 13 { (6, 4) } else { (0, 4.min(n)) };
        s.push_str(&pan[..head]);
        s.extend(std::iter::repeat_n('*', n - head - tail));
        s.push_str(&pan[n - tail..]);
    } else {
        s.push_str(MaskedPan::new(pan).as_str());
    }
    s.push('_');
    s.push_str(expiry);
    s
}

/// A scheme name from the BIN, for cards keyed on the ECR.
pub(crate) fn brand_of(pan: &str) -> &'static str {
    let p2: u32 = pan.get(..2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let p4: u32 = pan.get(..4).and_then(|s| s.parse().ok()).unwrap_or(0);
    match (p2, p4) {
        (40..=49, _) => "VISA",
        (51..=55, _) | (_, 2221..=2720) => "MASTERCARD",
        (34 | 37, _) => "AMEX",
        (35, _) => "JCB",
        (_, 6011) | (65, _) => "DISCOVER",
        (_, 6304 | 6759 | 6761..=6763) | (50 | 56..=58, _) => "MAESTRO",
        _ => "CARD",
    }
}

/// `receipt_footer` (3.2, D12): `PIN VERIFIED`/`SIGNATURE`, `AID:`, `AC:`, and for an approved
/// `0907` `TIP:` and `TOTAL:` in major units; at most 100 bytes.
pub(crate) fn footer(card: Option<&CardData>, tip: Option<(Money, Money)>) -> String {
    // Written into one buffer: every response has a footer, and a part per String was most of
    // its cost.
    let mut out = String::with_capacity(64);
    let mut part = |label: &str, value: &str| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(label);
        out.push_str(value);
    };
    if let Some(c) = card {
        match c.cvm {
            Cvm::OnlinePin => part("PIN VERIFIED", ""),
            Cvm::Signature => part("SIGNATURE", ""),
            Cvm::NoCvm => {}
        }
        if !c.aid.is_empty() {
            part("AID:", &c.aid);
        }
        if !c.cryptogram.is_empty() {
            part("AC:", &c.cryptogram);
        }
    }
    // TEC-S-009
    if let Some((tip, total)) = tip {
        part("TIP:", &tip.to_major_string());
        part("TOTAL:", &total.to_major_string());
    }
    if out.len() > 100 {
        let mut end = 100;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::Entry;
    use payrig_core::Currency;

    fn card(cvm: Cvm) -> CardData {
        CardData {
            pan: "4111111111111111".into(),
            expiry: "2712".into(),
            brand: "VISA".into(),
            svc: "201".into(),
            entry: Entry::Insert,
            cvm,
            pin: None,
            aid: "A0000000031010".into(),
            cryptogram: "8F3A1C2B".into(),
            tip_minor: 0,
        }
    }

    #[test]
    fn footers_d12() {
        assert_eq!(
            footer(Some(&card(Cvm::OnlinePin)), None),
            "PIN VERIFIED AID:A0000000031010 AC:8F3A1C2B"
        );
        assert_eq!(
            footer(Some(&card(Cvm::Signature)), None),
            "SIGNATURE AID:A0000000031010 AC:8F3A1C2B"
        );
        let eur = |m| Money::from_minor(m, Currency::EUR);
        assert_eq!(
            footer(Some(&card(Cvm::NoCvm)), Some((eur(200), eur(1455)))),
            "AID:A0000000031010 AC:8F3A1C2B TIP:2.00 TOTAL:14.55"
        );
        assert_eq!(footer(None, None), "");
        let mut long = card(Cvm::OnlinePin);
        long.aid = "A".repeat(120);
        assert_eq!(footer(Some(&long), None).len(), 100);
    }

    #[test]
    fn masking_and_brands() {
        assert_eq!(
            display_pan("4111111111111111", "2712", true),
            "411111******1111_2712"
        );
        assert_eq!(
            display_pan("4111111111111111", "2712", false),
            "4111111111111111_2712"
        );
        for pan in [
            "",
            "1",
            "12345",
            "123456789012",
            "1234567890123",
            "4111111111111111",
        ] {
            for expiry in ["", "2712"] {
                assert_eq!(
                    display_pan(pan, expiry, true),
                    format!("{}_{expiry}", MaskedPan::new(pan))
                );
            }
        }
        assert_eq!(
            display_pan("4111é11111111111", "2712", true),
            format!("{}_2712", MaskedPan::new("4111é11111111111"))
        );
        assert_eq!(brand_of("4111111111111111"), "VISA");
        assert_eq!(brand_of("5555555555554444"), "MASTERCARD");
        assert_eq!(brand_of("2223000048400011"), "MASTERCARD");
        assert_eq!(brand_of("378282246310005"), "AMEX");
        assert_eq!(brand_of("6011111111111117"), "DISCOVER");
        assert_eq!(brand_of("9999"), "CARD");
    }
}
