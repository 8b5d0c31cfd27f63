//! Bearer tokens: JWTs signed by the server (HS256, secret kept in the data directory) that
//! carry the role: applicant with its credit code, officer with bureau and post, auditor.
//!
//! Verified strictly: a few seconds of leeway on expiry and not-before, no token issued in
//! the future, no critical header parameter (`crit`: none is understood here), and an
//! officer's bureau must be one of the jurisdiction's (the province, its city bureaus and
//! their counties). Every token has an id (`jti`); a revoked one (`permit-ledger token
//! --revoke ID`) is refused once the server has read the store's revocations (at start, then
//! every second).

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, RwLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use domain::catalogue::Jurisdiction;
use domain::values::{BureauCode, CreditCode};
use domain::{Actor, Post};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};

const ISSUER: &str = "permit-ledger";
const SECRET_FILE: &str = "token-secret";
/// The clock difference tolerated between the issuer and this server, in seconds.
const LEEWAY_SECONDS: u64 = 5;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    bureau: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    post: Option<Post>,
    #[serde(skip_serializing_if = "Option::is_none")]
    credit_code: Option<String>,
    iat: i64,
    exp: i64,
    /// The token's id, which revoking it names.
    jti: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no bearer token: send Authorization: Bearer <token>")]
    Missing,
    #[error("the token is not valid: {0}")]
    Invalid(String),
}

#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// The bureaus an officer may belong to; None accepts any well-formed code.
    bureaus: Option<Arc<BTreeSet<BureauCode>>>,
    /// The ids of revoked tokens, as last read from the store.
    revoked: Arc<RwLock<HashSet<String>>>,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(..)")
    }
}

impl TokenKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            bureaus: None,
            revoked: Arc::default(),
        }
    }

    /// These keys, refusing officers of bureaus outside `jurisdiction`: its province, its
    /// city bureaus, and the counties of those cities.
    pub fn for_jurisdiction(mut self, jurisdiction: &Jurisdiction) -> Self {
        let bureaus = std::iter::once(jurisdiction.province.code.clone())
            .chain(jurisdiction.cities.iter().map(|city| city.code.clone()))
            .collect();
        self.bureaus = Some(Arc::new(bureaus));
        self
    }

    fn knows(&self, bureau: &BureauCode) -> bool {
        self.bureaus.as_ref().is_none_or(|bureaus| {
            bureaus.contains(bureau) || bureau.city().is_some_and(|city| bureaus.contains(&city))
        })
    }

    /// The secret in `data_dir/token-secret`, made (32 random bytes, owner-only) on first use.
    pub fn load_or_create(data_dir: &Path) -> io::Result<Self> {
        let path = data_dir.join(SECRET_FILE);
        if !path.exists() {
            fs::create_dir_all(data_dir)?;
            let mut secret = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut secret);
            let mut options = fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(&path) {
                Ok(mut file) => file.write_all(hex::encode(secret).as_bytes())?,
                // Another process made it first: use theirs.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        let text = fs::read_to_string(&path)?;
        let secret = hex::decode(text.trim()).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {e}", path.display()),
            )
        })?;
        if secret.len() < 32 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: the secret must be at least 32 bytes", path.display()),
            ));
        }
        Ok(Self::from_secret(&secret))
    }

    /// A token for `actor`, valid from `now` for `valid_for`.
    pub fn issue(&self, actor: &Actor, now: DateTime<Utc>, valid_for: Duration) -> String {
        let (bureau, post, credit_code) = match actor {
            Actor::Applicant { credit_code, .. } => (None, None, Some(credit_code.to_string())),
            Actor::Officer { bureau, post, .. } => (Some(bureau.to_string()), Some(*post), None),
            Actor::Auditor { .. } | Actor::System => (None, None, None),
        };
        let claims = Claims {
            iss: ISSUER.into(),
            sub: actor.subject().into(),
            role: actor.role().into(),
            bureau,
            post,
            credit_code,
            iat: now.timestamp(),
            exp: (now + valid_for).timestamp(),
            jti: uuid::Uuid::now_v7().to_string(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing of plain claims cannot fail")
    }

    /// Takes `ids` as the revoked tokens' (read from the store by the caller).
    pub fn set_revoked(&self, ids: impl IntoIterator<Item = String>) {
        let ids: HashSet<String> = ids.into_iter().collect();
        *self
            .revoked
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = ids;
    }

    fn is_revoked(&self, token_id: &str) -> bool {
        self.revoked
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .contains(token_id)
    }

    /// The id of a valid token, to revoke it by.
    pub fn token_id(&self, token: &str) -> Result<String, AuthError> {
        Ok(self.claims(token)?.jti)
    }

    /// The actor a token names, if its signature, issuer, times and claims are valid and it
    /// was not revoked.
    pub fn verify(&self, token: &str) -> Result<Actor, AuthError> {
        let claims = self.claims(token)?;
        if self.is_revoked(&claims.jti) {
            return Err(AuthError::Invalid(format!(
                "the token {} was revoked",
                claims.jti
            )));
        }
        let actor = actor_from(claims).map_err(AuthError::Invalid)?;
        if let Actor::Officer { bureau, .. } = &actor {
            if !self.knows(bureau) {
                return Err(AuthError::Invalid(format!(
                    "bureau {bureau} is not one of this jurisdiction's"
                )));
            }
        }
        Ok(actor)
    }

    /// The claims of a token whose signature, issuer and times are valid.
    fn claims(&self, token: &str) -> Result<Claims, AuthError> {
        refuse_critical_parameters(token).map_err(AuthError::Invalid)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub", "jti"]);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|e| AuthError::Invalid(e.to_string()))?
            .claims;
        if claims.iat > Utc::now().timestamp() + LEEWAY_SECONDS as i64 {
            return Err(AuthError::Invalid(
                "the token was issued in the future".into(),
            ));
        }
        Ok(claims)
    }

    /// The actor named in an `Authorization` header value.
    pub fn authenticate(&self, header: Option<&str>) -> Result<Actor, AuthError> {
        let header = header.ok_or(AuthError::Missing)?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or(AuthError::Missing)?;
        self.verify(token.trim())
    }
}

/// A token whose header names critical parameters (`crit`, RFC 7515 4.1.11) must be refused
/// by a recipient that does not understand them, and none is understood here.
fn refuse_critical_parameters(token: &str) -> Result<(), String> {
    let header = token.split('.').next().unwrap_or_default();
    let header = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|e| format!("the token's header is not base64url: {e}"))?;
    let header: serde_json::Value = serde_json::from_slice(&header)
        .map_err(|e| format!("the token's header is not JSON: {e}"))?;
    match header.get("crit") {
        Some(_) => {
            Err("the token names critical header parameters this server does not understand".into())
        }
        None => Ok(()),
    }
}

fn actor_from(claims: Claims) -> Result<Actor, String> {
    if claims.sub.trim().is_empty() {
        return Err("empty subject".into());
    }
    let subject = claims.sub;
    match claims.role.as_str() {
        "applicant" => {
            let code = claims
                .credit_code
                .ok_or("an applicant token needs credit_code")?;
            let credit_code = CreditCode::parse(&code).map_err(|e| e.to_string())?;
            Ok(Actor::Applicant {
                subject,
                credit_code,
            })
        }
        "officer" => {
            let bureau = claims.bureau.ok_or("an officer token needs bureau")?;
            let bureau = BureauCode::parse(&bureau).map_err(|e| e.to_string())?;
            let post = claims.post.ok_or("an officer token needs post")?;
            Ok(Actor::Officer {
                subject,
                bureau,
                post,
            })
        }
        "auditor" => Ok(Actor::Auditor { subject }),
        other => Err(format!("unknown role {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn officer() -> Actor {
        Actor::Officer {
            subject: "zhang".into(),
            bureau: BureauCode::parse("370100").unwrap(),
            post: Post::Acceptor,
        }
    }

    #[test]
    fn a_token_names_the_actor_it_was_issued_for() {
        let keys = TokenKeys::from_secret(&[7; 32]);
        let token = keys.issue(&officer(), Utc::now(), Duration::days(1));
        assert_eq!(keys.verify(&token).unwrap(), officer());
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let token =
            TokenKeys::from_secret(&[1; 32]).issue(&officer(), Utc::now(), Duration::days(1));
        assert!(TokenKeys::from_secret(&[2; 32]).verify(&token).is_err());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let keys = TokenKeys::from_secret(&[7; 32]);
        let token = keys.issue(
            &officer(),
            Utc::now() - Duration::days(2),
            Duration::days(1),
        );
        assert!(keys.verify(&token).is_err());
    }

    /// A token signed with `keys`' secret ([7; 32]) with these claims and header fields.
    fn signed(claims: serde_json::Value, header: serde_json::Value) -> String {
        let mut full = serde_json::json!({"alg": "HS256", "typ": "JWT"});
        for (k, v) in header.as_object().unwrap() {
            full[k] = v.clone();
        }
        let encode = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let signing_input = format!("{}.{}", encode(&full), encode(&claims));
        let signature = jsonwebtoken::crypto::sign(
            signing_input.as_bytes(),
            &EncodingKey::from_secret(&[7; 32]),
            Algorithm::HS256,
        )
        .unwrap();
        format!("{signing_input}.{signature}")
    }

    fn officer_claims(offsets: (i64, i64)) -> serde_json::Value {
        let now = Utc::now().timestamp();
        serde_json::json!({
            "iss": "permit-ledger", "sub": "zhang", "role": "officer",
            "bureau": "370100", "post": "acceptor",
            "iat": now + offsets.0, "exp": now + offsets.1,
            "jti": "0190f5c4-7a5e-7000-8000-000000000001",
        })
    }

    #[test]
    fn a_token_without_an_id_or_with_a_revoked_one_is_refused() {
        let keys = TokenKeys::from_secret(&[7; 32]);
        let none = serde_json::json!({});
        let mut anonymous = officer_claims((0, 3600));
        anonymous.as_object_mut().unwrap().remove("jti");
        assert!(keys.verify(&signed(anonymous, none.clone())).is_err());
        let token = signed(officer_claims((0, 3600)), none);
        assert!(keys.verify(&token).is_ok());
        keys.set_revoked(["0190f5c4-7a5e-7000-8000-000000000001".to_owned()]);
        let refused = keys.verify(&token).unwrap_err().to_string();
        assert!(refused.contains("was revoked"), "{refused}");
        keys.set_revoked([]);
        assert!(keys.verify(&token).is_ok());
    }

    #[test]
    fn times_are_checked_with_seconds_of_leeway_not_a_minute() {
        let keys = TokenKeys::from_secret(&[7; 32]);
        let none = serde_json::json!({});
        assert!(keys
            .verify(&signed(officer_claims((0, 3600)), none.clone()))
            .is_ok());
        let expired = signed(officer_claims((-3600, -30)), none.clone());
        assert!(keys.verify(&expired).is_err(), "expired 30 s ago");
        let from_the_future = signed(officer_claims((600, 3600)), none.clone());
        assert!(
            keys.verify(&from_the_future).is_err(),
            "issued in 10 minutes"
        );
        let mut not_yet = officer_claims((0, 3600));
        not_yet["nbf"] = serde_json::json!(Utc::now().timestamp() + 600);
        assert!(
            keys.verify(&signed(not_yet, none)).is_err(),
            "not valid before 10 minutes"
        );
    }

    #[test]
    fn a_critical_header_parameter_is_refused() {
        let keys = TokenKeys::from_secret(&[7; 32]);
        let crit = serde_json::json!({"crit": ["exp"], "exp": 1});
        let error = keys
            .verify(&signed(officer_claims((0, 3600)), crit))
            .unwrap_err();
        assert!(error.to_string().contains("critical"), "{error}");
    }

    #[test]
    fn an_officer_of_a_bureau_outside_the_jurisdiction_is_refused() {
        let keys = TokenKeys::from_secret(&[7; 32])
            .for_jurisdiction(domain::catalogue::Catalogue::bundled().jurisdiction());
        let at = |bureau: &str| Actor::Officer {
            subject: "zhang".into(),
            bureau: BureauCode::parse(bureau).unwrap(),
            post: Post::Acceptor,
        };
        for known in ["370000", "370100", "370102"] {
            let token = keys.issue(&at(known), Utc::now(), Duration::days(1));
            assert!(keys.verify(&token).is_ok(), "{known}");
        }
        for unknown in ["990000", "990100", "110100"] {
            let token = keys.issue(&at(unknown), Utc::now(), Duration::days(1));
            assert!(keys.verify(&token).is_err(), "{unknown}");
        }
    }

    #[test]
    fn the_secret_is_made_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("pl-auth-{}", std::process::id()));
        let first = TokenKeys::load_or_create(&dir).unwrap();
        let token = first.issue(&officer(), Utc::now(), Duration::days(1));
        let second = TokenKeys::load_or_create(&dir).unwrap();
        assert_eq!(second.verify(&token).unwrap(), officer());
        fs::remove_dir_all(dir).unwrap();
    }
}
