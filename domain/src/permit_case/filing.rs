//! Filing an application: routed to the city bureau where the applicant is registered, never
//! for an item, product or process on the phase-out catalogue, with every required material
//! once.

use chrono::NaiveDate;

use super::{required, Application, CaseError, CaseEvent, Contact, Material};
use crate::actor::Actor;
use crate::services::CaseServices;
use crate::values::{BureauCode, CreditCode, ItemCode};

pub(super) fn file_application(
    application: Application,
    actor: &Actor,
    today: NaiveDate,
    services: &CaseServices,
) -> Result<CaseEvent, CaseError> {
    let credit_code = match actor {
        Actor::Applicant { credit_code, .. } => credit_code.clone(),
        Actor::Officer { .. } => {
            return Err(CaseError::ApplicantOnly {
                action: "file_application",
            })
        }
        Actor::Auditor { .. } => return Err(CaseError::ReadOnlyRole),
    };
    let catalogue = &services.catalogue;
    let item = catalogue
        .item(&application.item_code)
        .ok_or_else(|| CaseError::UnknownItem(application.item_code.to_string()))?;
    refuse_phase_out(
        services,
        &item.code,
        &application.product,
        application.process.as_deref(),
    )?;
    if application.commitment.is_some() && !item.commitment_eligible {
        return Err(CaseError::CommitmentNotEligible(item.code.to_string()));
    }
    if let Some(commitment) = &application.commitment {
        required(commitment.signed_by.clone(), "commitment.signed_by")?;
        required(commitment.statement.clone(), "commitment.statement")?;
    }
    reject_duplicate_materials(&application.materials)?;
    let missing: Vec<String> = item
        .materials
        .iter()
        .filter(|name| !application.materials.iter().any(|m| &m.name == *name))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(CaseError::MaterialsIncomplete(missing));
    }
    let bureau = route(&credit_code, services)?;
    Ok(CaseEvent::ApplicationFiled {
        item_code: item.code.clone(),
        item_name: item.name.clone(),
        credit_code,
        enterprise_name: required(application.enterprise_name, "enterprise_name")?,
        bureau,
        product: required(application.product, "product")?,
        process: application.process,
        materials: application.materials,
        commitment: application.commitment,
        contact: Contact {
            person: required(application.contact.person, "contact.person")?,
            phone: required(application.contact.phone, "contact.phone")?,
        },
        filed_on: today,
    })
}

/// Approval is delegated: a case belongs to the city bureau where the applicant is registered;
/// the provincial bureau handles none directly.
fn route(credit_code: &CreditCode, services: &CaseServices) -> Result<BureauCode, CaseError> {
    let division = credit_code.registration_division();
    let jurisdiction = services.catalogue.jurisdiction();
    if !jurisdiction.province.code.contains(&division) {
        return Err(CaseError::OutsideProvince(division));
    }
    division
        .city()
        .and_then(|city| services.catalogue.city_bureau(&city))
        .map(|bureau| bureau.code.clone())
        .ok_or(CaseError::NoCityBureau(division))
}

pub(super) fn refuse_phase_out(
    services: &CaseServices,
    item_code: &ItemCode,
    product: &str,
    process: Option<&str>,
) -> Result<(), CaseError> {
    let catalogue = &services.catalogue;
    if catalogue
        .item(item_code)
        .is_some_and(|item| item.phased_out)
    {
        return Err(CaseError::PhasedOut(format!("item {item_code}")));
    }
    for text in std::iter::once(product).chain(process) {
        if let Some(entry) = catalogue.phase_out_entry(text) {
            return Err(CaseError::PhasedOut(entry.to_owned()));
        }
    }
    Ok(())
}

pub(super) fn reject_duplicate_materials(materials: &[Material]) -> Result<(), CaseError> {
    for (i, material) in materials.iter().enumerate() {
        if material.name.trim().is_empty() {
            return Err(CaseError::Required {
                field: "materials.name",
            });
        }
        if materials[..i].iter().any(|m| m.name == material.name) {
            return Err(CaseError::DuplicateMaterial(material.name.clone()));
        }
    }
    Ok(())
}
