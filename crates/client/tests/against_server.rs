//! The typed clients against payrig's embedded reference server (virtual clock).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use payrig_ationet::wire::{
    MobilePaymentsRequest, PreAuthorizedPaymentsRequest, PromptRequestWire,
};
use payrig_client::{AtionetClient, ClientError, ControlClient};
use payrig_core::Decimal;

async fn server(toml: &str) -> payrig_server::RunningServer {
    let cfg = payrig_server::ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        clock: payrig_server::ClockMode::Virtual,
        seed: 7,
        ationet: payrig_world::ationet::AtionetConfig::from_toml(toml).unwrap(),
        tecs: payrig_world::tecs::TecsConfig::default(),
        control: true,
        control_token: None,
        journal_capacity: payrig_server::journal::DEFAULT_CAPACITY,
    };
    payrig_server::start(cfg).await.unwrap()
}

fn purchase(key: &str, track: &str) -> MobilePaymentsRequest {
    MobilePaymentsRequest {
        site_code: "1524".into(),
        pump_number: 1,
        fuel_code: "3".into(),
        amount: Decimal::from_int(9),
        primary_track: track.into(),
        terminal_code: "S2G321".into(),
        mobile_payment_mode: 1,
        potency_key_id: key.into(),
        external_referance_id: None,
    }
}

#[tokio::test]
async fn a_purchase_runs_to_complete_and_cancel_reports_04004() {
    let srv = server("").await;
    let atn = AtionetClient::new(srv.base_url(), "atn-test-7f3c9a1e");
    let control = ControlClient::new(srv.base_url());
    assert!(control.health().await.unwrap().is_virtual());

    let created = atn
        .mobile_payments(&purchase("k-1", "0000000000001"))
        .await
        .unwrap();
    assert_eq!(created.transaction_id, "k-1");
    assert_eq!(atn.get_transaction("k-1").await.unwrap().state_id, 1);

    control.advance_until_idle(3_600_000).await.unwrap();
    let tx = atn.get_transaction("k-1").await.unwrap();
    assert_eq!(tx.state_id, 10);
    assert_eq!(tx.dispatched_amount, Decimal::parse("13.13").unwrap());
    let rec = control.transaction("k-1").await.unwrap();
    let ids: Vec<u8> = rec.history.iter().map(|h| h.state_id).collect();
    assert_eq!(ids, [1, 5, 2, 4, 7, 9, 10]);

    let c = atn.cancel("k-1").await.unwrap();
    assert!(!c.is_success_canceled);
    assert_eq!(c.response_code, "04004");
    assert!(!control.journal_all(Some("sim")).await.unwrap().is_empty());
    srv.shutdown().await;
}

#[tokio::test]
async fn errors_carry_status_and_problem() {
    let srv = server("").await;
    let atn = AtionetClient::new(srv.base_url(), "atn-test-7f3c9a1e");
    let err = atn.get_transaction("nope").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.problem().unwrap().code, "unknown_transaction");

    let bad = AtionetClient::new(srv.base_url(), "wrong");
    let err = bad
        .mobile_payments(&purchase("k-2", "1"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::Status { status: 401, .. }),
        "{err}"
    );

    let raw = atn
        .raw(
            "POST",
            "/api/MobilePayments",
            &[("Content-Type".into(), "application/json".into())],
            Some(b"{".to_vec()),
        )
        .await
        .unwrap();
    assert_eq!(raw.status, 400);
    assert_eq!(raw.problem().unwrap().code, "malformed_json");

    // Prompting is off: the endpoint is 404.
    let err = atn
        .prompt_preauthorizations(&PromptRequestWire {
            id_transaction: "k-2".into(),
            customer_data: vec![("Odometer".into(), "152".into())],
        })
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    srv.shutdown().await;
}

#[tokio::test]
async fn preauthorized_payments_and_prompts() {
    let srv = server("[ationet]\nprompting = true\n").await;
    let atn = AtionetClient::new(srv.base_url(), "atn-test-7f3c9a1e");
    let control = ControlClient::new(srv.base_url());
    let created = atn
        .preauthorized_payments(&PreAuthorizedPaymentsRequest {
            site_code: "1524".into(),
            pump_number: 2,
            fuel_code: "3".into(),
            amount: Decimal::from_int(9),
            mobile_payment_mode: 1,
            potency_key_id: "ex-1".into(),
            external_referance_id: "854712".into(),
        })
        .await
        .unwrap();
    assert_eq!(created.transaction_id, "ex-1");

    atn.mobile_payments(&purchase("p-1", "0000000000094"))
        .await
        .unwrap();
    control.advance_by_ms(2_000).await.unwrap();
    assert_eq!(atn.get_transaction("p-1").await.unwrap().state_id, 25);
    atn.prompt_preauthorizations(&PromptRequestWire {
        id_transaction: "p-1".into(),
        customer_data: vec![("Odometer".into(), "152".into())],
    })
    .await
    .unwrap();
    assert_eq!(atn.get_transaction("p-1").await.unwrap().state_id, 27);

    control.reset(Some(9), None).await.unwrap();
    let err = atn.get_transaction("p-1").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    srv.shutdown().await;
}
