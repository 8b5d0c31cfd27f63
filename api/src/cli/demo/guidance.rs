//! The demo's online guidance: one filing in four begins as a draft without its last
//! material, which the bureau's guide points out; the enterprise adds it and files on the
//! draft, so that the filing needs no correction round for it.

use domain::permit_case::{Application, Draft, MaterialComment};
use domain::values::CaseId;
use domain::{Actor, CaseAction, Post};

use super::{officer_of, Demo};

impl Demo {
    /// Shows `application` to the guide of its bureau as a draft lacking its last material,
    /// and revises the draft as the guide asks; returns the draft's case id.
    pub(super) async fn guided_draft(
        &mut self,
        application: &Application,
        actor: &Actor,
    ) -> anyhow::Result<CaseId> {
        let mut materials = application.materials.clone();
        let Some(missing) = materials.pop() else {
            anyhow::bail!("the demo's applications carry materials");
        };
        let draft = Draft {
            item_code: application.item_code.clone(),
            enterprise_name: application.enterprise_name.clone(),
            address: application.address.clone(),
            product: application.product.clone(),
            process: application.process.clone(),
            materials,
            questions: vec!["申请材料是否齐全？".into()],
            contact: application.contact.clone(),
        };
        let case_id = self.ledger.new_case_id();
        let request_id = self.tick();
        let view = self
            .ledger
            .request_guidance(case_id.clone(), actor.clone(), draft, request_id.into())
            .await?;
        let comment = CaseAction::CommentMaterials {
            comments: vec![MaterialComment {
                material: view.materials[0].name.clone(),
                comment: format!("请补充上传「{}」", missing.name),
            }],
            reply: Some("其余材料符合要求".into()),
        };
        self.send(&view, officer_of(&view.bureau, Post::Guide), comment)
            .await?;
        let view = self
            .ledger
            .case(&case_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("draft {case_id} is in the log"))?;
        let revision = CaseAction::ReviseDraft {
            materials: vec![missing],
            questions: Vec::new(),
        };
        self.send(&view, actor.clone(), revision).await?;
        Ok(case_id)
    }
}
