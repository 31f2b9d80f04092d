//! The reference rules of spec 4.2: which original a `TXID` names, whether it may be
//! cancelled, captured or refunded, and what an approval does to it.
//!
//! ```text
//! cancel   (0013):      target approved, kind != cancel, no refunds; amount == target amount (D11)
//! capture  (0013, 4):   target preauth, approved; 1 <= amount <= approved_amount; once only
//! refund   (0011 TXID): target sale | moto_sale | sale_tip | capture, approved;
//!                       amount <= approved_amount - refunded_amount
//! not found, ambiguous (D8), other source id or terminal -> 1201; kind/state -> 1202;
//! amount -> 1203                                                   (TEC-S-014, all HTTP 200)
//! ```

use std::collections::BTreeMap;

use payrig_core::Timestamp;

use crate::code::ResponseCode;
use crate::record::{Record, RecordKind, RecordStatus};
use crate::wire::{same_source_id, TxidRef};

/// A reference operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefOp {
    Cancel,
    Capture,
    Refund,
}

/// What a reference request asked for, for [`check`].
pub(crate) struct RefQuery<'a> {
    pub(crate) op: RefOp,
    pub(crate) reference: &'a TxidRef,
    pub(crate) source_id: &'a str,
    pub(crate) terminal_number: &'a str,
    pub(crate) amount_minor: i64,
    pub(crate) currency: payrig_core::Currency,
    pub(crate) cancel_amount_must_match: bool,
}

/// Why a reference was refused, with the original when one was found (for `orig_tx_id` and
/// `orig_stan`).
pub(crate) struct RefError {
    pub(crate) code: ResponseCode,
    pub(crate) original: Option<String>,
}

/// Resolves the reference and checks the rules; the original's `transaction_id` on success.
pub(crate) fn check(
    records: &BTreeMap<String, Box<Record>>,
    q: &RefQuery<'_>,
) -> Result<String, RefError> {
    let not_found = || RefError {
        code: ResponseCode::OriginalNotFound,
        original: None,
    };
    // TEC-S-011: both forms, compared padded; more than one match is 1201 (D8).
    let mut matches = records
        .values()
        .filter(|r| q.reference.matches(&r.transaction_id));
    let target = matches.next().ok_or_else(not_found)?;
    if matches.next().is_some() {
        return Err(not_found());
    }
    if let Some(t) = &q.reference.terminal {
        if t != q.terminal_number {
            return Err(not_found());
        }
    }
    let src_ok = same_source_id(q.source_id, &target.source_id)
        && q.reference
            .source_id
            .as_deref()
            .is_none_or(|s| same_source_id(s, &target.source_id));
    if !src_ok {
        return Err(not_found());
    }
    let fail = |code| RefError {
        code,
        original: Some(target.transaction_id.clone()),
    };
    let approved = target.status == RecordStatus::Approved;
    let same_currency = target.amount.currency == q.currency;
    match q.op {
        // TEC-S-013, D11, D14 (declined/aborted originals: 1202)
        RefOp::Cancel => {
            if !approved || target.kind == RecordKind::Cancel || target.refunded_amount.minor != 0 {
                return Err(fail(ResponseCode::OriginalNotEligible));
            }
            if !same_currency
                || (q.cancel_amount_must_match && q.amount_minor != target.amount.minor)
            {
                return Err(fail(ResponseCode::AmountExceedsOriginal));
            }
        }
        // TEC-S-012: approved, uncaptured preauth; a second capture finds it `captured`.
        RefOp::Capture => {
            if !approved || target.kind != RecordKind::Preauth {
                return Err(fail(ResponseCode::OriginalNotEligible));
            }
            if !same_currency || q.amount_minor < 1 || q.amount_minor > target.approved_amount.minor
            {
                return Err(fail(ResponseCode::AmountExceedsOriginal));
            }
        }
        // TEC-S-010
        RefOp::Refund => {
            let kind_ok = matches!(
                target.kind,
                RecordKind::Sale | RecordKind::MotoSale | RecordKind::SaleTip | RecordKind::Capture
            );
            if !approved || !kind_ok {
                return Err(fail(ResponseCode::OriginalNotEligible));
            }
            if !same_currency || q.amount_minor > target.refundable_minor() {
                return Err(fail(ResponseCode::AmountExceedsOriginal));
            }
        }
    }
    Ok(target.transaction_id.clone())
}

/// Applies an approved reference operation of `kind` for `amount` (its `approved_amount`) to
/// its original `original_id`. Returns the ids of records whose status changed.
pub(crate) fn apply(
    records: &mut BTreeMap<String, Box<Record>>,
    now: Timestamp,
    original_id: String,
    kind: RecordKind,
    amount: i64,
) -> Vec<String> {
    let mut changed = Vec::new();
    let Some(original) = records.get_mut(&original_id) else {
        return changed;
    };
    original.updated = now;
    match kind {
        RecordKind::Cancel => {
            original.status = RecordStatus::Cancelled;
            changed.push(original_id);
            let (kind, upstream, upstream_amount) = (
                original.kind,
                original.original.clone(),
                original.approved_amount.minor,
            );
            let Some(up_id) = upstream else {
                return changed;
            };
            let Some(up) = records.get_mut(&up_id) else {
                return changed;
            };
            match kind {
                // Cancelling a refund gives the amount back to its original.
                RecordKind::ReferencedRefund => {
                    up.refunded_amount.minor = (up.refunded_amount.minor - upstream_amount).max(0);
                    if up.status == RecordStatus::Refunded {
                        up.status = RecordStatus::Approved;
                    }
                }
                // A preauth whose capture is cancelled: captured -> cancelled.
                RecordKind::Capture if up.status == RecordStatus::Captured => {
                    up.status = RecordStatus::Cancelled;
                }
                _ => return changed,
            }
            up.updated = now;
            changed.push(up_id);
        }
        RecordKind::Capture => {
            original.captured_amount.minor = amount;
            original.status = RecordStatus::Captured;
            changed.push(original_id);
        }
        RecordKind::ReferencedRefund => {
            original.refunded_amount.minor += amount;
            if original.refunded_amount.minor >= original.approved_amount.minor {
                original.status = RecordStatus::Refunded;
            }
            changed.push(original_id);
        }
        _ => {}
    }
    changed
}
