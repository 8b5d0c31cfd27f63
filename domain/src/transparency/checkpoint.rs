//! C2SP tlog-checkpoint bodies, signed and opened as C2SP signed notes with Ed25519.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::merkle::Hash;

/// Ed25519's signature type byte in C2SP signed notes.
const ED25519: u8 = 0x01;

/// A log's state: its origin, how many entries it has, and their Merkle tree hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("not a checkpoint: {0}")]
    Malformed(String),
    #[error("no signature by {0} verifies this note")]
    NotSigned(String),
    #[error("not a verifier key: {0}")]
    BadKey(String),
}

impl Checkpoint {
    /// The note body: origin, size and base64 root hash, one per line.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            BASE64.encode(self.root)
        )
    }

    pub fn parse_body(body: &str) -> Result<Self, CheckpointError> {
        let bad = |why: &str| CheckpointError::Malformed(why.to_owned());
        let mut lines = body
            .strip_suffix('\n')
            .ok_or_else(|| bad("no final newline"))?
            .split('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or_else(|| bad("no origin"))?;
        let size = lines
            .next()
            .and_then(|s| {
                s.parse::<u64>()
                    .ok()
                    .filter(|_| !s.starts_with('+') && (s == "0" || !s.starts_with('0')))
            })
            .ok_or_else(|| bad("tree size is not a decimal number"))?;
        let root: Hash = lines
            .next()
            .and_then(|r| BASE64.decode(r).ok())
            .and_then(|r| r.try_into().ok())
            .ok_or_else(|| bad("root hash is not 32 bytes of base64"))?;
        // Extension lines may follow; this log writes none.
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
        })
    }
}

fn key_hash(name: &str, public: &VerifyingKey) -> [u8; 4] {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update(b"\n");
    hasher.update([ED25519]);
    hasher.update(public.as_bytes());
    let digest = hasher.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// Signs notes as `name` with an Ed25519 key.
pub struct NoteSigner {
    name: String,
    key: SigningKey,
}

impl NoteSigner {
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Self {
        Self {
            name: name.to_owned(),
            key: SigningKey::from_bytes(seed),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The signed note: the checkpoint body, a blank line, and the signature line.
    pub fn sign(&self, checkpoint: &Checkpoint) -> String {
        let body = checkpoint.body();
        let signature = self.key.sign(body.as_bytes());
        let mut blob = key_hash(&self.name, &self.key.verifying_key()).to_vec();
        blob.extend_from_slice(&signature.to_bytes());
        format!("{body}\n\u{2014} {} {}\n", self.name, BASE64.encode(blob))
    }

    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            key: self.key.verifying_key(),
        }
    }
}

/// Checks notes signed by one key, named by its verifier key string
/// `name+hex(key hash)+base64(0x01 || public key)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key: VerifyingKey,
}

impl NoteVerifier {
    pub fn parse_vkey(vkey: &str) -> Result<Self, CheckpointError> {
        let bad = |why: &str| CheckpointError::BadKey(why.to_owned());
        let mut parts = vkey.trim().splitn(3, '+');
        let (Some(name), Some(hash_hex), Some(key_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("expected name+keyhash+key"));
        };
        let raw = BASE64
            .decode(key_b64)
            .map_err(|_| bad("key is not base64"))?;
        let (&kind, public) = raw.split_first().ok_or_else(|| bad("empty key"))?;
        if kind != ED25519 {
            return Err(bad("not an Ed25519 key"));
        }
        let public: [u8; 32] = public
            .try_into()
            .map_err(|_| bad("an Ed25519 key is 32 bytes"))?;
        let key =
            VerifyingKey::from_bytes(&public).map_err(|_| bad("not a valid Ed25519 point"))?;
        if hex::encode(key_hash(name, &key)) != hash_hex.to_ascii_lowercase() {
            return Err(bad("key hash does not match name and key"));
        }
        Ok(Self {
            name: name.to_owned(),
            key,
        })
    }

    pub fn vkey(&self) -> String {
        let mut raw = vec![ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        format!(
            "{}+{}+{}",
            self.name,
            hex::encode(key_hash(&self.name, &self.key)),
            BASE64.encode(raw)
        )
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The checkpoint in `note`, if this key's signature on it verifies.
    pub fn open(&self, note: &str) -> Result<Checkpoint, CheckpointError> {
        let split = note.rfind("\n\n").ok_or_else(|| {
            CheckpointError::Malformed("no blank line before the signatures".into())
        })?;
        let (body, signatures) = (&note[..split + 1], &note[split + 2..]);
        let expected_hash = key_hash(&self.name, &self.key);
        for line in signatures.lines() {
            let Some(rest) = line.strip_prefix("\u{2014} ") else {
                return Err(CheckpointError::Malformed(
                    "a signature line does not start with an em dash".into(),
                ));
            };
            let Some((name, blob)) = rest.split_once(' ') else {
                continue;
            };
            let Ok(blob) = BASE64.decode(blob) else {
                continue;
            };
            if name != self.name || blob.len() != 68 || blob[..4] != expected_hash {
                continue;
            }
            let signature = Signature::from_bytes(blob[4..].try_into().expect("64 bytes"));
            if self.key.verify_strict(body.as_bytes(), &signature).is_ok() {
                return Checkpoint::parse_body(body);
            }
        }
        Err(CheckpointError::NotSigned(self.name.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            origin: "permit-ledger/370000".into(),
            size: 42,
            root: [7; 32],
        }
    }

    #[test]
    fn the_body_is_origin_size_and_base64_root() {
        assert_eq!(
            checkpoint().body(),
            "permit-ledger/370000\n42\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n"
        );
        assert_eq!(
            Checkpoint::parse_body(&checkpoint().body()).unwrap(),
            checkpoint()
        );
    }

    #[test]
    fn a_signed_checkpoint_round_trips() {
        let signer = NoteSigner::from_seed("permit-ledger/370000", &[3; 32]);
        let note = signer.sign(&checkpoint());
        assert!(note.contains("\n\n\u{2014} permit-ledger/370000 "));
        let verifier = NoteVerifier::parse_vkey(&signer.verifier().vkey()).unwrap();
        assert_eq!(verifier.open(&note).unwrap(), checkpoint());
    }

    #[test]
    fn a_checkpoint_signed_with_another_key_is_rejected() {
        let ours = NoteSigner::from_seed("permit-ledger/370000", &[3; 32]).verifier();
        let forged = NoteSigner::from_seed("permit-ledger/370000", &[4; 32]).sign(&checkpoint());
        assert_eq!(
            ours.open(&forged),
            Err(CheckpointError::NotSigned("permit-ledger/370000".into()))
        );
    }

    #[test]
    fn a_changed_body_no_longer_verifies() {
        let signer = NoteSigner::from_seed("permit-ledger/370000", &[3; 32]);
        let note = signer.sign(&checkpoint()).replace("\n42\n", "\n43\n");
        assert!(signer.verifier().open(&note).is_err());
    }

    #[test]
    fn a_tampered_verifier_key_is_refused() {
        let vkey = NoteSigner::from_seed("permit-ledger/370000", &[3; 32])
            .verifier()
            .vkey();
        let renamed = vkey.replacen("permit-ledger", "other-ledger", 1);
        assert!(NoteVerifier::parse_vkey(&renamed).is_err());
    }
}
