//! Property names exactly as the seed and section 3 spell them (output casing, D2).

/// `siteCode`.
pub const SITE_CODE: &str = "siteCode";
/// `pumpNumber`.
pub const PUMP_NUMBER: &str = "pumpNumber";
/// `fuelCode`.
pub const FUEL_CODE: &str = "fuelCode";
/// `amount`.
pub const AMOUNT: &str = "amount";
/// `primaryTrack`.
pub const PRIMARY_TRACK: &str = "primaryTrack";
/// `terminalCode`.
pub const TERMINAL_CODE: &str = "terminalCode";
/// `mobilePaymentMode`.
pub const MOBILE_PAYMENT_MODE: &str = "mobilePaymentMode";
/// `potencyKeyId`.
pub const POTENCY_KEY_ID: &str = "potencyKeyId";
/// `externalReferanceID`: the seed's body spelling, sent by clients and used as the errors key.
pub const EXTERNAL_REFERANCE_ID: &str = "externalReferanceID";
/// `externalReferenceID`: the seed's field-table spelling, also accepted (D3).
pub const EXTERNAL_REFERENCE_ID: &str = "externalReferenceID";
/// `transactionId` (create and Cancel responses, Cancel request).
pub const TRANSACTION_ID: &str = "transactionId";
/// `idTransaction` (PromptPreauthorizations).
pub const ID_TRANSACTION: &str = "idTransaction";
/// `customerData` (PromptPreauthorizations).
pub const CUSTOMER_DATA: &str = "customerData";
