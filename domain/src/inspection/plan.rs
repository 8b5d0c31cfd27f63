//! The inspection plan aggregate: made once, drawn once, a result per target.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::draw::targets;
use super::{
    InspectionAction, InspectionCommand, InspectionError, InspectionEvent, InspectionResult,
    PopulationMember, RosterEntry, Sample, Target,
};
use crate::actor::{Actor, Post};
use crate::services::CaseServices;
use crate::text::{TextKind, TextRefusal};
use crate::values::{BureauCode, BureauLevel, ItemCode, PermitNumber};

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionPlan {
    plan: Option<Made>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Made {
    plan_id: String,
    roster: Vec<RosterEntry>,
    population: Vec<PopulationMember>,
    sample_size: u32,
    targets: Option<Vec<Target>>,
    results: Vec<PermitNumber>,
}

/// SHA-256 (hex) of the permit numbers, each followed by a line feed: what a plan's
/// population digest is.
pub fn population_digest(population: &[PopulationMember]) -> String {
    let mut hash = Sha256::new();
    for member in population {
        hash.update(member.permit_number.as_str().as_bytes());
        hash.update(b"\n");
    }
    hex::encode(hash.finalize())
}

fn text(kind: TextKind, value: &str, field: &'static str) -> Result<String, InspectionError> {
    kind.admit(value).map_err(|refusal| match refusal {
        TextRefusal::Empty => InspectionError::Required { field },
        refusal => InspectionError::InvalidText { field, refusal },
    })
}

impl InspectionPlan {
    pub fn decide(
        &self,
        command: InspectionCommand,
        services: &CaseServices,
    ) -> Result<InspectionEvent, InspectionError> {
        let InspectionCommand {
            actor,
            today,
            action,
        } = command;
        match action {
            InspectionAction::Create {
                plan_id,
                name,
                area,
                items,
                sample,
                roster,
                population,
            } => {
                if self.plan.is_some() {
                    return Err(InspectionError::PlanExists);
                }
                let plan = Plan {
                    plan_id,
                    name,
                    area,
                    items,
                    sample,
                    roster,
                    population,
                };
                create(&actor, today, services, plan)
            }
            InspectionAction::Draw {
                seed,
                checkpoint_size,
                plan_position,
            } => {
                if !matches!(actor, Actor::System) {
                    return Err(InspectionError::SystemOnly);
                }
                let plan = self.plan.as_ref().ok_or(InspectionError::PlanNotFound)?;
                if plan.targets.is_some() {
                    return Err(InspectionError::AlreadyDrawn);
                }
                if checkpoint_size < plan_position {
                    return Err(InspectionError::CheckpointBeforePlan {
                        checkpoint_size,
                        plan_position,
                    });
                }
                Ok(plan.draw(seed, checkpoint_size, today))
            }
            InspectionAction::RecordResult {
                permit_number,
                result,
                findings,
                inspector,
            } => {
                let plan = self.plan.as_ref().ok_or(InspectionError::PlanNotFound)?;
                plan.record(&actor, today, permit_number, result, &findings, &inspector)
            }
        }
    }
}

/// What a plan is made of, as asked.
struct Plan {
    plan_id: String,
    name: String,
    area: BureauCode,
    items: Vec<ItemCode>,
    sample: Sample,
    roster: Vec<RosterEntry>,
    population: Vec<PopulationMember>,
}

fn create(
    actor: &Actor,
    today: NaiveDate,
    services: &CaseServices,
    plan: Plan,
) -> Result<InspectionEvent, InspectionError> {
    let Plan {
        plan_id,
        name,
        area,
        items,
        sample,
        roster,
        mut population,
    } = plan;
    let Actor::Officer {
        bureau,
        post: Post::Approver,
        ..
    } = actor
    else {
        return Err(InspectionError::ApproverOnly);
    };
    let own_area = match bureau.level() {
        BureauLevel::Province => {
            bureau == &area || (bureau.contains(&area) && area.level() == BureauLevel::City)
        }
        BureauLevel::City => bureau == &area,
        BureauLevel::County => return Err(InspectionError::ApproverOnly),
    };
    if !own_area {
        return Err(InspectionError::OwnAreaOnly {
            bureau: bureau.to_string(),
            area: area.to_string(),
        });
    }
    let name = text(TextKind::Name, &name, "name")?;
    if items.is_empty() {
        return Err(InspectionError::Required { field: "items" });
    }
    for (i, item) in items.iter().enumerate() {
        if services.catalogue.item(item).is_none() {
            return Err(InspectionError::UnknownItem(item.to_string()));
        }
        if items[..i].contains(item) {
            return Err(InspectionError::DuplicateItem(item.to_string()));
        }
    }
    let mut inspectors: Vec<&str> = roster.iter().map(|r| r.inspector.as_str()).collect();
    inspectors.sort_unstable();
    inspectors.dedup();
    if roster.len() < 2 || inspectors.len() != roster.len() {
        return Err(InspectionError::RosterTooSmall);
    }
    if let Some(outside) = roster.iter().find(|r| !area.contains(&r.bureau)) {
        return Err(InspectionError::InspectorOutsideArea(
            outside.bureau.to_string(),
        ));
    }
    population.sort_by(|a, b| a.permit_number.as_str().cmp(b.permit_number.as_str()));
    population.dedup_by(|a, b| a.permit_number == b.permit_number);
    if population.is_empty() {
        return Err(InspectionError::EmptyPopulation);
    }
    let size = population.len();
    let sample_size = match sample {
        Sample::Size(n) if (1..=size).contains(&(n as usize)) => n,
        Sample::Percent(p) if (1..=100).contains(&p) => (size as u32 * p).div_ceil(100),
        Sample::Size(n) => {
            return Err(InspectionError::SampleOutOfRange {
                asked: n.to_string(),
                population: size,
            })
        }
        Sample::Percent(p) => {
            return Err(InspectionError::SampleOutOfRange {
                asked: format!("{p}%"),
                population: size,
            })
        }
    };
    for member in &mut population {
        member.conflicts.sort_unstable();
        member.conflicts.dedup();
        member.conflicts.retain(|r| (*r as usize) < roster.len());
        if roster.len() - member.conflicts.len() < 2 {
            return Err(InspectionError::TooFewInspectorsWithoutConflict(
                member.permit_number.to_string(),
            ));
        }
    }
    Ok(InspectionEvent::PlanCreated {
        plan_id,
        name,
        area,
        items,
        sample,
        sample_size,
        population_digest: population_digest(&population),
        roster,
        population,
        created_on: today,
    })
}

impl Aggregate for InspectionPlan {
    const TYPE: &'static str = "InspectionPlan";
    type Command = InspectionCommand;
    type Event = InspectionEvent;
    type Error = InspectionError;
    type Services = CaseServices;

    async fn handle(
        &mut self,
        command: InspectionCommand,
        services: &CaseServices,
        sink: &EventSink<Self>,
    ) -> Result<(), InspectionError> {
        let event = self.decide(command, services)?;
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: InspectionEvent) {
        match event {
            InspectionEvent::PlanCreated {
                plan_id,
                roster,
                population,
                sample_size,
                ..
            } => {
                self.plan = Some(Made {
                    plan_id,
                    roster,
                    population,
                    sample_size,
                    targets: None,
                    results: Vec::new(),
                })
            }
            InspectionEvent::PlanDrawn { targets, .. } => {
                if let Some(plan) = &mut self.plan {
                    plan.targets = Some(targets);
                }
            }
            InspectionEvent::InspectionResultRecorded { permit_number, .. } => {
                if let Some(plan) = &mut self.plan {
                    plan.results.push(permit_number);
                }
            }
        }
    }
}

impl Made {
    fn draw(&self, seed: [u8; 32], checkpoint_size: u64, today: NaiveDate) -> InspectionEvent {
        InspectionEvent::PlanDrawn {
            seed: hex::encode(seed),
            checkpoint_size,
            targets: targets(
                seed,
                &self.plan_id,
                self.sample_size as usize,
                self.roster.len(),
                &self.population,
            ),
            drawn_on: today,
        }
    }

    fn record(
        &self,
        actor: &Actor,
        today: NaiveDate,
        permit_number: PermitNumber,
        result: InspectionResult,
        findings: &str,
        inspector: &str,
    ) -> Result<InspectionEvent, InspectionError> {
        let targets = self.targets.as_ref().ok_or(InspectionError::NotDrawn)?;
        let target = targets
            .iter()
            .find(|t| t.permit_number == permit_number)
            .ok_or_else(|| InspectionError::NotATarget(permit_number.to_string()))?;
        let not_assigned = || InspectionError::NotAssigned(permit_number.to_string());
        let Actor::Officer {
            bureau,
            post: Post::Inspector,
            ..
        } = actor
        else {
            return Err(not_assigned());
        };
        let index = target
            .inspectors
            .iter()
            .copied()
            .find(|&i| {
                let entry = &self.roster[i as usize];
                entry.inspector == inspector && &entry.bureau == bureau
            })
            .ok_or_else(not_assigned)?;
        if self.results.contains(&permit_number) {
            return Err(InspectionError::ResultRecorded(permit_number.to_string()));
        }
        let credit_code = self
            .population
            .iter()
            .find(|m| m.permit_number == permit_number)
            .map(|m| m.credit_code.clone())
            .ok_or_else(|| InspectionError::NotATarget(permit_number.to_string()))?;
        Ok(InspectionEvent::InspectionResultRecorded {
            permit_number,
            credit_code,
            result,
            findings: text(TextKind::Findings, findings, "findings")?,
            inspector: index,
            recorded_on: today,
        })
    }
}
