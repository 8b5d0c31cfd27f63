//! How a case's view begins: filed, or drafted under guidance (see [`crate::guidance`]).

use chrono::NaiveDate;
use domain::permit_case::{Contact, Material};
use domain::supervision::CaseTimeline;
use domain::values::{BureauCode, CaseId, CreditCode, ItemCode};
use domain::{CaseEvent, CaseStatus};

use super::{CaseView, FoldError};
use crate::log::LoggedEvent;
use crate::permit_life::PermitLife;

/// What every case begins with, filed or drafted: the enterprise, the item, the product, the
/// materials and whom to contact, on the day it began.
pub(crate) struct Beginning {
    pub item_code: ItemCode,
    pub item_name: String,
    pub credit_code: CreditCode,
    pub enterprise_name: String,
    pub bureau: BureauCode,
    pub address: Option<String>,
    pub product: String,
    pub process: Option<String>,
    pub materials: Vec<Material>,
    pub contact: Contact,
    pub on: NaiveDate,
}

impl CaseView {
    /// The view of a case just filed: `payload` must be its filing.
    pub(super) fn filed(event: &LoggedEvent, payload: CaseEvent) -> Result<CaseView, FoldError> {
        let mut timeline = CaseTimeline::default();
        timeline.record(&payload, &event.recorded_at);
        let CaseEvent::ApplicationFiled {
            item_code,
            item_name,
            credit_code,
            enterprise_name,
            bureau,
            product,
            process,
            materials,
            commitment,
            contact,
            filed_on,
            address,
            applicant_listed,
        } = payload
        else {
            return Err(FoldError::BeforeFiling(event.position));
        };
        let mut view = CaseView::begun(
            event,
            CaseStatus::Filed,
            Beginning {
                item_code,
                item_name,
                credit_code,
                enterprise_name,
                bureau,
                address,
                product,
                process,
                materials,
                contact,
                on: filed_on,
            },
        )?;
        view.commitment = commitment;
        view.applicant_listed = applicant_listed;
        view.timeline = timeline;
        Ok(view)
    }

    /// The view of a case that `event` begins (filed, or drafted under guidance).
    pub(crate) fn begun(
        event: &LoggedEvent,
        status: CaseStatus,
        beginning: Beginning,
    ) -> Result<CaseView, FoldError> {
        let Beginning {
            item_code,
            item_name,
            credit_code,
            enterprise_name,
            bureau,
            address,
            product,
            process,
            materials,
            contact,
            on,
        } = beginning;
        Ok(CaseView {
            case_id: CaseId::parse(&event.aggregate_id).map_err(|_| FoldError::BadCaseId {
                position: event.position,
                id: event.aggregate_id.clone(),
            })?,
            status,
            version: 0,
            bureau,
            item_code,
            item_name,
            credit_code,
            enterprise_name,
            address,
            product,
            process,
            contact,
            commitment: None,
            applicant_listed: false,
            materials,
            filed_on: on,
            filed_at: event.recorded_at.clone(),
            updated_at: event.recorded_at.clone(),
            last_position: event.position,
            correction_rounds: 0,
            open_corrections: Vec::new(),
            accepted_on: None,
            statutory_deadline: None,
            committed_deadline: None,
            review: None,
            decided_on: None,
            on_commitment: None,
            closing_reason: None,
            permit: None,
            dispatch: None,
            delivered_on: None,
            revocation: None,
            permit_life: PermitLife::default(),
            guidance: None,
            erased_fields: Vec::new(),
            timeline: CaseTimeline::default(),
            clock: None,
            post_times: None,
            listing: None,
        })
    }
}
