//! A case's online guidance before its filing, as its view shows it: the draft's questions
//! and each round of the guide's comments. Pure, like the rest of the view.

use chrono::NaiveDate;
use domain::permit_case::MaterialComment;
use domain::{CaseEvent, CaseStatus};
use serde::{Deserialize, Serialize};

use crate::case_view::{Beginning, CaseView, FoldError};
use crate::log::LoggedEvent;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GuidanceView {
    #[serde(with = "domain::iso_date")]
    pub requested_on: NaiveDate,
    /// The applicant's questions, oldest first.
    pub questions: Vec<String>,
    /// The guide's rounds of comments, oldest first.
    pub rounds: Vec<GuidanceRound>,
    /// The drafts the applicant revised.
    pub revisions: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GuidanceRound {
    pub round: u32,
    #[schema(value_type = Vec<Object>)]
    pub comments: Vec<MaterialComment>,
    pub reply: Option<String>,
    #[serde(with = "domain::iso_date")]
    pub commented_on: NaiveDate,
}

impl CaseView {
    /// The view of a case that begins as a draft under guidance: `payload` must be its
    /// request.
    pub(crate) fn drafted(event: &LoggedEvent, payload: CaseEvent) -> Result<CaseView, FoldError> {
        let CaseEvent::GuidanceRequested {
            item_code,
            item_name,
            credit_code,
            enterprise_name,
            bureau,
            address,
            product,
            process,
            materials,
            questions,
            contact,
            requested_on,
        } = payload
        else {
            return Err(FoldError::BeforeFiling(event.position));
        };
        let mut view = CaseView::begun(
            event,
            CaseStatus::InGuidance,
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
                on: requested_on,
            },
        )?;
        view.guidance = Some(GuidanceView {
            requested_on,
            questions,
            rounds: Vec::new(),
            revisions: 0,
        });
        Ok(view)
    }

    /// Folds a round of guidance; the status it leaves the case in.
    pub(crate) fn apply_guidance(&mut self, event: CaseEvent) -> CaseStatus {
        let Some(guidance) = self.guidance.as_mut() else {
            return self.status;
        };
        match event {
            CaseEvent::MaterialsCommented {
                round,
                comments,
                reply,
                commented_on,
            } => guidance.rounds.push(GuidanceRound {
                round,
                comments,
                reply,
                commented_on,
            }),
            CaseEvent::DraftRevised {
                materials,
                questions,
                ..
            } => {
                guidance.revisions += 1;
                guidance.questions.extend(questions);
                self.replace_materials(materials);
            }
            _ => {}
        }
        self.status
    }
}
