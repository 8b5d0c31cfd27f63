//! The figures time supervision works with, as data beside the catalogue
//! (`domain/data/supervision.json`): the warning threshold, the extension the law allows, the
//! limit for handing over the certificate.

use serde::Deserialize;

/// The rules shipped with the project.
pub const BUNDLED_SUPERVISION_RULES: &str = include_str!("../../data/supervision.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupervisionRules {
    /// A case turns yellow when this many working days or fewer are left to its committed
    /// deadline.
    pub yellow_working_days: u32,
    /// What one extension adds to the statutory deadline (Administrative Licensing Law
    /// art. 42: ten working days, once, approved by the head of the bureau).
    pub extension_working_days: u32,
    /// The certificate is handed over within this many working days of the decision (art. 44).
    pub delivery_limit_working_days: u32,
}

#[derive(Debug, thiserror::Error)]
#[error("supervision rules are not valid: {0}")]
pub struct SupervisionRulesError(#[from] serde_json::Error);

impl SupervisionRules {
    pub fn bundled() -> Self {
        Self::from_json(BUNDLED_SUPERVISION_RULES).expect("the bundled rules are valid (tested)")
    }

    pub fn from_json(json: &str) -> Result<Self, SupervisionRulesError> {
        Ok(serde_json::from_str(json)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_rules_are_the_law_and_the_reform() {
        let rules = SupervisionRules::bundled();
        assert_eq!(rules.yellow_working_days, 2);
        assert_eq!(rules.extension_working_days, 10);
        assert_eq!(rules.delivery_limit_working_days, 10);
    }

    #[test]
    fn an_unknown_figure_is_refused() {
        let json = r#"{"yellow_working_days":2,"extension_working_days":10,
            "delivery_limit_working_days":10,"red_working_days":1}"#;
        assert!(SupervisionRules::from_json(json).is_err());
    }
}
