//! Case views with their personal fields opened for a reader.

use crate::case_view::CaseView;

use super::{NotAuthentic, Opened, Opener};

impl CaseView {
    /// The personal fields of the view, by the labels the domain gives them.
    fn personal_fields_mut(&mut self) -> Vec<(&'static str, &mut String)> {
        let mut fields = vec![
            ("contact.person", &mut self.contact.person),
            ("contact.phone", &mut self.contact.phone),
        ];
        if let Some(commitment) = &mut self.commitment {
            fields.push(("commitment.signed_by", &mut commitment.signed_by));
        }
        if let Some(review) = &mut self.review {
            fields.push(("review.findings", &mut review.findings));
        }
        for check in &mut self.permit_life.checks {
            fields.push(("check.findings", &mut check.findings));
        }
        fields
    }

    /// The text of the view's personal fields as stored, sealed or not.
    pub fn personal_texts(&self) -> Vec<&str> {
        let mut texts = vec![self.contact.person.as_str(), self.contact.phone.as_str()];
        texts.extend(self.commitment.as_ref().map(|c| c.signed_by.as_str()));
        texts.extend(self.review.as_ref().map(|r| r.findings.as_str()));
        texts.extend(self.permit_life.checks.iter().map(|c| c.findings.as_str()));
        texts
    }

    /// Opens the view's personal fields with `opener`; those erased read as
    /// [`super::ERASED`] and are listed in `erased_fields`.
    pub fn open_personal(&mut self, opener: &Opener) -> Result<(), NotAuthentic> {
        let case_id = self.case_id.as_str().to_owned();
        let mut erased = Vec::new();
        for (label, text) in self.personal_fields_mut() {
            let opened = opener.open(text, label, &case_id)?;
            if opened == Opened::Erased {
                erased.push(label.to_owned());
            }
            *text = opened.into_text();
        }
        self.erased_fields = erased;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use domain::personal_data::fields::of_event_type;

    #[test]
    fn the_view_opens_every_personal_field_of_the_events_it_is_folded_from() {
        let view_labels = [
            "contact.person",
            "contact.phone",
            "commitment.signed_by",
            "review.findings",
            "check.findings",
        ];
        let event_labels: Vec<&str> = [
            "ApplicationFiled",
            "GuidanceRequested",
            "ReviewRecorded",
            "PostIssuanceCheckRecorded",
        ]
        .iter()
        .flat_map(|event| of_event_type("PermitCase", event))
        .map(|field| field.label)
        .collect();
        // A draft's contact and a filing's are the same fields of the view.
        let mut distinct = event_labels;
        distinct.sort();
        distinct.dedup();
        let mut expected = view_labels.to_vec();
        expected.sort();
        assert_eq!(distinct, expected);
    }
}
