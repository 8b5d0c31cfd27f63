//! The supervision routes as the document describes them.

use projections::supervision::Efficiency;
use utoipa::IntoParams;

use super::{DocumentAnswers, ReadProblems};

#[utoipa::path(get, path = "/api/v1/supervision/efficiency", tag = "supervision",
    security(("bearer" = [])), params(EfficiencyParams),
    responses((status = 200, description = "the figures per bureau and item and in total \
        (CSV with Accept: text/csv)", body = Efficiency), ReadProblems))]
#[allow(dead_code)]
pub(super) fn efficiency() {}

#[utoipa::path(get, path = "/api/v1/supervision/efficiency.csv", tag = "supervision",
    security(("bearer" = [])), params(EfficiencyParams),
    responses((status = 200, description = "the same figures as CSV", content_type = "text/csv"),
        ReadProblems))]
#[allow(dead_code)]
pub(super) fn efficiency_csv() {}

/// The range, bureau and item the supervision figures are summed over.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct EfficiencyParams {
    /// The first business day (YYYY-MM-DD); the first of `to`'s month by default.
    #[param(format = Date)]
    from: Option<String>,
    /// The last business day (YYYY-MM-DD); today by default.
    #[param(format = Date)]
    to: Option<String>,
    /// One city bureau (an officer's own by default for a city's officers).
    bureau: Option<String>,
    item: Option<String>,
}

#[utoipa::path(get, path = "/statistics.json", tag = "public",
    responses((status = 200, description = "the supervision figures of every published month"),
        DocumentAnswers))]
#[allow(dead_code)]
pub(super) fn statistics() {}
