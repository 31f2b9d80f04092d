//! Flow: volume as a pure function of elapsed milliseconds (simulators.md 3.3).
//!
//! A segment starts when flow starts (motor ready, resume, end of a stall) and carries the
//! volume already dispensed (`base`) and the delivery limit L. Inside a segment:
//!
//! ```text
//!  ml                                   slow rate from L - slow_zone, capped at L
//!   L ┤                                      ___________
//!     │                               ______/
//!     │                     _________/  <- fast rate R (linear)
//!     │            ________/
//!     │       ____/   <- ramp: R·t²/(2·T_r), 0 .. T_r
//!   0 ┼──────┴────────────────────────────────────────── t (ms since segment start)
//! ```
//!
//! Everything is integer: rates are nanolitres per minute, volumes are floored to whole ml, and
//! the instant a volume is reached is the first whole millisecond at which the floored curve
//! reaches it, found by search over the (monotonic) function itself so that deadlines and
//! samples can never disagree.
//!
//! DECISION: the ramp shapes the fast curve only; a segment that starts inside the slow zone
//! (a resume near L) runs at the slow rate at once. The slow zone starts at the first whole
//! millisecond where the fast curve reaches L - slow_zone, which reproduces the spec's example.

use std::fmt;

use payrig_core::{Duration, Volume};

/// Nanolitres in a millilitre: rates carry 10^-6 ml/min so that percentages stay exact.
const NL_PER_ML: u128 = 1_000_000;
/// Milliseconds in a minute.
const MS_PER_MIN: u128 = 60_000;
/// `MS_PER_MIN * NL_PER_ML` as a u64 (the divisor of every volume).
const NL_PER_MIN_PER_ML_PER_MS: u64 = 60_000 * 1_000_000;
/// Search ceiling: a volume not reached within ~146 million years never is.
const SEARCH_CEILING_MS: u64 = 1 << 62;

/// A flow rate in nanolitres per minute (`35 L/min` = 35 000 000 000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlowRate(pub u64);

impl FlowRate {
    /// From whole millilitres per minute (saturating).
    pub const fn from_ml_per_min(ml: u64) -> FlowRate {
        FlowRate(ml.saturating_mul(1_000_000))
    }

    /// Whole millilitres per minute, floored.
    pub const fn ml_per_min(self) -> u64 {
        self.0 / 1_000_000
    }
}

impl fmt::Display for FlowRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        payrig_core::decimal::format_scaled(f, i128::from(self.0 / 1000), 6)?;
        f.write_str(" L/min")
    }
}

/// The shape of flow at one fuelling point: fast rate, ramp, slow zone and slow rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowProfile {
    /// R: the full rate.
    pub rate: FlowRate,
    /// T_r: linear ramp from 0 to R at every segment start (motor start, resume).
    pub ramp: Duration,
    /// Volume before L where the slow rate takes over.
    pub slow_zone: Volume,
    /// The slow rate near L.
    pub slow_rate: FlowRate,
}

impl FlowProfile {
    /// A segment that starts with `base` already dispensed and stops exactly on `limit`.
    pub fn segment(&self, base: Volume, limit: Volume) -> Segment {
        let base = base.ml().min(limit.ml());
        let slow_from = limit.ml().saturating_sub(self.slow_zone.ml());
        let fast_volume = slow_from.saturating_sub(base);
        let mut seg = Segment {
            base,
            limit: limit.ml(),
            rate: u128::from(self.rate.0),
            slow_rate: u128::from(self.slow_rate.0),
            ramp_ms: u128::from(self.ramp.as_millis()),
            fast_volume,
            slow_at_ms: None,
            limit_ms: None,
        };
        // The slow zone begins at the first whole ms where the fast curve reaches L - slow_zone
        // (simulators.md 3.3 example: 27 451 ml at 48.059 s).
        seg.slow_at_ms = if fast_volume == 0 {
            Some(0)
        } else {
            let guess = seg.fast_guess(fast_volume);
            first_ms_reaching_near(fast_volume, guess, |t| seg.fast_ml(t))
        };
        // Deadlines ask for the limit instant on every poll; search once per segment.
        seg.limit_ms = seg.elapsed_to_reach(Volume(seg.limit));
        seg
    }
}

/// One flow segment: the pure function V(t) of simulators.md 3.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    base: u64,
    limit: u64,
    rate: u128,
    slow_rate: u128,
    ramp_ms: u128,
    /// Volume the fast curve delivers before the slow zone.
    fast_volume: u64,
    /// Elapsed ms at which the slow rate takes over; `None` if never.
    slow_at_ms: Option<u64>,
    /// Elapsed ms at which the segment stops on L (cached; `None` if never).
    limit_ms: Option<u64>,
}

impl Segment {
    /// Volume delivered by the fast curve (ramp then linear) after `t` ms, floored.
    fn fast_ml(&self, t: u64) -> u64 {
        // Real pumps and deliveries keep every product within u64, where the divisions by
        // constants compile to multiplies; u128 (same result) only for extreme inputs.
        if let (Ok(rate), Ok(ramp)) = (u64::try_from(self.rate), u64::try_from(self.ramp_ms)) {
            let denom = NL_PER_MIN_PER_ML_PER_MS;
            let v = if ramp == 0 {
                rate.checked_mul(t).map(|p| p / denom)
            } else if t <= ramp {
                t.checked_mul(t)
                    .and_then(|tt| rate.checked_mul(tt))
                    .zip(ramp.checked_mul(2 * denom))
                    .map(|(p, d)| p / d)
            } else {
                t.checked_mul(2)
                    .and_then(|x| x.checked_sub(ramp))
                    .and_then(|x| rate.checked_mul(x))
                    .map(|p| p / (2 * denom))
            };
            if let Some(v) = v {
                return v;
            }
        }
        self.fast_ml_wide(t)
    }

    fn fast_ml_wide(&self, t: u64) -> u64 {
        let t = u128::from(t);
        let denom = MS_PER_MIN * NL_PER_ML;
        let v = if self.ramp_ms == 0 {
            self.rate.saturating_mul(t) / denom
        } else if t <= self.ramp_ms {
            // R·t² / (2·T_r·60 000)
            self.rate.saturating_mul(t * t) / (2 * self.ramp_ms * denom)
        } else {
            // (R·T_r/2 + R·(t − T_r)) / 60 000 = R·(2t − T_r) / 120 000
            self.rate.saturating_mul(2 * t - self.ramp_ms) / (2 * denom)
        };
        u64::try_from(v).unwrap_or(u64::MAX)
    }

    /// Volume delivered by the slow rate `t` ms after the slow zone began, floored.
    fn slow_ml(&self, t: u64) -> u64 {
        if let Some(p) = u64::try_from(self.slow_rate)
            .ok()
            .and_then(|r| r.checked_mul(t))
        {
            return p / NL_PER_MIN_PER_ML_PER_MS;
        }
        let v = self.slow_rate.saturating_mul(u128::from(t)) / (MS_PER_MIN * NL_PER_ML);
        u64::try_from(v).unwrap_or(u64::MAX)
    }

    /// Total volume of the delivery (base included) `elapsed_ms` into the segment, capped at L.
    pub fn volume_at(&self, elapsed_ms: u64) -> Volume {
        let seg = match self.slow_at_ms {
            Some(ts) if elapsed_ms >= ts => self
                .fast_volume
                .saturating_add(self.slow_ml(elapsed_ms - ts)),
            _ => self.fast_ml(elapsed_ms),
        };
        Volume(self.base.saturating_add(seg).min(self.limit))
    }

    /// The first whole ms at which the delivery total reaches `target`; `None` if never
    /// (above L, or a rate of zero).
    pub fn elapsed_to_reach(&self, target: Volume) -> Option<u64> {
        if target.ml() <= self.base {
            return Some(0);
        }
        if target.ml() > self.limit {
            return None;
        }
        let v = target.ml() - self.base;
        let guess = match self.slow_at_ms {
            Some(ts) if v > self.fast_volume => {
                let rest = u128::from(v - self.fast_volume) * MS_PER_MIN * NL_PER_ML;
                let slow = rest.checked_div(self.slow_rate).unwrap_or(0);
                ts.saturating_add(u64::try_from(slow).unwrap_or(u64::MAX))
            }
            _ => self.fast_guess(v),
        };
        first_ms_reaching_near(target.ml(), guess, |t| self.volume_at(t).ml())
    }

    /// Where the fast curve alone delivers `v` ml, solved without flooring (ramp: the
    /// square root of the quadratic, then linear). Only a starting point: the search around it
    /// finds the exact floored instant, so a poor guess costs time, never correctness.
    fn fast_guess(&self, v: u64) -> u64 {
        if self.rate == 0 {
            return 0;
        }
        let denom = MS_PER_MIN * NL_PER_ML;
        let v = u128::from(v);
        let t = if self.ramp_ms > 0
            && v.saturating_mul(2 * denom) <= self.rate.saturating_mul(self.ramp_ms)
        {
            // v = R·t² / (2·T_r·d)  =>  t = sqrt(2·T_r·d·v / R)
            (self.ramp_ms.saturating_mul(2 * denom).saturating_mul(v) / self.rate).isqrt()
        } else {
            // v = R·(2t − T_r) / (2·d)  =>  t = (2·d·v / R + T_r) / 2
            (v.saturating_mul(2 * denom) / self.rate).saturating_add(self.ramp_ms) / 2
        };
        u64::try_from(t).unwrap_or(u64::MAX)
    }

    /// When the segment stops on L.
    pub fn elapsed_to_limit(&self) -> Option<u64> {
        self.limit_ms
    }

    /// The limit L this segment stops on.
    pub fn limit(&self) -> Volume {
        Volume(self.limit)
    }

    /// Volume at the segment start.
    pub fn base(&self) -> Volume {
        Volume(self.base)
    }
}

/// Smallest `t` with `f(t) >= target` for a non-decreasing `f`; `None` if even
/// `f(SEARCH_CEILING_MS)` stays below. Gallops from `guess` (down or up, doubling the step)
/// to a bracket, then bisects: a few evaluations when the guess is close, O(log t) otherwise.
fn first_ms_reaching_near(target: u64, guess: u64, f: impl Fn(u64) -> u64) -> Option<u64> {
    let g = guess.min(SEARCH_CEILING_MS);
    // Invariant after the gallop: f(lo) < target <= f(hi), lo < hi.
    let (mut lo, mut hi);
    let mut step: u64 = 1;
    if f(g) >= target {
        hi = g;
        loop {
            if hi == 0 {
                return Some(0);
            }
            let c = hi.saturating_sub(step);
            if f(c) < target {
                lo = c;
                break;
            }
            hi = c;
            step = step.saturating_mul(2);
        }
    } else {
        lo = g;
        loop {
            if lo >= SEARCH_CEILING_MS {
                return None;
            }
            let c = lo.saturating_add(step).min(SEARCH_CEILING_MS);
            if f(c) >= target {
                hi = c;
                break;
            }
            lo = c;
            step = step.saturating_mul(2);
        }
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if f(mid) >= target {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain exponential-then-bisection search from 0 that the guessed search replaced:
    /// the reference the property below compares against.
    fn first_ms_reaching(target: u64, f: impl Fn(u64) -> u64) -> Option<u64> {
        if f(0) >= target {
            return Some(0);
        }
        // Exponential search for an upper bound, then bisection: O(log t) evaluations.
        let mut hi: u64 = 1;
        while f(hi) < target {
            if hi >= SEARCH_CEILING_MS {
                return None;
            }
            hi = hi.saturating_mul(2);
        }
        let mut lo = hi / 2; // f(lo) < target (or lo == 0 and f(0) < target)
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if f(mid) >= target {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Some(hi)
    }

    fn ationet() -> FlowProfile {
        FlowProfile {
            rate: FlowRate::from_ml_per_min(35_000),
            ramp: Duration::from_secs(2),
            slow_zone: Volume(500),
            slow_rate: FlowRate::from_ml_per_min(3_500),
        }
    }

    #[test]
    fn ramp_gives_583_ml_after_2s() {
        // simulators.md 3.3: 35 L/min with a 2 s ramp gives 583 ml after the ramp.
        let s = ationet().segment(Volume::ZERO, Volume(1_000_000));
        assert_eq!(s.volume_at(2_000), Volume(583));
        assert_eq!(s.volume_at(1_000), Volume(145));
        assert_eq!(s.volume_at(0), Volume::ZERO);
        // Linear after the ramp: 583.33 + 35 000/60 per s.
        assert_eq!(s.volume_at(62_000), Volume(35_583));
    }

    #[test]
    fn spec_example_money_preset_stops_on_limit() {
        // simulators.md 3.3: 50.00 EUR at 1.789 -> L = 27 951 ml; slow zone from 27 451 ml at
        // 48.059 s; stop at 27 951 ml at 56.631 s.
        let s = ationet().segment(Volume::ZERO, Volume(27_951));
        assert_eq!(s.slow_at_ms, Some(48_059));
        assert_eq!(s.volume_at(48_058), Volume(27_450));
        assert_eq!(s.volume_at(48_059), Volume(27_451));
        assert_eq!(s.elapsed_to_limit(), Some(56_631));
        assert_eq!(s.volume_at(56_630), Volume(27_950));
        assert_eq!(s.volume_at(56_631), Volume(27_951));
        assert_eq!(s.volume_at(10_000_000), Volume(27_951));
    }

    #[test]
    fn ationet_nine_litres() {
        let s = ationet().segment(Volume::ZERO, Volume(9_000));
        let t = s.elapsed_to_limit().unwrap();
        assert_eq!(s.volume_at(t), Volume(9_000));
        assert!(s.volume_at(t - 1) < Volume(9_000));
    }

    #[test]
    fn resumed_segment_inside_slow_zone_uses_slow_rate() {
        let s = ationet().segment(Volume(8_800), Volume(9_000));
        assert_eq!(s.slow_at_ms, Some(0));
        // 200 ml at 3.5 L/min = 3 428.57 ms.
        assert_eq!(s.elapsed_to_limit(), Some(3_429));
        assert_eq!(s.volume_at(0), Volume(8_800));
    }

    #[test]
    fn zero_rate_never_reaches() {
        let p = FlowProfile {
            rate: FlowRate(0),
            ..ationet()
        };
        let s = p.segment(Volume::ZERO, Volume(1_000));
        assert_eq!(s.elapsed_to_limit(), None);
        assert_eq!(s.volume_at(u64::MAX), Volume::ZERO);
    }

    proptest::proptest! {
        #[test]
        fn volume_is_monotonic_and_capped(
            rate in 1u64..200_000, slow in 1u64..200_000, ramp in 0u64..10_000,
            zone in 0u64..5_000, base in 0u64..50_000, limit in 0u64..100_000,
            a in 0u64..10_000_000, b in 0u64..10_000_000,
        ) {
            let p = FlowProfile {
                rate: FlowRate::from_ml_per_min(rate),
                ramp: Duration(ramp),
                slow_zone: Volume(zone),
                slow_rate: FlowRate::from_ml_per_min(slow),
            };
            let s = p.segment(Volume(base), Volume(limit));
            let (lo, hi) = (a.min(b), a.max(b));
            proptest::prop_assert!(s.volume_at(lo) <= s.volume_at(hi));
            proptest::prop_assert!(s.volume_at(hi).ml() <= limit);
            let t = s.elapsed_to_limit().unwrap();
            proptest::prop_assert_eq!(s.volume_at(t).ml(), limit);
            if t > 0 {
                proptest::prop_assert!(s.volume_at(t - 1).ml() < limit);
            }
        }

        #[test]
        fn guessed_search_matches_the_plain_one(
            rate in 0u64..200_000, slow in 0u64..200_000, ramp in 0u64..10_000,
            zone in 0u64..5_000, base in 0u64..50_000, limit in 0u64..100_000,
            target in 0u64..110_000,
        ) {
            let p = FlowProfile {
                rate: FlowRate::from_ml_per_min(rate),
                ramp: Duration(ramp),
                slow_zone: Volume(zone),
                slow_rate: FlowRate::from_ml_per_min(slow),
            };
            let s = p.segment(Volume(base), Volume(limit));
            let fast = first_ms_reaching(s.fast_volume, |t| s.fast_ml(t));
            if s.fast_volume > 0 {
                proptest::prop_assert_eq!(s.slow_at_ms, fast);
            }
            let plain = if target <= s.base {
                Some(0)
            } else if target > s.limit {
                None
            } else {
                first_ms_reaching(target, |t| s.volume_at(t).ml())
            };
            proptest::prop_assert_eq!(s.elapsed_to_reach(Volume(target)), plain);
        }

        #[test]
        fn u64_fast_path_matches_u128(
            rate in proptest::num::u64::ANY, ramp in 0u64..3_600_000,
            t in proptest::num::u64::ANY, small_t in 0u64..100_000_000,
        ) {
            let p = FlowProfile {
                rate: FlowRate(rate),
                ramp: Duration(ramp),
                slow_zone: Volume(500),
                slow_rate: FlowRate(rate / 10),
            };
            let s = p.segment(Volume::ZERO, Volume(u64::MAX));
            for t in [t, small_t] {
                proptest::prop_assert_eq!(s.fast_ml(t), s.fast_ml_wide(t));
                let wide = u64::try_from(
                    s.slow_rate.saturating_mul(u128::from(t)) / (MS_PER_MIN * NL_PER_ML),
                )
                .unwrap_or(u64::MAX);
                proptest::prop_assert_eq!(s.slow_ml(t), wide);
            }
        }

        #[test]
        fn extreme_inputs_do_not_panic(
            rate in proptest::num::u64::ANY, ramp in proptest::num::u64::ANY,
            t in proptest::num::u64::ANY, limit in proptest::num::u64::ANY,
        ) {
            let p = FlowProfile {
                rate: FlowRate(rate),
                ramp: Duration(ramp % 3_600_000),
                slow_zone: Volume(500),
                slow_rate: FlowRate(rate / 10),
            };
            let s = p.segment(Volume::ZERO, Volume(limit % 10_000_000));
            let _ = s.volume_at(t);
            let _ = s.elapsed_to_limit();
        }
    }
}
