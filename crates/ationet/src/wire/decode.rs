//! Request decoders: bytes to validated domain values, or a [`Problem`] naming every bad field.
//!
//! Section 5's order inside the 400 class: syntax first (`$`), then every field. Site limits
//! (`max_preset`, money precision) and prompt names against the requested flags are the
//! world's checks; this layer checks types, lengths, patterns and the fixed ranges of 3.1-3.5.

use payrig_core::{Decimal, DecimalError};

use super::names::*;
use super::object::{members, parse_object, Json, Member, ObjectError};
use crate::domain::{
    CancelRequest, CreateKind, CreateRequest, Problem, ProblemCode, PromptRequest,
};

/// Largest `amount` this layer accepts; sites have their own, smaller `max_preset` (D13).
pub const MAX_AMOUNT: i64 = 1_000_000;

/// Decimals `amount` may carry at this layer (litres, 3.1); money sites allow fewer (D4).
pub const AMOUNT_MAX_DECIMALS: u32 = 3;

/// The prompt answers of 3.5, named without `Prompt`, in the spec's order.
pub const PROMPT_ANSWER_NAMES: [&str; 9] = [
    "PrimaryPin",
    "SecondaryTrack",
    "Odometer",
    "DriverId",
    "VehicleId",
    "TruckUnitNumber",
    "TrailerNumber",
    "EngineHours",
    "Miscellaneous",
];

/// Answers that must be digits (3.5).
const DIGIT_ANSWERS: [&str; 2] = ["Odometer", "EngineHours"];

const CODE_PATTERN_32: &str = "must match ^[A-Za-z0-9._-]{1,32}$";
const CODE_PATTERN_16: &str = "must match ^[A-Za-z0-9._-]{1,16}$";
const KEY_PATTERN: &str = "must match ^[A-Za-z0-9._~-]{1,64}$";

/// Reads typed fields out of resolved members, collecting every problem.
struct Reader<'a> {
    members: Vec<Member<'a>>,
    problem: Problem,
    numeric_strings: Vec<&'static str>,
}

/// A field that decoded to a number, with whether it arrived as a numeric string (D13).
struct Num {
    value: Decimal,
    from_string: bool,
}

impl<'a> Reader<'a> {
    fn value(&self, name: &str) -> Option<&Json<'a>> {
        self.members
            .iter()
            .find(|m| m.name == name)
            .map(|m| &m.value)
    }

    fn string(&mut self, name: &str, key: &str, required: bool) -> Option<String> {
        match self.value(name) {
            None => {
                if required && !self.problem.errors.contains_key(key) {
                    self.problem
                        .push(key, ProblemCode::MissingField, "is required");
                }
                None
            }
            Some(Json::String(s)) => Some(s.clone()),
            Some(other) => {
                let msg = format!("must be a string, not {}", other.type_name());
                self.problem.push(key, ProblemCode::InvalidType, msg);
                None
            }
        }
    }

    fn number(&mut self, name: &'static str) -> Option<Num> {
        let (text, from_string) = match self.value(name) {
            None => {
                if !self.problem.errors.contains_key(name) {
                    self.problem
                        .push(name, ProblemCode::MissingField, "is required");
                }
                return None;
            }
            Some(Json::Number(t)) => ((*t).to_owned(), false),
            Some(Json::String(s)) => (s.clone(), true),
            Some(other) => {
                let msg = format!("must be a number, not {}", other.type_name());
                self.problem.push(name, ProblemCode::InvalidType, msg);
                return None;
            }
        };
        match Decimal::parse(&text) {
            Ok(value) => Some(Num { value, from_string }),
            // A JSON number always has decimal syntax, so Syntax means a non-numeric string.
            Err(DecimalError::Syntax) => {
                self.problem.push(
                    name,
                    ProblemCode::InvalidType,
                    "must be a number (this string is not numeric)",
                );
                None
            }
            Err(_) => {
                self.problem.push(
                    name,
                    ProblemCode::InvalidValue,
                    "is too large or too precise to be read exactly",
                );
                None
            }
        }
    }

    /// An integer field with an inclusive range; `range_msg` names the rule.
    fn integer(&mut self, name: &'static str, min: i64, max: i64, range_msg: &str) -> Option<u8> {
        let num = self.number(name)?;
        let n = num.value.to_scaled(0).and_then(|v| u8::try_from(v).ok());
        match n {
            Some(v) if i64::from(v) >= min && i64::from(v) <= max => {
                if num.from_string {
                    self.numeric_strings.push(name);
                }
                Some(v)
            }
            _ => {
                if num.value.scale() > 0 {
                    self.problem
                        .push(name, ProblemCode::InvalidValue, "must be an integer");
                } else {
                    self.problem
                        .push(name, ProblemCode::InvalidValue, range_msg);
                }
                None
            }
        }
    }

    fn invalid(&mut self, key: &str, msg: impl Into<String>) {
        self.problem.push(key, ProblemCode::InvalidValue, msg);
    }

    /// Checks a length in characters (`min..=max`).
    fn check_len(&mut self, key: &str, s: &str, max: usize) -> bool {
        let n = s.chars().count();
        if (1..=max).contains(&n) {
            true
        } else {
            self.invalid(key, format!("must be 1 to {max} characters long"));
            false
        }
    }

    /// Checks `^[allowed]{1,max}$` with one message naming the pattern.
    fn check_pattern(
        &mut self,
        key: &str,
        s: &str,
        max: usize,
        allowed: fn(u8) -> bool,
        msg: &str,
    ) -> bool {
        if (1..=max).contains(&s.len()) && s.bytes().all(allowed) {
            true
        } else {
            self.invalid(key, msg);
            false
        }
    }

    /// Finishes: the value if nothing was reported.
    fn finish<T>(self, value: Option<T>) -> Result<T, Problem> {
        match value {
            Some(v) if self.problem.is_empty() => Ok(v),
            _ => Err(self.problem),
        }
    }
}

fn code_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')
}

fn key_byte(b: u8) -> bool {
    code_byte(b) || b == b'~'
}

fn printable_ascii(b: u8) -> bool {
    (0x20..=0x7e).contains(&b)
}

/// Parses the body into resolved members, or the `$` problem.
fn read<'a>(
    obj: &'a super::object::RawObject,
    known: &[(&'static str, &'static str)],
) -> Reader<'a> {
    let mut problem = Problem::default();
    let members = members(obj, known, false, "", &mut problem);
    Reader {
        members,
        problem,
        numeric_strings: Vec::new(),
    }
}

fn object_problem(e: &ObjectError) -> Problem {
    Problem::field("$", ProblemCode::MalformedJson, e.to_string())
}

/// Decodes a MobilePayments (3.1) or PreAuthorizedPayments (3.2) body.
///
/// Names are case-insensitive and a name given twice is `duplicate_field` (D2); both spellings
/// of `externalReferanceID` are read, and differing values are `invalid_value` (D3); `null`
/// counts as absent, unknown names are ignored, numeric strings are accepted and listed in
/// [`CreateRequest::numeric_strings`] (D13). For PreAuthorizedPayments, `primaryTrack` and
/// `terminalCode` are ignored. Every bad field is reported.
pub fn decode_create(kind: CreateKind, body: &[u8]) -> Result<CreateRequest, Problem> {
    let obj = parse_object(body).map_err(|e| object_problem(&e))?;
    let mobile = matches!(kind, CreateKind::MobilePayments);
    let known: &[(&'static str, &'static str)] = if mobile {
        &[
            (SITE_CODE, SITE_CODE),
            (PUMP_NUMBER, PUMP_NUMBER),
            (FUEL_CODE, FUEL_CODE),
            (AMOUNT, AMOUNT),
            (PRIMARY_TRACK, PRIMARY_TRACK),
            (TERMINAL_CODE, TERMINAL_CODE),
            (MOBILE_PAYMENT_MODE, MOBILE_PAYMENT_MODE),
            (POTENCY_KEY_ID, POTENCY_KEY_ID),
            (EXTERNAL_REFERANCE_ID, EXTERNAL_REFERANCE_ID),
            (EXTERNAL_REFERENCE_ID, EXTERNAL_REFERANCE_ID),
        ]
    } else {
        &[
            (SITE_CODE, SITE_CODE),
            (PUMP_NUMBER, PUMP_NUMBER),
            (FUEL_CODE, FUEL_CODE),
            (AMOUNT, AMOUNT),
            (MOBILE_PAYMENT_MODE, MOBILE_PAYMENT_MODE),
            (POTENCY_KEY_ID, POTENCY_KEY_ID),
            (EXTERNAL_REFERANCE_ID, EXTERNAL_REFERANCE_ID),
            (EXTERNAL_REFERENCE_ID, EXTERNAL_REFERANCE_ID),
        ]
    };
    let mut r = read(&obj, known);

    let site_code = r
        .string(SITE_CODE, SITE_CODE, true)
        .filter(|s| r.check_pattern(SITE_CODE, s, 32, code_byte, CODE_PATTERN_32));
    let pump_number = r.integer(PUMP_NUMBER, 1, 99, "must be between 1 and 99");
    let fuel_code = r
        .string(FUEL_CODE, FUEL_CODE, true)
        .filter(|s| r.check_pattern(FUEL_CODE, s, 16, code_byte, CODE_PATTERN_16));
    let amount = decode_amount(&mut r);
    let (primary_track, terminal_code) = if mobile {
        let track = r.string(PRIMARY_TRACK, PRIMARY_TRACK, true).filter(|s| {
            r.check_pattern(
                PRIMARY_TRACK,
                s,
                79,
                printable_ascii,
                "must be 1 to 79 printable ASCII characters",
            )
        });
        let terminal = r
            .string(TERMINAL_CODE, TERMINAL_CODE, true)
            .filter(|s| r.check_len(TERMINAL_CODE, s, 32));
        (track.map(Some), terminal.map(Some))
    } else {
        (Some(None), Some(None))
    };
    let mode = r.integer(MOBILE_PAYMENT_MODE, 1, 1, "must be 1 (FullIntegrated)");
    let potency_key_id = r
        .string(POTENCY_KEY_ID, POTENCY_KEY_ID, true)
        .filter(|s| r.check_pattern(POTENCY_KEY_ID, s, 64, key_byte, KEY_PATTERN));
    let external = decode_external_reference(&mut r, !mobile);

    let numeric_strings = std::mem::take(&mut r.numeric_strings);
    let value = (|| {
        Some(CreateRequest {
            kind,
            site_code: site_code?,
            pump_number: pump_number?,
            fuel_code: fuel_code?,
            amount: amount?,
            primary_track: primary_track?,
            terminal_code: terminal_code?,
            mobile_payment_mode: mode?,
            potency_key_id: potency_key_id?,
            external_reference_id: external?,
            numeric_strings,
        })
    })();
    r.finish(value)
}

/// `amount`: a number > 0, at most 3 decimals, at most [`MAX_AMOUNT`] (ATN-S-018 at this layer).
fn decode_amount(r: &mut Reader<'_>) -> Option<Decimal> {
    let num = r.number(AMOUNT)?;
    let mut ok = true;
    if !num.value.is_positive() {
        r.invalid(AMOUNT, "must be greater than 0");
        ok = false;
    }
    if num.value.scale() > AMOUNT_MAX_DECIMALS {
        r.invalid(
            AMOUNT,
            format!("must have at most {AMOUNT_MAX_DECIMALS} decimals"),
        );
        ok = false;
    }
    if num.value > Decimal::from_int(MAX_AMOUNT) {
        r.invalid(AMOUNT, format!("must be at most {MAX_AMOUNT}"));
        ok = false;
    }
    if ok && num.from_string {
        r.numeric_strings.push(AMOUNT);
    }
    ok.then_some(num.value)
}

/// Both spellings of the external reference (ATN-S-007, D3): one field, reported under the
/// seed's body spelling. `Some(None)` is "validly absent".
fn decode_external_reference(r: &mut Reader<'_>, required: bool) -> Option<Option<String>> {
    let key = EXTERNAL_REFERANCE_ID;
    let seed = r
        .string(EXTERNAL_REFERANCE_ID, key, false)
        .filter(|s| r.check_len(key, s, 64));
    let table = r
        .string(EXTERNAL_REFERENCE_ID, key, false)
        .filter(|s| r.check_len(key, s, 64));
    if r.problem.errors.contains_key(key) {
        return None;
    }
    match (seed, table) {
        (Some(a), Some(b)) if a != b => {
            r.invalid(
                key,
                "externalReferanceID and externalReferenceID are both given, with different values",
            );
            None
        }
        (Some(a), _) | (None, Some(a)) => Some(Some(a)),
        (None, None) if required => {
            r.problem
                .push(key, ProblemCode::MissingField, "is required");
            None
        }
        (None, None) => Some(None),
    }
}

/// Decodes a Cancel body (3.4): `{"transactionId": string}`, 1-64 characters, any casing.
pub fn decode_cancel(body: &[u8]) -> Result<CancelRequest, Problem> {
    let obj = parse_object(body).map_err(|e| object_problem(&e))?;
    let mut r = read(&obj, &[(TRANSACTION_ID, TRANSACTION_ID)]);
    let transaction_id = r
        .string(TRANSACTION_ID, TRANSACTION_ID, true)
        .filter(|s| r.check_len(TRANSACTION_ID, s, 64));
    let value = transaction_id.map(|transaction_id| CancelRequest { transaction_id });
    r.finish(value)
}

/// Decodes a PromptPreauthorizations body (3.5): `idTransaction` (1-64) and `customerData`, an
/// object of string answers of 1-64 characters; `Odometer` and `EngineHours` must be digits.
///
/// Known answer names are returned in their canonical spelling (`odometer` becomes `Odometer`);
/// others are kept as sent, for the world to report as extra against the requested flags.
/// Errors on answers are keyed `customerData.<Name>`.
pub fn decode_prompt(body: &[u8]) -> Result<PromptRequest, Problem> {
    let obj = parse_object(body).map_err(|e| object_problem(&e))?;
    let mut r = read(
        &obj,
        &[
            (ID_TRANSACTION, ID_TRANSACTION),
            (CUSTOMER_DATA, CUSTOMER_DATA),
        ],
    );
    let id_transaction = r
        .string(ID_TRANSACTION, ID_TRANSACTION, true)
        .filter(|s| r.check_len(ID_TRANSACTION, s, 64));
    let customer_data = match r.value(CUSTOMER_DATA) {
        None => {
            if !r.problem.errors.contains_key(CUSTOMER_DATA) {
                r.problem
                    .push(CUSTOMER_DATA, ProblemCode::MissingField, "is required");
            }
            None
        }
        Some(Json::Object(text)) => {
            let text = *text;
            decode_customer_data(&mut r.problem, text)
        }
        Some(other) => {
            let msg = format!("must be an object, not {}", other.type_name());
            r.problem.push(CUSTOMER_DATA, ProblemCode::InvalidType, msg);
            None
        }
    };
    let value = (|| {
        Some(PromptRequest {
            id_transaction: id_transaction?,
            customer_data: customer_data?,
        })
    })();
    r.finish(value)
}

fn decode_customer_data(problem: &mut Problem, text: &str) -> Option<Vec<(String, String)>> {
    let obj = match parse_object(text.as_bytes()) {
        Ok(obj) => obj,
        Err(e) => {
            problem.push(CUSTOMER_DATA, ProblemCode::InvalidType, e.to_string());
            return None;
        }
    };
    let known: Vec<(&'static str, &'static str)> =
        PROMPT_ANSWER_NAMES.iter().map(|n| (*n, *n)).collect();
    let before = problem.errors.len();
    let answers = members(&obj, &known, true, "customerData.", problem);
    let mut out = Vec::with_capacity(answers.len());
    for m in answers {
        let key = format!("{CUSTOMER_DATA}.{}", m.name);
        match m.value {
            Json::String(s) => {
                let n = s.chars().count();
                if !(1..=64).contains(&n) {
                    problem.push(
                        &key,
                        ProblemCode::InvalidValue,
                        "must be 1 to 64 characters long",
                    );
                } else if DIGIT_ANSWERS.contains(&m.name.as_str())
                    && !s.bytes().all(|b| b.is_ascii_digit())
                {
                    problem.push(&key, ProblemCode::InvalidValue, "must contain only digits");
                } else {
                    out.push((m.name, s));
                }
            }
            other => {
                let msg = format!("must be a string, not {}", other.type_name());
                problem.push(&key, ProblemCode::InvalidType, msg);
            }
        }
    }
    (problem.errors.len() == before).then_some(out)
}
