//! ISO 9564 format 0 PIN blocks, in clear.
//!
//! The reader hands an online PIN to the host as a format-0 block. Encrypting it under a DUKPT
//! PIN key (simulators.md 2.5) is a later issue; until then the block travels in clear
//! together with whether it matches the card's PIN, so the simulated issuer can decline `55`.

/// The clear ISO 9564 format 0 PIN block of `pin` (4-12 digits) for `pan`, as 16 upper-case
/// hex digits; `None` when the PIN or PAN is not digits of a usable length.
pub fn format0_pin_block(pin: &str, pan: &str) -> Option<String> {
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !(4..=12).contains(&pin.len()) || !digits(pin) || pan.len() < 13 || !digits(pan) {
        return None;
    }
    // PIN field: 0, length, PIN, F padding.
    let mut pin_field = format!("0{:X}{}", pin.len(), pin);
    while pin_field.len() < 16 {
        pin_field.push('F');
    }
    // PAN field: 0000 and the rightmost 12 digits without the check digit.
    let body = &pan[..pan.len() - 1];
    let pan_field = format!("0000{}", &body[body.len() - 12..]);
    let a = u64::from_str_radix(&pin_field, 16).ok()?;
    let b = u64::from_str_radix(&pan_field, 16).ok()?;
    Some(format!("{:016X}", a ^ b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_format0_block() {
        // The classic ISO 9564 example: PIN 1234, PAN 4012345678909.
        assert_eq!(
            format0_pin_block("1234", "4012345678909").as_deref(),
            Some("041274EDCBA9876F")
        );
        assert_eq!(
            format0_pin_block("1234", "4761730000000011").as_deref(),
            Some("041223CFFFFFFFFE")
        );
        assert_eq!(format0_pin_block("12", "4012345678909"), None);
        assert_eq!(format0_pin_block("1234", "40123"), None);
        assert_eq!(format0_pin_block("12a4", "4012345678909"), None);
    }
}
