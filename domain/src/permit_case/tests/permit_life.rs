//! A permit's life after issuance: amendment by declaration, renewal, cancellation, expiry.

use super::*;
use crate::permit_case::{AmendableField, CancellationGround};

/// The issued permit runs to 2031-11-01; its renewal window opens six months before.
const IN_WINDOW: &str = "2031-06-01";
const AFTER_VALIDITY: &str = "2031-11-02";

fn on(date: &str, actor: Actor, action: CaseAction) -> CaseCommand {
    CaseCommand {
        today: day(date),
        ..send(actor, action)
    }
}

fn rename() -> CaseAction {
    CaseAction::RequestAmendment {
        field: AmendableField::EnterpriseName,
        new_value: "山东恒力新材料有限公司".into(),
        declaration: "本企业名称已依法变更，与营业执照一致".into(),
    }
}

fn rename_requested() -> CaseEvent {
    CaseEvent::AmendmentRequested {
        field: AmendableField::EnterpriseName,
        new_value: "山东恒力新材料有限公司".into(),
        declaration: "本企业名称已依法变更，与营业执照一致".into(),
        requested_on: day(TODAY),
    }
}

fn renewal_requested() -> CaseEvent {
    CaseEvent::RenewalRequested {
        requested_on: day(IN_WINDOW),
    }
}

fn renewal_accepted() -> CaseEvent {
    CaseEvent::RenewalAccepted {
        accepted_on: day(IN_WINDOW),
        committed_deadline: services().calendar.add_working_days(day(IN_WINDOW), 5),
    }
}

fn issued_and(more: impl IntoIterator<Item = CaseEvent>) -> Vec<CaseEvent> {
    let mut events = through_issuance();
    events.extend(more);
    events
}

fn cancelled() -> CaseEvent {
    CaseEvent::PermitCancelled {
        ground: CancellationGround::EnterpriseRequest,
        reason: "企业停产".into(),
        cancelled_on: day(TODAY),
    }
}

fn cancel() -> CaseAction {
    CaseAction::CancelPermit {
        reason: "企业停产".into(),
    }
}

// ---- amendment by declaration ----

#[tokio::test]
async fn the_applicant_declares_a_new_name_on_its_permit() {
    expect_events(
        through_issuance(),
        send(applicant(), rename()),
        vec![rename_requested()],
    )
    .await;
}

#[tokio::test]
async fn the_approver_approves_the_declared_name_and_the_old_one_is_recorded() {
    expect_events(
        issued_and([rename_requested()]),
        send(officer(Post::Approver), CaseAction::ApproveAmendment {}),
        vec![CaseEvent::PermitAmended {
            field: AmendableField::EnterpriseName,
            old_value: Some("济南恒力化工有限公司".into()),
            new_value: "山东恒力新材料有限公司".into(),
            amended_on: day(TODAY),
        }],
    )
    .await;
}

#[tokio::test]
async fn an_address_given_for_the_first_time_has_no_old_value_and_then_has_one() {
    let moved = |old: Option<&str>, new: &str| CaseEvent::PermitAmended {
        field: AmendableField::Address,
        old_value: old.map(Into::into),
        new_value: new.into(),
        amended_on: day(TODAY),
    };
    let request = |new: &str| CaseEvent::AmendmentRequested {
        field: AmendableField::Address,
        new_value: new.into(),
        declaration: "住所已变更".into(),
        requested_on: day(TODAY),
    };
    expect_events(
        issued_and([request("济南市历下区经十路1号")]),
        send(officer(Post::Approver), CaseAction::ApproveAmendment {}),
        vec![moved(None, "济南市历下区经十路1号")],
    )
    .await;
    expect_events(
        issued_and([
            request("济南市历下区经十路1号"),
            moved(None, "济南市历下区经十路1号"),
            request("济南市槐荫区经七路9号"),
        ]),
        send(officer(Post::Approver), CaseAction::ApproveAmendment {}),
        vec![moved(
            Some("济南市历下区经十路1号"),
            "济南市槐荫区经七路9号",
        )],
    )
    .await;
}

#[tokio::test]
async fn the_approver_refuses_a_declaration_the_business_licence_does_not_bear_out() {
    expect_events(
        issued_and([rename_requested()]),
        send(
            officer(Post::Approver),
            CaseAction::RefuseAmendment {
                reason: "与营业执照登记名称不一致".into(),
            },
        ),
        vec![CaseEvent::AmendmentRefused {
            reason: "与营业执照登记名称不一致".into(),
            refused_on: day(TODAY),
        }],
    )
    .await;
}

#[tokio::test]
async fn one_amendment_awaits_its_decision_at_a_time() {
    expect_error(
        issued_and([rename_requested()]),
        send(applicant(), rename()),
        CaseError::AmendmentPending,
    )
    .await;
}

#[tokio::test]
async fn an_amendment_to_the_value_the_permit_has_is_refused() {
    let same = CaseAction::RequestAmendment {
        field: AmendableField::EnterpriseName,
        new_value: "济南恒力化工有限公司".into(),
        declaration: "名称未变".into(),
    };
    expect_error(
        through_issuance(),
        send(applicant(), same),
        CaseError::AmendmentChangesNothing("enterprise_name"),
    )
    .await;
}

#[tokio::test]
async fn there_is_nothing_to_approve_without_a_declaration() {
    expect_error(
        through_issuance(),
        send(officer(Post::Approver), CaseAction::ApproveAmendment {}),
        CaseError::NothingPending("amendment"),
    )
    .await;
}

#[tokio::test]
async fn the_acceptor_does_not_decide_amendments() {
    expect_error(
        issued_and([rename_requested()]),
        send(officer(Post::Acceptor), CaseAction::ApproveAmendment {}),
        CaseError::WrongPost {
            action: "approve_amendment",
            required: "approver",
            actual: "acceptor",
        },
    )
    .await;
}

#[tokio::test]
async fn a_permit_is_not_amended_before_it_is_issued() {
    expect_error(
        vec![filed("XK-003", None), accepted()],
        send(applicant(), rename()),
        CaseError::WrongState {
            action: "request_amendment",
            status: "accepted",
        },
    )
    .await;
}

// ---- renewal ----

#[tokio::test]
async fn a_renewal_before_the_window_opens_is_refused_with_the_window() {
    expect_error(
        through_issuance(),
        on("2031-05-01", applicant(), CaseAction::RequestRenewal {}),
        CaseError::OutsideRenewalWindow {
            opens: day("2031-05-02"),
            closes: day("2031-11-01"),
        },
    )
    .await;
}

#[tokio::test]
async fn the_applicant_requests_a_renewal_in_the_window() {
    expect_events(
        through_issuance(),
        on(IN_WINDOW, applicant(), CaseAction::RequestRenewal {}),
        vec![renewal_requested()],
    )
    .await;
}

#[tokio::test]
async fn a_renewal_is_requested_once() {
    expect_error(
        issued_and([renewal_requested()]),
        on(IN_WINDOW, applicant(), CaseAction::RequestRenewal {}),
        CaseError::RenewalPending,
    )
    .await;
}

#[tokio::test]
async fn the_acceptor_accepts_a_renewal_with_its_own_committed_limit() {
    expect_events(
        issued_and([renewal_requested()]),
        on(
            IN_WINDOW,
            officer(Post::Acceptor),
            CaseAction::AcceptRenewal {},
        ),
        vec![renewal_accepted()],
    )
    .await;
}

#[tokio::test]
async fn a_renewal_is_decided_only_once_accepted() {
    expect_error(
        issued_and([renewal_requested()]),
        on(
            IN_WINDOW,
            officer(Post::Approver),
            CaseAction::ApproveRenewal {},
        ),
        CaseError::NothingPending("accepted renewal"),
    )
    .await;
}

#[tokio::test]
async fn an_approved_renewal_follows_the_current_validity() {
    expect_events(
        issued_and([renewal_requested(), renewal_accepted()]),
        on(
            IN_WINDOW,
            officer(Post::Approver),
            CaseAction::ApproveRenewal {},
        ),
        vec![CaseEvent::PermitRenewed {
            renewed_on: day(IN_WINDOW),
            valid_from: day("2031-11-02"),
            valid_until: day("2036-11-01"),
            deemed: false,
        }],
    )
    .await;
}

#[tokio::test]
async fn a_refused_renewal_leaves_the_permit_to_expire() {
    let refused = CaseEvent::RenewalRefused {
        reason: "生产条件不再符合".into(),
        refused_on: day(IN_WINDOW),
    };
    expect_events(
        issued_and([renewal_requested(), renewal_accepted()]),
        on(
            IN_WINDOW,
            officer(Post::Approver),
            CaseAction::RefuseRenewal {
                reason: "生产条件不再符合".into(),
            },
        ),
        vec![refused.clone()],
    )
    .await;
    expect_events(
        issued_and([renewal_requested(), renewal_accepted(), refused]),
        on(AFTER_VALIDITY, Actor::System, CaseAction::ExpirePermit {}),
        vec![CaseEvent::PermitExpired {
            valid_until: day("2031-11-01"),
            expired_on: day(AFTER_VALIDITY),
        }],
    )
    .await;
}

#[tokio::test]
async fn a_renewal_not_decided_before_the_validity_ends_is_renewed_by_law() {
    expect_events(
        issued_and([renewal_requested(), renewal_accepted()]),
        on(AFTER_VALIDITY, Actor::System, CaseAction::ExpirePermit {}),
        vec![CaseEvent::PermitRenewed {
            renewed_on: day(AFTER_VALIDITY),
            valid_from: day("2031-11-02"),
            valid_until: day("2036-11-01"),
            deemed: true,
        }],
    )
    .await;
}

// ---- cancellation ----

#[tokio::test]
async fn the_applicant_cancels_its_permit_when_it_stops() {
    expect_events(
        through_issuance(),
        send(applicant(), cancel()),
        vec![cancelled()],
    )
    .await;
}

#[tokio::test]
async fn the_approver_cancels_the_permit_of_a_deregistered_enterprise() {
    expect_events(
        through_issuance(),
        send(
            officer(Post::Approver),
            CaseAction::CancelPermit {
                reason: "企业已注销登记".into(),
            },
        ),
        vec![CaseEvent::PermitCancelled {
            ground: CancellationGround::EnterpriseDeregistered,
            reason: "企业已注销登记".into(),
            cancelled_on: day(TODAY),
        }],
    )
    .await;
}

#[tokio::test]
async fn a_cancelled_permit_accepts_no_amendment_renewal_or_revocation() {
    let revoke = CaseAction::RevokePermit {
        reason: "x".into(),
        false_commitment: false,
    };
    for (actor, action) in [
        (applicant(), rename()),
        (applicant(), CaseAction::RequestRenewal {}),
        (officer(Post::Approver), revoke),
    ] {
        let name = action.name();
        expect_error(
            issued_and([cancelled()]),
            on(IN_WINDOW, actor, action),
            CaseError::WrongState {
                action: name,
                status: "cancelled",
            },
        )
        .await;
    }
}

// ---- expiry ----

#[tokio::test]
async fn the_ledger_records_the_expiry_the_day_after_the_validity() {
    expect_events(
        through_issuance(),
        on(AFTER_VALIDITY, Actor::System, CaseAction::ExpirePermit {}),
        vec![CaseEvent::PermitExpired {
            valid_until: day("2031-11-01"),
            expired_on: day(AFTER_VALIDITY),
        }],
    )
    .await;
}

#[tokio::test]
async fn a_permit_does_not_expire_on_its_last_day() {
    expect_error(
        through_issuance(),
        on("2031-11-01", Actor::System, CaseAction::ExpirePermit {}),
        CaseError::PermitStillValid(day("2031-11-01")),
    )
    .await;
}

#[tokio::test]
async fn a_permit_expires_once() {
    let expired = CaseEvent::PermitExpired {
        valid_until: day("2031-11-01"),
        expired_on: day(AFTER_VALIDITY),
    };
    expect_error(
        issued_and([expired]),
        on(AFTER_VALIDITY, Actor::System, CaseAction::ExpirePermit {}),
        CaseError::WrongState {
            action: "expire_permit",
            status: "expired",
        },
    )
    .await;
}

#[tokio::test]
async fn only_the_ledger_records_an_expiry() {
    expect_error(
        through_issuance(),
        on(
            AFTER_VALIDITY,
            officer(Post::Approver),
            CaseAction::ExpirePermit {},
        ),
        CaseError::SystemOnly {
            action: "expire_permit",
        },
    )
    .await;
}

#[tokio::test]
async fn a_permit_past_its_validity_is_no_longer_in_force_before_its_expiry_is_recorded() {
    let revoke = CaseAction::RevokePermit {
        reason: "x".into(),
        false_commitment: false,
    };
    for (actor, action) in [(applicant(), rename()), (officer(Post::Approver), revoke)] {
        expect_error(
            through_issuance(),
            on(AFTER_VALIDITY, actor, action),
            CaseError::PermitNoLongerValid(day("2031-11-01")),
        )
        .await;
    }
}

// ---- the catalogue's change and cancellation items ----

#[tokio::test]
async fn the_name_change_item_is_a_command_on_the_permit_not_a_new_filing() {
    let mut application = application("GF-006");
    application.materials = materials_for("GF-006");
    expect_error(
        vec![],
        send(applicant(), CaseAction::FileApplication(application)),
        CaseError::DoneOnThePermit {
            item: "GF-006".into(),
            command: "request_amendment".into(),
        },
    )
    .await;
}

#[tokio::test]
async fn dishwashing_detergent_needs_the_environmental_proof() {
    let mut application = application("XK-004");
    application.product = "餐具洗涤剂".into();
    application
        .materials
        .retain(|m| m.name != "环保证明 environmental proof");
    expect_error(
        vec![],
        send(applicant(), CaseAction::FileApplication(application)),
        CaseError::MaterialsIncomplete(vec!["环保证明 environmental proof".into()]),
    )
    .await;
}
