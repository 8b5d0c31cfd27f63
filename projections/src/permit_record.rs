//! A permit as its published notices leave it: its state, the fields of its latest notice,
//! and every notice in order. Published days never change, so neither does what a record
//! says of them: a change is a later notice.

use chrono::NaiveDate;
use domain::values::{BureauCode, CreditCode, ItemCode, PermitNumber};
use serde::Serialize;

use crate::notices::{NoticeKind, PublicNotice};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PermitState {
    InForce,
    Revoked,
    Cancelled,
    Expired,
}

/// What the latest notice says the permit is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurrentPermit {
    pub state: PermitState,
    pub enterprise_name: String,
    pub credit_code: CreditCode,
    pub item_code: ItemCode,
    pub item_name: String,
    pub scope: String,
    pub bureau: BureauCode,
    pub bureau_name: String,
    #[serde(with = "domain::iso_date")]
    pub issued_on: NaiveDate,
    #[serde(with = "domain::iso_date")]
    pub valid_from: NaiveDate,
    #[serde(with = "domain::iso_date")]
    pub valid_until: NaiveDate,
    /// The day it was revoked, cancelled or expired.
    #[serde(with = "domain::iso_date::option")]
    pub ended_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermitRecord {
    pub permit_number: PermitNumber,
    pub current: CurrentPermit,
    /// Every published notice about the permit, oldest first.
    pub notices: Vec<PublicNotice>,
}

impl PermitRecord {
    /// The record of a permit's notices (oldest first); None without any.
    pub fn of(notices: Vec<PublicNotice>) -> Option<Self> {
        let latest = notices.last()?;
        let state = match latest.kind {
            NoticeKind::Issued | NoticeKind::Amended | NoticeKind::Renewed => PermitState::InForce,
            NoticeKind::Revoked => PermitState::Revoked,
            NoticeKind::Cancelled => PermitState::Cancelled,
            NoticeKind::Expired => PermitState::Expired,
        };
        let current = CurrentPermit {
            state,
            enterprise_name: latest.enterprise_name.clone(),
            credit_code: latest.credit_code.clone(),
            item_code: latest.item_code.clone(),
            item_name: latest.item_name.clone(),
            scope: latest.scope.clone(),
            bureau: latest.bureau.clone(),
            bureau_name: latest.bureau_name.clone(),
            issued_on: latest.issued_on,
            valid_from: latest.valid_from,
            valid_until: latest.valid_until,
            ended_on: latest
                .revoked_on
                .or(latest.cancelled_on)
                .or(latest.expired_on),
        };
        Some(Self {
            permit_number: latest.permit_number.clone(),
            current,
            notices,
        })
    }
}
