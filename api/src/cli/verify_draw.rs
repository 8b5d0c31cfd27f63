//! `permit-ledger verify-draw FILE`: recomputes an inspection plan's draw from its public
//! document (`/inspections/{plan}.json`) alone: the population's digest, the seed against
//! the signed checkpoint the document carries (and its signature, given the log's key), and
//! the targets and inspectors from the seed.

use std::path::Path;

use anyhow::{bail, Context};
use domain::inspection::draw::targets;
use domain::inspection::population_digest;
use domain::transparency::{Checkpoint, NoteVerifier};
use projections::inspections::PlanDocument;

/// What a verified draw holds.
#[derive(Debug)]
pub struct VerifiedDraw {
    pub plan_id: String,
    pub population: usize,
    pub targets: usize,
    pub checkpoint_size: u64,
    /// Whether the checkpoint's signature was checked with the log's key.
    pub signed: bool,
}

/// Checks the draw in the document at `path`; `key` is the log's verifier key, if given.
pub fn verify_draw(path: &Path, key: Option<&str>) -> anyhow::Result<VerifiedDraw> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let plan: PlanDocument = serde_json::from_str(&text)
        .with_context(|| format!("{} is not an inspection plan document", path.display()))?;
    let digest = population_digest(&plan.population.permits);
    if digest != plan.population.digest {
        bail!(
            "the population's digest is {digest}, the document says {}: the population was changed",
            plan.population.digest
        );
    }
    let sorted = plan
        .population
        .permits
        .windows(2)
        .all(|w| w[0].permit_number.as_str() < w[1].permit_number.as_str());
    if !sorted {
        bail!("the population is not in permit number order, each permit once");
    }
    let Some(drawn) = &plan.draw else {
        bail!("the plan is not drawn yet");
    };
    let seed: [u8; 32] = hex::decode(&drawn.seed)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .context("the seed is not 32 bytes of hex")?;
    if drawn.checkpoint.size < plan.position as u64 {
        bail!(
            "the seed's checkpoint of {} events does not include the plan (position {})",
            drawn.checkpoint.size,
            plan.position
        );
    }
    let signed = match &drawn.checkpoint.note {
        Some(note) => {
            let checkpoint = match key {
                Some(key) => NoteVerifier::parse_vkey(key)
                    .context("the verifier key is not valid")?
                    .open(note)
                    .context("the checkpoint is not signed by the log's key")?,
                None => {
                    let body = &note[..note.find("\n\n").context("the note has no signature")? + 1];
                    Checkpoint::parse_body(body).context("the checkpoint note is malformed")?
                }
            };
            if checkpoint.size != drawn.checkpoint.size || checkpoint.root != seed {
                bail!(
                    "the seed is not the root of the checkpoint of {} events",
                    drawn.checkpoint.size
                );
            }
            key.is_some()
        }
        None if key.is_some() => bail!("the document carries no checkpoint note to check"),
        None => false,
    };
    let expected = targets(
        seed,
        &plan.plan_id,
        plan.sample_size as usize,
        plan.roster.len(),
        &plan.population.permits,
    );
    if expected.len() != drawn.targets.len() {
        bail!(
            "the draw has {} targets, the seed draws {}",
            drawn.targets.len(),
            expected.len()
        );
    }
    for (n, (expected, target)) in expected.iter().zip(&drawn.targets).enumerate() {
        if expected != target {
            bail!(
                "target {} is {} with inspectors {:?}; the seed draws {} with {:?}",
                n + 1,
                target.permit_number,
                target.inspectors,
                expected.permit_number,
                expected.inspectors
            );
        }
    }
    Ok(VerifiedDraw {
        plan_id: plan.plan_id,
        population: plan.population.permits.len(),
        targets: drawn.targets.len(),
        checkpoint_size: drawn.checkpoint.size,
        signed,
    })
}
