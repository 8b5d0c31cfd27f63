//! The master key, which wraps every data subject's key: given in `PERMIT_LEDGER_MASTER_KEY`
//! (base64 of 32 bytes: how servers sharing a store share it), or kept in the data directory
//! as `master-key`, made there when the ledger is created. A ledger whose keys are wrapped
//! under a master key that is not given refuses to open: a new key would wrap nothing it has.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use anyhow::{bail, Context};
use projections::personal::{recorded_master_key, SecretKey};
use projections::Db;

pub const MASTER_KEY_FILE: &str = "master-key";

/// The master key `given` (base64), or the data directory's, made if neither exists and the
/// ledger on `db` has none yet.
pub async fn load_master_key(
    db: &Db,
    data_dir: &Path,
    given: Option<&str>,
) -> anyhow::Result<SecretKey> {
    if let Some(text) = given {
        return SecretKey::from_base64(text).context(
            "PERMIT_LEDGER_MASTER_KEY is not a master key: it must be the base64 of 32 bytes",
        );
    }
    let path = data_dir.join(MASTER_KEY_FILE);
    if path.exists() {
        return read_key_file(&path);
    }
    if let Some(fingerprint) = recorded_master_key(db).await? {
        bail!(
            "this ledger's personal data is sealed under the master key {fingerprint}, and \
             there is neither {} nor PERMIT_LEDGER_MASTER_KEY: restore the master key (without \
             it the personal fields cannot be read, and no new key may take its place)",
            path.display()
        );
    }
    let key = SecretKey::generate();
    write_key_file(&path, &key)
        .with_context(|| format!("cannot write the master key to {}", path.display()))?;
    // Another process may have made the file first: the key in it is the one.
    read_key_file(&path)
}

pub fn read_key_file(path: &Path) -> anyhow::Result<SecretKey> {
    let text = fs::read_to_string(path)
        .with_context(|| format!("cannot read the master key {}", path.display()))?;
    SecretKey::from_base64(&text).with_context(|| {
        format!(
            "{} is not a master key (base64 of 32 bytes)",
            path.display()
        )
    })
}

/// Writes `key` to a new file at `path`, readable by its owner only; an existing file is left
/// as it is.
pub fn write_key_file(path: &Path, key: &SecretKey) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(key.to_base64().as_bytes())?;
            file.sync_all()
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}
