//! The item catalogue: what can be applied for, its time limits and required materials, the
//! jurisdiction (province and city bureaus) and the phase-out catalogue. Loaded from data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::values::{BureauCode, BureauLevel, ItemCode};

/// The catalogue shipped with the project (`domain/data/catalogue.json`).
pub const BUNDLED_CATALOGUE: &str = include_str!("../data/catalogue.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemCategory {
    IndustrialProduct,
    HazardousChemical,
    SpecialEquipment,
    Metrology,
    InspectionTesting,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    AdministrativePower,
    PublicService,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub code: ItemCode,
    pub name: String,
    pub name_en: String,
    pub category: ItemCategory,
    pub kind: ItemKind,
    pub statutory_limit_days: u32,
    pub committed_limit_days: u32,
    pub commitment_eligible: bool,
    /// Working days after issuance within which a permit issued on a commitment is checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_within_days: Option<u32>,
    pub validity_years: u32,
    pub materials: Vec<CatalogueMaterial>,
    /// An item withdrawn onto the phase-out catalogue: no new case is accepted for it.
    #[serde(default)]
    pub phased_out: bool,
    /// An item done by a command on the case that issued the permit (a name change by
    /// declaration, a cancellation), not by filing a new application: the command's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handled_by: Option<String>,
}

impl Item {
    /// The materials a filing for `product` must provide.
    pub fn required_materials<'a>(
        &'a self,
        product: &'a str,
    ) -> impl Iterator<Item = &'a CatalogueMaterial> + 'a {
        self.materials
            .iter()
            .filter(move |material| material.required_for(product))
    }
}

/// A material an item asks for, and who provides it: the enterprise itself, or (the two
/// proofs the reform keeps) another authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueMaterial {
    pub name: String,
    pub provided_by: ProvidedBy,
    /// Asked for only when the product's name contains one of these; empty: always.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only_for_products: Vec<String>,
}

impl CatalogueMaterial {
    pub fn required_for(&self, product: &str) -> bool {
        self.only_for_products.is_empty()
            || self
                .only_for_products
                .iter()
                .any(|name| product.contains(name.as_str()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProvidedBy {
    /// The enterprise's own material.
    #[serde(rename = "self")]
    Enterprise,
    /// A proof from another authority.
    External,
}

/// What the catalogue says of a permit's life after issuance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermitLifeRules {
    /// A renewal may be requested in the last this many months of validity.
    pub renewal_window_months: u32,
    /// The working days the bureau commits to decide a renewal in, from its acceptance.
    pub renewal_committed_limit_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bureau {
    pub code: BureauCode,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jurisdiction {
    pub province: Bureau,
    pub cities: Vec<Bureau>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    items: BTreeMap<ItemCode, Item>,
    jurisdiction: Jurisdiction,
    permit_life: PermitLifeRules,
    phase_out: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("catalogue data is not valid: {0}")]
    Json(#[from] serde_json::Error),
    #[error("catalogue is inconsistent: {0}")]
    Inconsistent(String),
}

#[derive(Deserialize)]
struct CatalogueFile {
    jurisdiction: Jurisdiction,
    permit_life: PermitLifeRules,
    items: Vec<Item>,
    phase_out: Vec<String>,
}

impl Catalogue {
    pub fn bundled() -> Self {
        Self::from_json(BUNDLED_CATALOGUE).expect("the bundled catalogue is valid (tested)")
    }

    pub fn from_json(json: &str) -> Result<Self, CatalogueError> {
        let file: CatalogueFile = serde_json::from_str(json)?;
        let bad = |why: String| Err(CatalogueError::Inconsistent(why));
        if file.jurisdiction.province.code.level() != BureauLevel::Province {
            return bad("the province bureau's code is not a province".into());
        }
        for city in &file.jurisdiction.cities {
            if city.code.level() != BureauLevel::City
                || !file.jurisdiction.province.code.contains(&city.code)
            {
                return bad(format!("{} is not a city of the province", city.code));
            }
        }
        let mut items = BTreeMap::new();
        for item in file.items {
            if item.committed_limit_days == 0
                || item.committed_limit_days > item.statutory_limit_days
            {
                return bad(format!(
                    "{}: committed limit must be 1..=statutory",
                    item.code
                ));
            }
            if item.commitment_eligible && item.check_within_days.is_none_or(|days| days == 0) {
                return bad(format!(
                    "{}: an item issued on commitment needs a check limit",
                    item.code
                ));
            }
            if item.validity_years == 0 {
                return bad(format!("{}: validity must be at least a year", item.code));
            }
            if let Some(dup) = items.insert(item.code.clone(), item) {
                return bad(format!("{} listed twice", dup.code));
            }
        }
        let life = file.permit_life;
        if life.renewal_window_months == 0 || life.renewal_committed_limit_days == 0 {
            return bad("the renewal window and limit must be at least one".into());
        }
        Ok(Self {
            items,
            jurisdiction: file.jurisdiction,
            permit_life: life,
            phase_out: file.phase_out,
        })
    }

    pub fn item(&self, code: &ItemCode) -> Option<&Item> {
        self.items.get(code)
    }

    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.items.values()
    }

    pub fn permit_life(&self) -> &PermitLifeRules {
        &self.permit_life
    }

    pub fn jurisdiction(&self) -> &Jurisdiction {
        &self.jurisdiction
    }

    /// The name of the provincial bureau or of a city bureau, by its code.
    pub fn bureau_name(&self, code: &BureauCode) -> Option<&str> {
        if &self.jurisdiction.province.code == code {
            return Some(&self.jurisdiction.province.name);
        }
        self.city_bureau(code).map(|b| b.name.as_str())
    }

    pub fn city_bureau(&self, code: &BureauCode) -> Option<&Bureau> {
        self.jurisdiction.cities.iter().find(|c| &c.code == code)
    }

    /// The phase-out entry that `text` (a product or process) names, if any.
    pub fn phase_out_entry(&self, text: &str) -> Option<&str> {
        let text: String = text.split_whitespace().collect();
        self.phase_out
            .iter()
            .find(|entry| text.contains(entry.split_whitespace().collect::<String>().as_str()))
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_catalogue_has_17_power_items_and_11_public_services() {
        let cat = Catalogue::bundled();
        let count = |kind| cat.items().filter(|i| i.kind == kind).count();
        assert_eq!(count(ItemKind::AdministrativePower), 17);
        assert_eq!(count(ItemKind::PublicService), 11);
    }

    #[test]
    fn committed_limits_follow_the_reform() {
        let cat = Catalogue::bundled();
        for item in cat.items() {
            let expected = match item.category {
                ItemCategory::SpecialEquipment if item.kind == ItemKind::AdministrativePower => {
                    (30, 15)
                }
                ItemCategory::HazardousChemical => (60, 25),
                _ => (20, 10),
            };
            assert_eq!(
                (item.statutory_limit_days, item.committed_limit_days),
                expected,
                "{}",
                item.code
            );
            assert!(item.committed_limit_days * 2 <= item.statutory_limit_days + 5);
        }
    }

    #[test]
    fn phase_out_entries_are_found_inside_product_names() {
        let cat = Catalogue::bundled();
        assert_eq!(
            cat.phase_out_entry("医用 含汞体温计（玻璃）"),
            Some("含汞体温计")
        );
        assert_eq!(cat.phase_out_entry("电子体温计"), None);
    }

    #[test]
    fn only_the_two_proofs_the_reform_keeps_come_from_other_authorities() {
        let cat = Catalogue::bundled();
        let external: Vec<(String, &str)> = cat
            .items()
            .flat_map(|item| item.materials.iter().map(move |m| (item, m)))
            .filter(|(_, m)| m.provided_by == ProvidedBy::External)
            .map(|(item, m)| (item.code.to_string(), m.name.as_str()))
            .collect();
        assert_eq!(
            external,
            [
                ("XK-004".to_owned(), "环保证明 environmental proof"),
                ("XK-007".to_owned(), "产业政策证明 industrial-policy proof"),
            ]
        );
        let food_contact = cat.item(&ItemCode::parse("XK-004").unwrap()).unwrap();
        let names = |product| {
            food_contact
                .required_materials(product)
                .filter(|m| m.provided_by == ProvidedBy::External)
                .count()
        };
        assert_eq!(names("餐具洗涤剂（浓缩型）"), 1, "dishwashing detergent");
        assert_eq!(names("食品用塑料包装"), 0, "other food-contact products");
    }

    #[test]
    fn every_city_lies_in_the_province() {
        let cat = Catalogue::bundled();
        assert_eq!(cat.jurisdiction().cities.len(), 16);
        assert!(cat
            .city_bureau(&BureauCode::parse("370200").unwrap())
            .is_some());
        assert!(cat
            .city_bureau(&BureauCode::parse("370000").unwrap())
            .is_none());
    }
}
