//! The public document of an inspection plan ("double random, one public"), folded from the
//! plan's events in the log on read: the plan, its population and digest, the seed's
//! checkpoint, the draw and the results (never their findings, which are the enterprise's
//! personal data). Enough for anyone to recompute the draw (`permit-ledger verify-draw`).

use chrono::NaiveDate;
use domain::catalogue::Catalogue;
use domain::inspection::{
    InspectionEvent, InspectionResult, PopulationMember, RosterEntry, Sample, Target,
};
use domain::values::{BureauCode, ItemCode, PermitNumber};
use serde::{Deserialize, Serialize};

use crate::case_view::CaseView;
use crate::db::Db;
use crate::log::{LogError, LoggedEvent};
use crate::on_db;

/// The aggregate type of inspection plans in the log.
pub const INSPECTION_PLAN: &str = "InspectionPlan";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDocument {
    pub plan_id: String,
    pub name: String,
    pub area: BureauCode,
    pub area_name: String,
    pub items: Vec<ItemCode>,
    pub sample: Sample,
    pub sample_size: u32,
    #[serde(with = "domain::iso_date")]
    pub created_on: NaiveDate,
    pub created_at: String,
    /// The log position of the plan's creation: the seed's checkpoint includes it.
    pub position: i64,
    pub roster: Vec<RosterEntry>,
    pub population: Population,
    pub draw: Option<Draw>,
    pub results: Vec<ResultEntry>,
}

/// The permits the draw is made from, sorted by permit number, and their digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Population {
    /// SHA-256 (hex) of the permit numbers, each followed by a line feed.
    pub digest: String,
    pub permits: Vec<PopulationMember>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draw {
    /// The root hash (hex) of the checkpoint of the log's first `checkpoint.size` events.
    pub seed: String,
    pub checkpoint: SeedCheckpoint,
    #[serde(with = "domain::iso_date")]
    pub drawn_on: NaiveDate,
    pub drawn_at: String,
    pub position: i64,
    /// In draw order, each with its two inspectors (indices into the roster).
    pub targets: Vec<Target>,
}

/// The signed checkpoint whose root is the seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedCheckpoint {
    pub size: u64,
    /// The signed note (C2SP tlog-checkpoint), when the ledger holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultEntry {
    pub permit_number: PermitNumber,
    pub result: InspectionResult,
    /// The inspector who recorded it (an index into the roster).
    pub inspector: u32,
    #[serde(with = "domain::iso_date")]
    pub recorded_on: NaiveDate,
    pub recorded_at: String,
    pub position: i64,
}

impl PlanDocument {
    /// The document `events` (one plan's, in order) make; None before the plan is created.
    pub fn fold(events: &[LoggedEvent], catalogue: &Catalogue) -> Result<Option<Self>, LogError> {
        let mut document: Option<PlanDocument> = None;
        for event in events {
            match (event.decode::<InspectionEvent>()?, &mut document) {
                (
                    InspectionEvent::PlanCreated {
                        plan_id,
                        name,
                        area,
                        items,
                        sample,
                        sample_size,
                        roster,
                        population,
                        population_digest,
                        created_on,
                    },
                    None,
                ) => {
                    document = Some(PlanDocument {
                        plan_id,
                        name,
                        area_name: catalogue.bureau_name(&area).unwrap_or_default().to_owned(),
                        area,
                        items,
                        sample,
                        sample_size,
                        created_on,
                        created_at: event.recorded_at.clone(),
                        position: event.position,
                        roster,
                        population: Population {
                            digest: population_digest,
                            permits: population,
                        },
                        draw: None,
                        results: Vec::new(),
                    })
                }
                (
                    InspectionEvent::PlanDrawn {
                        seed,
                        checkpoint_size,
                        targets,
                        drawn_on,
                    },
                    Some(document),
                ) => {
                    document.draw = Some(Draw {
                        seed,
                        checkpoint: SeedCheckpoint {
                            size: checkpoint_size,
                            note: None,
                        },
                        drawn_on,
                        drawn_at: event.recorded_at.clone(),
                        position: event.position,
                        targets,
                    })
                }
                (
                    InspectionEvent::InspectionResultRecorded {
                        permit_number,
                        result,
                        inspector,
                        recorded_on,
                        ..
                    },
                    Some(document),
                ) => document.results.push(ResultEntry {
                    permit_number,
                    result,
                    inspector,
                    recorded_on,
                    recorded_at: event.recorded_at.clone(),
                    position: event.position,
                }),
                // A plan's events follow its creation; nothing else is in its history.
                _ => {}
            }
        }
        Ok(document)
    }

    /// The latest time anything was recorded in the plan.
    pub fn updated_at(&self) -> &str {
        self.results
            .iter()
            .map(|r| r.recorded_at.as_str())
            .chain(self.draw.as_ref().map(|d| d.drawn_at.as_str()))
            .max()
            .unwrap_or(&self.created_at)
    }
}

/// Every plan's id and how many events it has, in the order they were made.
pub async fn plan_versions(db: &Db) -> Result<Vec<(String, i64)>, LogError> {
    let rows: Vec<(String, i64)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT aggregate_id, MAX(sequence) FROM events WHERE aggregate_type = $1 \
             GROUP BY aggregate_id ORDER BY MIN(global_position)",
        )
        .bind(INSPECTION_PLAN)
        .fetch_all(pool)
        .await?
    });
    Ok(rows)
}

/// How many events the plan has (0: no such plan).
pub async fn plan_version(db: &Db, plan_id: &str) -> Result<i64, LogError> {
    let events: Option<i64> = on_db!(db, |pool| {
        sqlx::query_scalar(
            "SELECT MAX(sequence) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2",
        )
        .bind(INSPECTION_PLAN)
        .bind(plan_id)
        .fetch_one(pool)
        .await?
    });
    Ok(events.unwrap_or(0))
}

/// The plans created and not yet drawn: their ids and the positions of their creation.
pub async fn undrawn(db: &Db) -> Result<Vec<(String, i64)>, LogError> {
    let rows: Vec<(String, i64)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT c.aggregate_id, c.global_position FROM events c \
             WHERE c.aggregate_type = $1 AND c.event_type = 'PlanCreated' \
             AND NOT EXISTS (SELECT 1 FROM events d WHERE d.aggregate_type = $1 \
             AND d.aggregate_id = c.aggregate_id AND d.event_type = 'PlanDrawn') \
             ORDER BY c.global_position",
        )
        .bind(INSPECTION_PLAN)
        .fetch_all(pool)
        .await?
    });
    Ok(rows)
}

/// The cases whose permits are in force on `today` for one of `items`, in `area` (a city
/// bureau's, or the province's: all), as projected.
pub async fn permits_in_force(
    db: &Db,
    items: &[ItemCode],
    area: &BureauCode,
    today: NaiveDate,
) -> Result<Vec<CaseView>, crate::case_queries::QueryError> {
    let items: Vec<String> = items.iter().map(ToString::to_string).collect();
    let texts: Vec<String> = on_db!(db, |pool| {
        let mut query =
            sqlx::QueryBuilder::new("SELECT view FROM case_state WHERE valid_until >= ");
        query.push_bind(domain::iso_date::text(today));
        if area.level() != domain::values::BureauLevel::Province {
            query.push(" AND bureau = ").push_bind(area.to_string());
        }
        query.push(" AND item_code IN (");
        let mut list = query.separated(", ");
        for item in &items {
            list.push_bind(item.clone());
        }
        query.push(")");
        query.build_query_scalar().fetch_all(pool).await?
    });
    let views: Vec<CaseView> = texts
        .iter()
        .map(|t| serde_json::from_str(t))
        .collect::<Result<_, _>>()?;
    Ok(views
        .into_iter()
        .filter(|v| v.permit_in_force_until().is_some() && area.contains(&v.bureau))
        .collect())
}
