//! The ciphers of personal data: a key per data subject seals each personal field with
//! XChaCha20-Poly1305 (random 24-byte nonces, so no counter to keep across servers), bound to
//! its key, field and aggregate; the master key wraps the subject keys the same way. A sealed
//! field is text in the event's JSON, where its plaintext would be:
//! `sealed:v1:KEY-ID:BASE64URL(nonce || ciphertext)`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop};

const PREFIX: &str = "sealed:v1:";
const NONCE_LEN: usize = 24;

/// A failure to open sealed data with the key it names: the ciphertext, the key or the place
/// it was found in is not the one it was sealed with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} does not authenticate: it was altered, or sealed under another key or for another place")]
pub struct NotAuthentic {
    pub what: String,
}

/// 32 secret bytes.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey([u8; 32]);

impl SecretKey {
    /// A new key from the operating system's CSPRNG.
    pub fn generate() -> Self {
        let mut bytes = [0; 32];
        OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn from_base64(text: &str) -> Option<Self> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0)
    }

    /// A pseudonym of this key's subject within `context` (a case id): the same for the same
    /// subject and context, unlinkable to the subject without the key, and to anyone once
    /// the key is destroyed (HMAC-SHA256, 128 bits).
    pub fn pseudonym(&self, context: &str) -> String {
        use hmac::{Hmac, Mac};
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(b"permit-ledger pseudonym\0");
        mac.update(context.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// A public name for a master key, recorded with the ledger: which key wraps its subject
    /// keys, without revealing it.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::new()
            .chain_update(b"permit-ledger master key\0")
            .chain_update(self.0)
            .finalize();
        hex::encode(&digest[..8])
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }

    /// `plaintext` sealed for `context`: nonce || ciphertext.
    fn seal_bytes(&self, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .expect("XChaCha20-Poly1305 seals any message shorter than 256 GiB");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        bytes
    }

    fn open_bytes(&self, sealed: &[u8], context: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        self.cipher()
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .ok()
    }

    /// `subject_key`, the key `key_id`, wrapped under this master key.
    pub fn wrap(&self, key_id: &str, subject_key: &SecretKey) -> String {
        BASE64URL.encode(self.seal_bytes(&subject_key.0, &wrap_context(key_id)))
    }

    pub fn unwrap(&self, key_id: &str, wrapped: &str) -> Result<SecretKey, NotAuthentic> {
        let not_authentic = || NotAuthentic {
            what: format!("the wrapped personal-data key {key_id}"),
        };
        let sealed = BASE64URL.decode(wrapped).map_err(|_| not_authentic())?;
        let mut bytes = self
            .open_bytes(&sealed, &wrap_context(key_id))
            .ok_or_else(not_authentic)?;
        let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| not_authentic())?;
        bytes.zeroize();
        Ok(SecretKey(key))
    }
}

fn wrap_context(key_id: &str) -> Vec<u8> {
    format!("permit-ledger key wrap v1\0{key_id}").into_bytes()
}

/// What a sealed field is bound to: its key, its field and its aggregate, so that it cannot be
/// moved to another place and still open.
fn field_context(key_id: &str, label: &str, aggregate_id: &str) -> Vec<u8> {
    format!("permit-ledger personal v1\0{key_id}\0{label}\0{aggregate_id}").into_bytes()
}

/// A personal field as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed<'a> {
    pub key_id: &'a str,
    body: &'a str,
}

impl<'a> Sealed<'a> {
    /// The sealed form in `text`, if it is one (text in clear is kept as it is: events
    /// logged before personal fields were sealed hold them in clear).
    pub fn parse(text: &'a str) -> Option<Self> {
        let (key_id, body) = text.strip_prefix(PREFIX)?.split_once(':')?;
        Some(Self { key_id, body })
    }

    /// `plaintext` sealed under `key` (`key_id`) as the field `label` of `aggregate_id`.
    pub fn seal(
        key: &SecretKey,
        key_id: &str,
        label: &str,
        aggregate_id: &str,
        plaintext: &str,
    ) -> String {
        let sealed = key.seal_bytes(
            plaintext.as_bytes(),
            &field_context(key_id, label, aggregate_id),
        );
        format!("{PREFIX}{key_id}:{}", BASE64URL.encode(sealed))
    }

    pub fn open(
        &self,
        key: &SecretKey,
        label: &str,
        aggregate_id: &str,
    ) -> Result<String, NotAuthentic> {
        let not_authentic = || NotAuthentic {
            what: format!("the sealed {label} of {aggregate_id}"),
        };
        let sealed = BASE64URL.decode(self.body).map_err(|_| not_authentic())?;
        let plaintext = key
            .open_bytes(&sealed, &field_context(self.key_id, label, aggregate_id))
            .ok_or_else(not_authentic)?;
        String::from_utf8(plaintext).map_err(|_| not_authentic())
    }
}

/// A new key id: 128 random bits, in base64url (22 characters: every sealed field names
/// its key, so the id is kept short).
pub fn new_key_id() -> String {
    let mut bytes = [0; 16];
    OsRng.fill_bytes(&mut bytes);
    BASE64URL.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pseudonym_is_the_same_for_one_key_and_case_and_differs_otherwise() {
        let (key, other) = (SecretKey::generate(), SecretKey::generate());
        let on_case = key.pseudonym("case-1");
        assert_eq!(on_case, key.pseudonym("case-1"));
        assert_eq!(on_case.len(), 32);
        assert_ne!(on_case, key.pseudonym("case-2"));
        assert_ne!(on_case, other.pseudonym("case-1"));
    }

    #[test]
    fn a_sealed_field_opens_with_its_key_in_its_place_only() {
        let key = SecretKey::generate();
        let sealed = Sealed::seal(&key, "k1", "contact.person", "case-1", "王某");
        assert!(!sealed.contains("王某"));
        let parsed = Sealed::parse(&sealed).unwrap();
        assert_eq!(parsed.key_id, "k1");
        assert_eq!(
            parsed.open(&key, "contact.person", "case-1").unwrap(),
            "王某"
        );
        assert!(parsed.open(&key, "contact.phone", "case-1").is_err());
        assert!(parsed.open(&key, "contact.person", "case-2").is_err());
        assert!(parsed
            .open(&SecretKey::generate(), "contact.person", "case-1")
            .is_err());
    }

    #[test]
    fn a_tampered_ciphertext_does_not_open() {
        let key = SecretKey::generate();
        let sealed = Sealed::seal(&key, "k1", "contact.phone", "c", "13800000000");
        let mut bytes = sealed.into_bytes();
        let last = bytes.len() - 2;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        let error = Sealed::parse(&tampered)
            .unwrap()
            .open(&key, "contact.phone", "c")
            .unwrap_err();
        assert!(error.to_string().contains("does not authenticate"));
    }

    #[test]
    fn a_wrapped_key_unwraps_under_its_master_key_only() {
        let (master, key) = (SecretKey::generate(), SecretKey::generate());
        let wrapped = master.wrap("k1", &key);
        assert_eq!(master.unwrap("k1", &wrapped).unwrap().0, key.0);
        assert!(master.unwrap("k2", &wrapped).is_err());
        assert!(SecretKey::generate().unwrap("k1", &wrapped).is_err());
    }

    #[test]
    fn text_in_clear_is_not_sealed() {
        assert_eq!(Sealed::parse("王某"), None);
        assert_eq!(Sealed::parse("sealed:v1:nokeyid"), None);
    }
}
