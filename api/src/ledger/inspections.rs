//! Inspection plans through the ledger: the population found and fixed when the plan is
//! made, the roster pseudonymised within the plan, each inspector's conflicts read from who
//! handled the cases; the draw, by the ledger itself, once the first day published after the
//! plan has its signed checkpoint (its root is the seed); the drawn inspectors' results.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use cqrs_es::AggregateError;
use domain::inspection::{
    InspectionAction, InspectionCommand, InspectionError, InspectionResult, PopulationMember,
    RosterEntry, Sample,
};
use domain::personal_data::DataSubject;
use domain::values::{BureauCode, ItemCode, PermitNumber};
use domain::{Actor, Post};
use projections::inspections::{self, PlanDocument, INSPECTION_PLAN};
use projections::{listing_queries, log, transparency};
use serde::Deserialize;

use super::clock::log_timestamp;
use super::command_metadata::of_command;
use super::commands::RequestTrace;
use super::{Ledger, LedgerError};

/// An inspection plan as an approver asks for it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    pub name: String,
    /// The city bureau whose area is inspected, or the provincial bureau for all; the
    /// sender's own bureau by default.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub area: Option<BureauCode>,
    #[schema(value_type = Vec<String>)]
    pub items: Vec<ItemCode>,
    pub sample: Sample,
    pub roster: Vec<RosterMember>,
}

/// An inspector of the roster: the officer's token subject (kept by no event: the plan
/// records a pseudonym) and bureau.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RosterMember {
    pub subject: String,
    #[schema(value_type = String)]
    pub bureau: BureauCode,
}

impl Ledger {
    /// Makes an inspection plan under `plan_id` (an id from [`Self::new_case_id`]'s
    /// generator) on `actor`'s order; returns its public document.
    pub async fn create_inspection_plan(
        &self,
        plan_id: String,
        actor: &Actor,
        request: PlanRequest,
        trace: RequestTrace,
    ) -> Result<Arc<PlanDocument>, LedgerError> {
        let Actor::Officer {
            bureau,
            post: Post::Approver,
            ..
        } = actor
        else {
            return Err(LedgerError::InspectionRefused(
                InspectionError::ApproverOnly,
            ));
        };
        let area = request.area.clone().unwrap_or_else(|| bureau.clone());
        if request.roster.iter().any(|m| m.subject.trim().is_empty()) {
            return Err(LedgerError::InspectionRefused(InspectionError::Required {
                field: "roster.subject",
            }));
        }
        // The population as of the plan: everything logged so far, projected.
        self.catch_up().await?;
        let today = self.today();
        let views = if request.items.is_empty() {
            Vec::new()
        } else {
            inspections::permits_in_force(self.db(), &request.items, &area, today).await?
        };
        let handlers = self.officers_who_handled(&views).await?;
        let mut roster = Vec::with_capacity(request.roster.len());
        for member in &request.roster {
            let key = self
                .personal_keys()
                .key_for(&DataSubject::Officer(member.subject.clone()))
                .await?;
            roster.push(RosterEntry {
                inspector: key.key.pseudonym(&plan_id),
                bureau: member.bureau.clone(),
            });
        }
        let population = views
            .iter()
            .filter_map(|view| {
                let permit = view.permit.as_ref()?;
                let handled = handlers.get(view.case_id.as_str());
                let conflicts = request
                    .roster
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| handled.is_some_and(|h| h.contains(&m.subject)))
                    .map(|(index, _)| index as u32)
                    .collect();
                Some(PopulationMember {
                    permit_number: permit.permit_number.clone(),
                    enterprise_name: view.enterprise_name.clone(),
                    credit_code: view.credit_code.clone(),
                    item_code: view.item_code.clone(),
                    bureau: view.bureau.clone(),
                    conflicts,
                })
            })
            .collect();
        let action = InspectionAction::Create {
            plan_id: plan_id.clone(),
            name: request.name,
            area,
            items: request.items,
            sample: request.sample,
            roster,
            population,
        };
        self.plans.remember_new(&plan_id);
        self.send_to_plan(&plan_id, actor, "create_inspection_plan", action, trace)
            .await?;
        self.plan_document(&plan_id)
            .await?
            .ok_or(LedgerError::Inconsistent(
                "a plan just made is not in the log",
            ))
    }

    /// Records a drawn inspector's result on one target of the plan.
    pub async fn record_inspection_result(
        &self,
        plan_id: &str,
        actor: &Actor,
        permit_number: PermitNumber,
        result: InspectionResult,
        findings: String,
        trace: RequestTrace,
    ) -> Result<Arc<PlanDocument>, LedgerError> {
        let Some(sender) =
            DataSubject::of_actor(actor).filter(|_| matches!(actor, Actor::Officer { .. }))
        else {
            return Err(LedgerError::InspectionRefused(
                InspectionError::NotAssigned(permit_number.to_string()),
            ));
        };
        let inspector = self
            .personal_keys()
            .key_for(&sender)
            .await?
            .key
            .pseudonym(plan_id);
        let action = InspectionAction::RecordResult {
            permit_number,
            result,
            findings,
            inspector,
        };
        self.send_to_plan(plan_id, actor, "record_inspection_result", action, trace)
            .await?;
        self.plan_document(plan_id)
            .await?
            .ok_or(LedgerError::Inconsistent(
                "a plan just changed is not in the log",
            ))
    }

    /// Draws every plan not drawn yet whose seed exists: the signed checkpoint of the first
    /// day published after it. Any server may; the plan's version lets one of them draw it.
    /// Returns how many plans this call drew.
    pub async fn draw_due_plans(&self) -> Result<usize, LedgerError> {
        let mut drawn = 0;
        for (plan_id, position) in inspections::undrawn(self.db()).await? {
            let Some(size) = listing_queries::first_publication_after(self.db(), position).await?
            else {
                continue;
            };
            let checkpoint = self.checkpoint_at(size).await?;
            let action = InspectionAction::Draw {
                seed: checkpoint.root,
                checkpoint_size: size as u64,
                plan_position: position as u64,
            };
            let trace = RequestTrace::from(format!("draw-{plan_id}"));
            match self
                .send_to_plan(
                    &plan_id,
                    &Actor::System,
                    "draw_inspection_plan",
                    action,
                    trace,
                )
                .await
            {
                Ok(()) => drawn += 1,
                // Another server drew it first.
                Err(LedgerError::Conflict)
                | Err(LedgerError::InspectionRefused(InspectionError::AlreadyDrawn)) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(drawn)
    }

    /// The plan's public document folded from the log, its seed's signed checkpoint with it;
    /// None if there is no such plan (readers go through [`Self::plan_document`]).
    pub(super) async fn read_plan_document(
        &self,
        plan_id: &str,
    ) -> Result<Option<PlanDocument>, LedgerError> {
        let events = log::read_aggregate(self.db(), INSPECTION_PLAN, plan_id).await?;
        let Some(mut document) = PlanDocument::fold(&events, &self.services().catalogue)? else {
            return Ok(None);
        };
        if let Some(draw) = &mut document.draw {
            let size = draw.checkpoint.size as i64;
            draw.checkpoint.note = transparency::checkpoint(self.db(), Some(size))
                .await?
                .map(|c| c.note);
        }
        Ok(Some(document))
    }

    async fn send_to_plan(
        &self,
        plan_id: &str,
        actor: &Actor,
        command: &str,
        action: InspectionAction,
        trace: RequestTrace,
    ) -> Result<(), LedgerError> {
        let now = self.clock().now();
        let metadata = of_command(actor, command, &trace, &log_timestamp(now));
        let command = InspectionCommand {
            actor: actor.clone(),
            today: self.today(),
            action,
        };
        let sender = DataSubject::of_actor(actor);
        self.plans
            .execute(plan_id, command, metadata, sender.as_ref())
            .await
            .map_err(|error| match error {
                AggregateError::UserError(refusal) => LedgerError::InspectionRefused(refusal),
                AggregateError::AggregateConflict => LedgerError::Conflict,
                other => LedgerError::EventStore(Box::new(other)),
            })?;
        Ok(())
    }

    /// The token subjects of the officers who sent any command to each of these cases.
    async fn officers_who_handled(
        &self,
        views: &[projections::CaseView],
    ) -> Result<HashMap<String, HashSet<String>>, LedgerError> {
        let ids: Vec<String> = views.iter().map(|v| v.case_id.to_string()).collect();
        let events = log::read_aggregates(self.db(), "PermitCase", &ids).await?;
        let opened = self.opened_events(&events).await?;
        let mut handlers: HashMap<String, HashSet<String>> = HashMap::new();
        for (event, opened) in events.iter().zip(opened) {
            let officer = opened.metadata.get("actor_role").map(String::as_str) == Some("officer");
            if let (true, Some(subject)) = (officer, opened.metadata.get("actor_subject")) {
                handlers
                    .entry(event.aggregate_id.clone())
                    .or_default()
                    .insert(subject.clone());
            }
        }
        Ok(handlers)
    }
}
