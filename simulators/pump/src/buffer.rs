//! The transaction buffer and grade meters (simulators.md 3.5).
//!
//! ```text
//!   delivery end, volume > 0
//!        │ lock_to_owner?
//!        ├── no ──> Payable (2) <──unlock── Locked (3) ──clear──> Cleared (1)  [terminal]
//!        └── yes ─────────────────lock────> Locked (3)
//! ```
//!
//! SIM-P-03: Payable + Locked never exceed `unpaid_limit` because `authorise` is refused at the
//! limit and one authorisation makes at most one sale. SIM-G-02: `Cleared` absorbs.

use std::collections::{BTreeMap, VecDeque};

use payrig_core::{Money, Timestamp, Volume};
use serde::Serialize;

use crate::price::Price;
use crate::Owner;

/// Cleared sales kept for inspection; older ones are dropped (meters keep their totals).
const KEEP_CLEARED: usize = 64;

/// Why a delivery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EndReason {
    /// The nozzle was hung up (after the limit, or early).
    HangUp,
    /// No flow for `no_flow_timeout` (e.g. a stuck nozzle after the limit).
    NoFlowTimeout,
    /// The point went offline mid-delivery; what was metered is finalised.
    Fault,
}

/// Buffer status of a sale, with IFSF-like ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleStatus {
    /// 1: paid and cleared; terminal.
    Cleared,
    /// 2: waiting for a payer.
    Payable,
    /// 3: locked by a payer.
    Locked(Owner),
}

impl SaleStatus {
    /// The IFSF-like status id.
    pub fn id(&self) -> u8 {
        match self {
            SaleStatus::Cleared => 1,
            SaleStatus::Payable => 2,
            SaleStatus::Locked(_) => 3,
        }
    }
}

/// A buffered sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sale {
    /// Sequence number per point, from 1.
    pub seq: u32,
    /// Fuelling point.
    pub fp: u8,
    /// Nozzle used.
    pub nozzle: u8,
    /// Grade code.
    pub grade: String,
    /// Volume dispensed.
    pub volume: Volume,
    /// Unit price.
    pub price: Price,
    /// amount(volume) (SIM-P-02).
    pub amount: Money,
    /// Who authorised the delivery.
    pub owner: Owner,
    /// When the delivery started (authorised nozzle lifted).
    pub started_at: Timestamp,
    /// When it ended.
    pub ended_at: Timestamp,
    /// Why it ended.
    pub end_reason: EndReason,
    /// Buffer status.
    pub status: SaleStatus,
}

/// Running totals of one grade; they only grow (simulators.md 3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct GradeMeter {
    /// Total volume dispensed.
    pub volume: Volume,
    /// Total amount, in minor units.
    pub amount_minor: i64,
    /// Number of sales.
    pub sales: u64,
}

/// Why a buffer operation was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BufferError {
    UnknownSale,
    WrongStatus,
    WrongOwner,
}

/// Sales of one point plus its grade meters.
#[derive(Debug, Clone, Default)]
pub(crate) struct Buffer {
    next_seq: u32,
    sales: VecDeque<Sale>,
    meters: BTreeMap<String, GradeMeter>,
}

impl Buffer {
    /// Payable + Locked.
    pub(crate) fn unpaid(&self) -> usize {
        self.sales
            .iter()
            .filter(|s| s.status != SaleStatus::Cleared)
            .count()
    }

    pub(crate) fn sales(&self) -> impl Iterator<Item = &Sale> {
        self.sales.iter()
    }

    pub(crate) fn meters(&self) -> &BTreeMap<String, GradeMeter> {
        &self.meters
    }

    pub(crate) fn sale(&self, seq: u32) -> Option<&Sale> {
        self.sales.iter().find(|s| s.seq == seq)
    }

    /// Appends a sale, assigning its sequence number, and advances the grade meter.
    pub(crate) fn push(&mut self, mut sale: Sale) -> Sale {
        self.next_seq = self.next_seq.wrapping_add(1).max(1);
        sale.seq = self.next_seq;
        let add = |m: &mut GradeMeter| {
            m.volume = Volume(m.volume.ml().saturating_add(sale.volume.ml()));
            m.amount_minor = m.amount_minor.saturating_add(sale.amount.minor);
            m.sales = m.sales.saturating_add(1);
        };
        // The key is cloned only for a grade's first sale.
        match self.meters.get_mut(&sale.grade) {
            Some(m) => add(m),
            None => {
                let mut m = GradeMeter::default();
                add(&mut m);
                self.meters.insert(sale.grade.clone(), m);
            }
        }
        self.sales.push_back(sale.clone());
        sale
    }

    fn find_mut(&mut self, seq: u32) -> Result<&mut Sale, BufferError> {
        self.sales
            .iter_mut()
            .find(|s| s.seq == seq)
            .ok_or(BufferError::UnknownSale)
    }

    /// Payable -> Locked(owner).
    pub(crate) fn lock(&mut self, seq: u32, owner: &Owner) -> Result<(), BufferError> {
        let s = self.find_mut(seq)?;
        match &s.status {
            SaleStatus::Payable => {
                s.status = SaleStatus::Locked(owner.clone());
                Ok(())
            }
            _ => Err(BufferError::WrongStatus),
        }
    }

    /// Locked(owner) -> Payable.
    pub(crate) fn unlock(&mut self, seq: u32, owner: &Owner) -> Result<(), BufferError> {
        let s = self.find_mut(seq)?;
        match &s.status {
            SaleStatus::Locked(o) if o == owner => {
                s.status = SaleStatus::Payable;
                Ok(())
            }
            SaleStatus::Locked(_) => Err(BufferError::WrongOwner),
            _ => Err(BufferError::WrongStatus),
        }
    }

    /// Locked(owner) -> Cleared, terminal (SIM-G-02).
    pub(crate) fn clear(&mut self, seq: u32, owner: &Owner) -> Result<(), BufferError> {
        let s = self.find_mut(seq)?;
        match &s.status {
            SaleStatus::Locked(o) if o == owner => {
                s.status = SaleStatus::Cleared;
            }
            SaleStatus::Locked(_) => return Err(BufferError::WrongOwner),
            _ => return Err(BufferError::WrongStatus),
        }
        // Bound memory over long runs: drop the oldest cleared sales past KEEP_CLEARED.
        let cleared = self
            .sales
            .iter()
            .filter(|s| s.status == SaleStatus::Cleared)
            .count();
        if cleared > KEEP_CLEARED {
            if let Some(i) = self
                .sales
                .iter()
                .position(|s| s.status == SaleStatus::Cleared)
            {
                self.sales.remove(i);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use payrig_core::Currency;

    fn sale(volume: u64) -> Sale {
        let price = Price::parse_major("1.789", Currency::EUR).unwrap();
        Sale {
            seq: 0,
            fp: 1,
            nozzle: 1,
            grade: "G95".into(),
            volume: Volume(volume),
            price,
            amount: price.amount(Volume(volume)),
            owner: Owner::from("pos"),
            started_at: Timestamp(0),
            ended_at: Timestamp(1),
            end_reason: EndReason::HangUp,
            status: SaleStatus::Payable,
        }
    }

    #[test]
    fn lock_unlock_clear() {
        let mut b = Buffer::default();
        let a = Owner::from("a");
        let other = Owner::from("b");
        let s = b.push(sale(1000));
        assert_eq!(s.seq, 1);
        assert_eq!(b.unpaid(), 1);
        assert_eq!(b.clear(1, &a), Err(BufferError::WrongStatus));
        b.lock(1, &a).unwrap();
        assert_eq!(b.lock(1, &other), Err(BufferError::WrongStatus));
        assert_eq!(b.unlock(1, &other), Err(BufferError::WrongOwner));
        b.unlock(1, &a).unwrap();
        b.lock(1, &a).unwrap();
        b.clear(1, &a).unwrap();
        assert_eq!(b.unpaid(), 0);
        // Cleared is terminal.
        assert_eq!(b.lock(1, &a), Err(BufferError::WrongStatus));
        assert_eq!(b.unlock(1, &a), Err(BufferError::WrongStatus));
        assert_eq!(b.clear(1, &a), Err(BufferError::WrongStatus));
        assert_eq!(b.lock(9, &a), Err(BufferError::UnknownSale));
        assert_eq!(b.meters()["G95"].volume, Volume(1000));
        assert_eq!(b.meters()["G95"].amount_minor, 179);
    }

    #[test]
    fn cleared_sales_are_bounded_but_meters_are_not() {
        let mut b = Buffer::default();
        let a = Owner::from("a");
        for i in 1..=100u32 {
            b.push(sale(10));
            b.lock(i, &a).unwrap();
            b.clear(i, &a).unwrap();
        }
        assert!(b.sales().count() <= KEEP_CLEARED + 1);
        assert_eq!(b.meters()["G95"].volume, Volume(1000));
        assert_eq!(b.meters()["G95"].sales, 100);
        assert!(b.sale(100).is_some());
    }
}
