//! Transaction states (spec section 4.1) and the Cancel answer of each.

use serde::Serialize;

/// A transaction state id as GetTransaction reports it in `state_Id`.
///
/// Ids 1-19 come from the seed; 24, 25, 27 and 28 belong to the prompting extension (D8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub enum StateId {
    /// 1: created, waiting for the site to reserve the pump.
    Created = 1,
    /// 2: the PFEP approved the card (lasts one step).
    PreauthorizationAccepted = 2,
    /// 3: the PFEP declined or did not answer. Terminal.
    PreauthorizationRejected = 3,
    /// 4: `Authorize` sent to the site.
    FuelPointAuthorizationRequested = 4,
    /// 5: the site reserved the pump (lasts one step).
    PumpReserveAccepted = 5,
    /// 6: the site refused the reservation. Terminal.
    PumpReserveRefused = 6,
    /// 7: the fuel point is authorized; waiting for the driver.
    FuelPointAuthorized = 7,
    /// 8: the site refused the authorization. Terminal.
    CanceledByFuelPoint = 8,
    /// 9: fuel is flowing (or being finalized).
    Fueling = 9,
    /// 10: complete. Terminal.
    Complete = 10,
    /// 11: dispensed, but the completion failed. Terminal.
    CompleteFailed = 11,
    /// 12: the MPA asked to cancel (lasts one step).
    CancelationRequested = 12,
    /// 13: cancelled by the user. Terminal.
    CanceledByUser = 13,
    /// 14: the site's preauthorization timed out. Terminal.
    CanceledBySiteSystem = 14,
    /// 15: `Deauthorize` sent to the site.
    FuelPointDeauthorizationRequested = 15,
    /// 16: no site session. Terminal.
    SessionError = 16,
    /// 17: the request could not be queued. Terminal.
    UnknownError = 17,
    /// 18: the site failed or did not answer. Terminal.
    SiteSystemError = 18,
    /// 19: the MPPA gave up waiting (T_mppa, T_prompt). Terminal. (D7: the seed's id 19.)
    CancelledByMppa = 19,
    /// 24: the PFEP refused the prompted data. Terminal. (D8)
    TransactionRefused = 24,
    /// 25: the PFEP needs prompts answered. (D8)
    PromptingNeeded = 25,
    /// 27: prompt answers forwarded to the PFEP. (D8)
    PromptingSent = 27,
    /// 28: the PFEP accepted the answers (lasts one step). (D8)
    PromptingSuccess = 28,
}

/// Every state, in id order.
pub const ALL_STATES: [StateId; 23] = [
    StateId::Created,
    StateId::PreauthorizationAccepted,
    StateId::PreauthorizationRejected,
    StateId::FuelPointAuthorizationRequested,
    StateId::PumpReserveAccepted,
    StateId::PumpReserveRefused,
    StateId::FuelPointAuthorized,
    StateId::CanceledByFuelPoint,
    StateId::Fueling,
    StateId::Complete,
    StateId::CompleteFailed,
    StateId::CancelationRequested,
    StateId::CanceledByUser,
    StateId::CanceledBySiteSystem,
    StateId::FuelPointDeauthorizationRequested,
    StateId::SessionError,
    StateId::UnknownError,
    StateId::SiteSystemError,
    StateId::CancelledByMppa,
    StateId::TransactionRefused,
    StateId::PromptingNeeded,
    StateId::PromptingSent,
    StateId::PromptingSuccess,
];

impl StateId {
    /// The numeric id (`state_Id`).
    pub const fn id(self) -> u8 {
        self as u8
    }

    /// Looks a state up by id.
    pub fn from_id(id: u8) -> Option<StateId> {
        ALL_STATES.iter().copied().find(|s| s.id() == id)
    }

    /// The seed's identifier column (`FuelPointAuthorized`).
    pub const fn identifier(self) -> &'static str {
        match self {
            StateId::Created => "Created",
            StateId::PreauthorizationAccepted => "PreauthorizationAccepted",
            StateId::PreauthorizationRejected => "PreauthorizationRejected",
            StateId::FuelPointAuthorizationRequested => "FuelPointAuthorizationRequested",
            StateId::PumpReserveAccepted => "PumpReserveAccepted",
            StateId::PumpReserveRefused => "PumpReserveRefused",
            StateId::FuelPointAuthorized => "FuelPointAuthorized",
            StateId::CanceledByFuelPoint => "CanceledByFuelPoint",
            StateId::Fueling => "Fueling",
            StateId::Complete => "Complete",
            StateId::CompleteFailed => "CompleteFailed",
            StateId::CancelationRequested => "CancelationRequested",
            StateId::CanceledByUser => "CanceledByUser",
            StateId::CanceledBySiteSystem => "CanceledBySiteSystem",
            StateId::FuelPointDeauthorizationRequested => "FuelPointDeauthorizationRequested",
            StateId::SessionError => "SessionError",
            StateId::UnknownError => "UnknownError",
            StateId::SiteSystemError => "SiteSystemError",
            StateId::CancelledByMppa => "CancelledByMPPA",
            StateId::TransactionRefused => "TransactionRefused",
            StateId::PromptingNeeded => "PromptingNeeded",
            StateId::PromptingSent => "PromptingSent",
            StateId::PromptingSuccess => "PromptingSuccess",
        }
    }

    /// `state_Name`: the seed's Message column (D7).
    pub const fn name(self) -> &'static str {
        match self {
            StateId::Created => "Created",
            StateId::PreauthorizationAccepted => "Preauthorization Accepted",
            StateId::PreauthorizationRejected => "Preauthorization Rejected",
            StateId::FuelPointAuthorizationRequested => "FuelPoint Authorization Requested",
            StateId::PumpReserveAccepted => "Site System Accept Pump Reserve",
            StateId::PumpReserveRefused => "Site System not Accept Pump Reserve",
            StateId::FuelPointAuthorized => "Fuel Point Authorized",
            StateId::CanceledByFuelPoint => "Canceled By Fuel Point",
            StateId::Fueling => "Fueling",
            StateId::Complete => "Complete",
            StateId::CompleteFailed => "Complete Failed",
            StateId::CancelationRequested => "Cancelation Requested",
            StateId::CanceledByUser => "Canceled By User",
            StateId::CanceledBySiteSystem => "Canceled By Site System",
            StateId::FuelPointDeauthorizationRequested => "Fuel Point Deauthorization Requested",
            StateId::SessionError => "Session not available",
            StateId::UnknownError => "Unknown error when trying to connect with session",
            StateId::SiteSystemError => "Site System Generic error",
            StateId::CancelledByMppa => "Cancelled By MPPA",
            StateId::TransactionRefused => "Transaction Refused",
            StateId::PromptingNeeded => "Prompting Needed",
            StateId::PromptingSent => "Prompting Sent",
            StateId::PromptingSuccess => "Prompting Success",
        }
    }

    /// Terminal states take no further transition (ATN-S-011).
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            StateId::PreauthorizationRejected
                | StateId::PumpReserveRefused
                | StateId::CanceledByFuelPoint
                | StateId::Complete
                | StateId::CompleteFailed
                | StateId::CanceledByUser
                | StateId::CanceledBySiteSystem
                | StateId::SessionError
                | StateId::UnknownError
                | StateId::SiteSystemError
                | StateId::CancelledByMppa
                | StateId::TransactionRefused
        )
    }

    /// True for the prompting extension's ids (ATN-S-019: never seen with prompting off).
    pub const fn is_prompting(self) -> bool {
        self.id() >= 20
    }

    /// The Cancel answer in this state (section 4.1, D9). `nozzle_lifted` only matters in 7.
    pub const fn cancel_code(self, nozzle_lifted: bool) -> CancelCode {
        match self {
            StateId::Created
            | StateId::PreauthorizationAccepted
            | StateId::FuelPointAuthorizationRequested
            | StateId::PumpReserveAccepted
            | StateId::PromptingNeeded
            | StateId::PromptingSent
            | StateId::PromptingSuccess => CancelCode::Success,
            StateId::FuelPointAuthorized => {
                if nozzle_lifted {
                    CancelCode::NozzleLifted
                } else {
                    CancelCode::Success
                }
            }
            StateId::PreauthorizationRejected
            | StateId::PumpReserveRefused
            | StateId::TransactionRefused => CancelCode::NotUpdated,
            StateId::CanceledByFuelPoint
            | StateId::CanceledByUser
            | StateId::CanceledBySiteSystem
            | StateId::CancelledByMppa => CancelCode::AlreadyCancelled,
            StateId::Fueling => CancelCode::DispenserFueling,
            StateId::Complete | StateId::CompleteFailed => CancelCode::Completed,
            StateId::CancelationRequested | StateId::FuelPointDeauthorizationRequested => {
                CancelCode::AlreadyRequested
            }
            StateId::SessionError => CancelCode::SessionNotAvailable,
            StateId::UnknownError => CancelCode::UnknownError,
            StateId::SiteSystemError => CancelCode::GenericError,
        }
    }
}

/// A Cancel `responseCode` with the seed's `responseMessage` (typos kept, as the seed has them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum CancelCode {
    /// `00000` Successfully Canceled (or `0` when `cancel_success_code` says so, D9).
    Success,
    /// `-10000` Invalid state - Transaction not updated.
    NotUpdated,
    /// `04001` Invalid state - Transaction status is alredy cancel.
    AlreadyCancelled,
    /// `02001` Cancel by Generic error.
    GenericError,
    /// `04003` Invalid state - dispenser is fueling.
    DispenserFueling,
    /// `04004` Invalid state - Transaction status is completed.
    Completed,
    /// `04007` Unknow transaction or authorization.
    UnknownTransaction,
    /// `04008` Invalid state - Cancelation is alredy requested.
    AlreadyRequested,
    /// `04009` Invalid state - dispenser is fueling (nozzle lifted in state 7).
    NozzleLifted,
    /// `04010` Transacion canceled by Session not available.
    SessionNotAvailable,
    /// `04011` Transacion canceled by unknow error.
    UnknownError,
}

/// Every cancel code.
pub const ALL_CANCEL_CODES: [CancelCode; 11] = [
    CancelCode::Success,
    CancelCode::NotUpdated,
    CancelCode::AlreadyCancelled,
    CancelCode::GenericError,
    CancelCode::DispenserFueling,
    CancelCode::Completed,
    CancelCode::UnknownTransaction,
    CancelCode::AlreadyRequested,
    CancelCode::NozzleLifted,
    CancelCode::SessionNotAvailable,
    CancelCode::UnknownError,
];

impl CancelCode {
    /// The `responseCode` string (the default `00000` for success).
    pub const fn code(self) -> &'static str {
        match self {
            CancelCode::Success => "00000",
            CancelCode::NotUpdated => "-10000",
            CancelCode::AlreadyCancelled => "04001",
            CancelCode::GenericError => "02001",
            CancelCode::DispenserFueling => "04003",
            CancelCode::Completed => "04004",
            CancelCode::UnknownTransaction => "04007",
            CancelCode::AlreadyRequested => "04008",
            CancelCode::NozzleLifted => "04009",
            CancelCode::SessionNotAvailable => "04010",
            CancelCode::UnknownError => "04011",
        }
    }

    /// The seed's `responseMessage`.
    pub const fn message(self) -> &'static str {
        match self {
            CancelCode::Success => "Successfully Canceled",
            CancelCode::NotUpdated => "Invalid state - Transaction not updated",
            CancelCode::AlreadyCancelled => "Invalid state - Transaction status is alredy cancel",
            CancelCode::GenericError => "Cancel by Generic error",
            CancelCode::DispenserFueling => "Invalid state - dispenser is fueling",
            CancelCode::Completed => "Invalid state - Transaction status is completed",
            CancelCode::UnknownTransaction => "Unknow transaction or authorization",
            CancelCode::AlreadyRequested => "Invalid state - Cancelation is alredy requested",
            CancelCode::NozzleLifted => "Invalid state - dispenser is fueling",
            CancelCode::SessionNotAvailable => "Transacion canceled by Session not available",
            CancelCode::UnknownError => "Transacion canceled by unknow error",
        }
    }

    /// `isSuccessCanceled` is true only for success.
    pub const fn is_success(self) -> bool {
        matches!(self, CancelCode::Success)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        for s in ALL_STATES {
            assert_eq!(StateId::from_id(s.id()), Some(s));
        }
        assert_eq!(StateId::from_id(20), None);
        assert_eq!(StateId::from_id(26), None);
    }

    #[test]
    fn cancel_column_matches_the_spec() {
        use CancelCode as C;
        let expect = [
            (1, C::Success),
            (2, C::Success),
            (3, C::NotUpdated),
            (4, C::Success),
            (5, C::Success),
            (6, C::NotUpdated),
            (7, C::Success),
            (8, C::AlreadyCancelled),
            (9, C::DispenserFueling),
            (10, C::Completed),
            (11, C::Completed),
            (12, C::AlreadyRequested),
            (13, C::AlreadyCancelled),
            (14, C::AlreadyCancelled),
            (15, C::AlreadyRequested),
            (16, C::SessionNotAvailable),
            (17, C::UnknownError),
            (18, C::GenericError),
            (19, C::AlreadyCancelled),
            (24, C::NotUpdated),
            (25, C::Success),
            (27, C::Success),
            (28, C::Success),
        ];
        for (id, code) in expect {
            let s = StateId::from_id(id).unwrap();
            assert_eq!(s.cancel_code(false), code, "state {id}");
        }
        assert_eq!(
            StateId::FuelPointAuthorized.cancel_code(true),
            C::NozzleLifted
        );
    }

    #[test]
    fn success_is_the_only_cancellable_answer_and_terminals_never_succeed() {
        for s in ALL_STATES {
            if s.is_terminal() {
                assert!(!s.cancel_code(false).is_success(), "{s:?}");
            }
        }
    }
}
