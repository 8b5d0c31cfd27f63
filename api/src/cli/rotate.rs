//! `permit-ledger rotate-master-key`: a new master key wraps every personal-data key. The new
//! key is written (and synced) before the store changes, so that no commit leaves the keys
//! wrapped under a key that is nowhere; a master key kept in the data directory is then
//! replaced there.

use std::path::Path;

use anyhow::{bail, Context};
use projections::personal::SecretKey;

use crate::ledger::master_key::{write_key_file, MASTER_KEY_FILE};
use crate::ledger::Ledger;
use crate::settings::Settings;

/// Returns how many keys were wrapped again.
pub async fn rotate(
    ledger: &Ledger,
    settings: &Settings,
    new_key_file: &Path,
) -> anyhow::Result<usize> {
    if new_key_file.exists() {
        bail!(
            "{} exists: the new master key is written to a new file",
            new_key_file.display()
        );
    }
    let new = SecretKey::generate();
    write_key_file(new_key_file, &new)
        .with_context(|| format!("cannot write {}", new_key_file.display()))?;
    let rotated = ledger.personal_keys().rotate(&new).await?;
    if settings.master_key.is_none() {
        let kept = settings.data_dir.join(MASTER_KEY_FILE);
        let staged = settings.data_dir.join(format!("{MASTER_KEY_FILE}.new"));
        let _ = std::fs::remove_file(&staged);
        write_key_file(&staged, &new)?;
        std::fs::rename(&staged, &kept)
            .with_context(|| format!("cannot replace {}", kept.display()))?;
    }
    Ok(rotated)
}
