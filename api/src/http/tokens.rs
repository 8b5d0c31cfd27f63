//! Bearer tokens: JWTs signed by the server (HS256, secret kept in the data directory) that
//! carry the role: applicant with its credit code, officer with bureau and post, auditor.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use domain::values::{BureauCode, CreditCode};
use domain::{Actor, Post};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};

const ISSUER: &str = "permit-ledger";
const SECRET_FILE: &str = "token-secret";

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
        }
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
            Actor::Auditor { .. } => (None, None, None),
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
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing of plain claims cannot fail")
    }

    /// The actor a token names, if its signature, issuer, expiry and claims are valid.
    pub fn verify(&self, token: &str) -> Result<Actor, AuthError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|e| AuthError::Invalid(e.to_string()))?
            .claims;
        actor_from(claims).map_err(AuthError::Invalid)
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
