//! Online guidance before filing: the enterprise shows a draft and its electronic materials
//! to a guide of the city bureau that will handle it, who comments on them online, round
//! after round, so that it never travels to fix them. The draft is the case's beginning: it
//! is filed on the same case (its history keeps the rounds), and no time limit runs meanwhile.

use chrono::NaiveDate;

use super::filing::{applicant_credit_code, fileable_item, route, Described};
use super::{
    admitted_materials, text, CaseError, CaseEvent, CaseFile, CaseStatus, Draft, Material,
    MaterialComment,
};
use crate::actor::Actor;
use crate::services::CaseServices;
use crate::text::TextKind;

pub(super) fn request_guidance(
    draft: Draft,
    actor: &Actor,
    today: NaiveDate,
    services: &CaseServices,
) -> Result<CaseEvent, CaseError> {
    let credit_code = applicant_credit_code(actor, "request_guidance")?;
    let Described {
        enterprise_name,
        address,
        product,
        process,
        contact,
    } = Described::admit(
        &draft.enterprise_name,
        draft.address.as_deref(),
        &draft.product,
        draft.process.as_deref(),
        &draft.contact,
    )?;
    let item = fileable_item(services, &draft.item_code, &product, process.as_deref())?;
    Ok(CaseEvent::GuidanceRequested {
        item_code: item.code.clone(),
        item_name: item.name.clone(),
        bureau: route(&credit_code, services)?,
        credit_code,
        enterprise_name,
        address,
        product,
        process,
        materials: admitted_materials(draft.materials)?,
        questions: admitted_questions(draft.questions)?,
        contact,
        requested_on: today,
    })
}

fn admitted_questions(questions: Vec<String>) -> Result<Vec<String>, CaseError> {
    questions
        .iter()
        .filter(|q| !q.trim().is_empty())
        .map(|q| text(TextKind::Reason, q, "questions"))
        .collect()
}

impl CaseFile {
    fn in_guidance(&self, action: &'static str) -> Result<(), CaseError> {
        if self.status == CaseStatus::InGuidance {
            Ok(())
        } else {
            Err(CaseError::WrongState {
                action,
                status: self.status.as_str(),
            })
        }
    }

    pub(super) fn comment(
        &self,
        comments: Vec<MaterialComment>,
        reply: Option<String>,
        today: NaiveDate,
    ) -> Result<CaseEvent, CaseError> {
        self.in_guidance("comment_materials")?;
        let reply = reply
            .filter(|r| !r.trim().is_empty())
            .map(|r| text(TextKind::Reason, &r, "reply"))
            .transpose()?;
        if comments.is_empty() && reply.is_none() {
            return Err(CaseError::Required { field: "comments" });
        }
        let comments = comments
            .into_iter()
            .map(|c| {
                let material = text(TextKind::Name, &c.material, "comments.material")?;
                if !self.draft_materials.contains(&material) {
                    return Err(CaseError::UnknownMaterial(material));
                }
                Ok(MaterialComment {
                    material,
                    comment: text(TextKind::Reason, &c.comment, "comments.comment")?,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CaseEvent::MaterialsCommented {
            round: self.guidance_rounds + 1,
            comments,
            reply,
            commented_on: today,
        })
    }

    pub(super) fn revise(
        &self,
        materials: Vec<Material>,
        questions: Vec<String>,
        today: NaiveDate,
    ) -> Result<CaseEvent, CaseError> {
        self.in_guidance("revise_draft")?;
        let materials = admitted_materials(materials)?;
        let questions = admitted_questions(questions)?;
        if materials.is_empty() && questions.is_empty() {
            return Err(CaseError::Required { field: "materials" });
        }
        Ok(CaseEvent::DraftRevised {
            round: self.guidance_rounds,
            materials,
            questions,
            revised_on: today,
        })
    }

    /// Refuses to file on this draft what cannot be filed on it: an application of another
    /// enterprise (the draft does not exist for it) or for another item.
    pub(super) fn accept_filing_of(
        &self,
        actor: &Actor,
        application: &super::Application,
    ) -> Result<(), CaseError> {
        if self.status != CaseStatus::InGuidance {
            return Err(CaseError::AlreadyFiled);
        }
        if !matches!(actor, Actor::Applicant { credit_code, .. } if credit_code == &self.credit_code)
        {
            return Err(CaseError::GuidanceNotFound);
        }
        if application.item_code != self.item_code {
            return Err(CaseError::GuidanceForAnotherItem(
                self.item_code.to_string(),
            ));
        }
        Ok(())
    }
}
