//! Filing an application: routed to the city bureau where the applicant is registered, never
//! for an item, product or process on the phase-out catalogue, with every required material
//! once.

use chrono::NaiveDate;

use super::{
    admitted_materials, text, Application, CaseError, CaseEvent, Commitment, Contact, Material,
};
use crate::actor::Actor;
use crate::services::CaseServices;
use crate::text::TextKind;
use crate::values::{BureauCode, CreditCode, ItemCode};

pub(super) fn file_application(
    application: Application,
    actor: &Actor,
    today: NaiveDate,
    services: &CaseServices,
    applicant_listed: bool,
) -> Result<CaseEvent, CaseError> {
    let credit_code = applicant_credit_code(actor, "file_application")?;
    let Described {
        enterprise_name,
        address,
        product,
        process,
        contact,
    } = Described::admit(
        &application.enterprise_name,
        application.address.as_deref(),
        &application.product,
        application.process.as_deref(),
        &application.contact,
    )?;
    let commitment = application
        .commitment
        .map(|commitment| {
            Ok::<_, CaseError>(Commitment {
                signed_by: text(
                    TextKind::Name,
                    &commitment.signed_by,
                    "commitment.signed_by",
                )?,
                statement: text(
                    TextKind::Statement,
                    &commitment.statement,
                    "commitment.statement",
                )?,
            })
        })
        .transpose()?;
    let materials = admitted_materials(application.materials)?;
    let item = fileable_item(
        services,
        &application.item_code,
        &product,
        process.as_deref(),
    )?;
    if commitment.is_some() && !item.commitment_eligible {
        return Err(CaseError::CommitmentNotEligible(item.code.to_string()));
    }
    if commitment.is_some() && applicant_listed {
        return Err(CaseError::BlacklistedNoCommitment);
    }
    let missing: Vec<String> = item
        .required_materials(&product)
        .filter(|required| !materials.iter().any(|m| m.name == required.name))
        .map(|required| required.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(CaseError::MaterialsIncomplete(missing));
    }
    let bureau = route(&credit_code, services)?;
    Ok(CaseEvent::ApplicationFiled {
        item_code: item.code.clone(),
        item_name: item.name.clone(),
        credit_code,
        enterprise_name,
        bureau,
        product,
        process,
        materials,
        commitment,
        contact,
        filed_on: today,
        address,
        applicant_listed,
    })
}

/// What a filing and a draft both describe: the enterprise, the product and whom to contact,
/// each admitted as text.
pub(super) struct Described {
    pub enterprise_name: String,
    pub address: Option<String>,
    pub product: String,
    pub process: Option<String>,
    pub contact: Contact,
}

impl Described {
    pub(super) fn admit(
        enterprise_name: &str,
        address: Option<&str>,
        product: &str,
        process: Option<&str>,
        contact: &Contact,
    ) -> Result<Self, CaseError> {
        let optional = |value: Option<&str>, field| {
            value
                .filter(|value| !value.trim().is_empty())
                .map(|value| text(TextKind::Name, value, field))
                .transpose()
        };
        Ok(Self {
            enterprise_name: text(TextKind::Name, enterprise_name, "enterprise_name")?,
            address: optional(address, "address")?,
            product: text(TextKind::Name, product, "product")?,
            process: optional(process, "process")?,
            contact: Contact {
                person: text(TextKind::Name, &contact.person, "contact.person")?,
                phone: text(TextKind::Phone, &contact.phone, "contact.phone")?,
            },
        })
    }
}

/// The credit code of the applicant sending `action`; only an applicant files or drafts.
pub(super) fn applicant_credit_code(
    actor: &Actor,
    action: &'static str,
) -> Result<CreditCode, CaseError> {
    match actor {
        Actor::Applicant { credit_code, .. } => Ok(credit_code.clone()),
        Actor::Officer { .. } | Actor::System => Err(CaseError::ApplicantOnly { action }),
        Actor::Auditor { .. } => Err(CaseError::ReadOnlyRole),
    }
}

/// The catalogue item an application or a draft names, if one can be filed for `product`:
/// in the catalogue, not done on a permit itself, not on the phase-out catalogue.
pub(super) fn fileable_item<'a>(
    services: &'a CaseServices,
    code: &ItemCode,
    product: &str,
    process: Option<&str>,
) -> Result<&'a crate::catalogue::Item, CaseError> {
    let item = services
        .catalogue
        .item(code)
        .ok_or_else(|| CaseError::UnknownItem(code.to_string()))?;
    if let Some(command) = &item.handled_by {
        return Err(CaseError::DoneOnThePermit {
            item: item.code.to_string(),
            command: command.clone(),
        });
    }
    refuse_phase_out(services, &item.code, product, process)?;
    Ok(item)
}

/// Approval is delegated: a case belongs to the city bureau where the applicant is registered;
/// the provincial bureau handles none directly.
pub(super) fn route(
    credit_code: &CreditCode,
    services: &CaseServices,
) -> Result<BureauCode, CaseError> {
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
