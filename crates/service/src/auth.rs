//! Registration, login, sessions, password changes and API tokens, with the security log.
//!
//! Login attempts are throttled twice, and both counters live in the database so that a
//! restart does not reset them: per network address (many failures from one place) and per
//! account (consecutive wrong passwords lock the account for a while).

use crate::{PasswordHashing, ServiceError, ServiceResult, Services, random_hex, sha256_hex};
use argon2::{
    Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version,
    password_hash::phc::PasswordHash,
};
use gongkai_domain::account::{
    LoginIdentifier, LoginThrottlePolicy, RegistrationInput, Role, check_new_password,
    validate_registration,
};
use gongkai_store::{AccountRow, RoleAssignmentRow, SecurityEventRow, SessionRow};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// One role an account holds, with its scope. `agency_id == None` means installation-wide
/// (only meaningful for system administrators and applicants).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGrant {
    pub id: Uuid,
    pub role: Role,
    pub agency_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
}

/// Who is acting: a signed-in account with its roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub account_id: Uuid,
    pub display_name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub is_staff: bool,
    pub grants: Vec<RoleGrant>,
}

impl Actor {
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// An installation-wide administrator manages every agency.
    pub fn is_installation_administrator(&self) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == Role::SystemAdministrator && g.agency_id.is_none())
    }

    /// The agencies in which this actor holds `role` (an installation-wide grant is `None`).
    pub fn agencies_with_role(&self, role: Role) -> Vec<Option<Uuid>> {
        self.grants
            .iter()
            .filter(|g| g.role == role)
            .map(|g| g.agency_id)
            .collect()
    }

    pub fn login_label(&self) -> &str {
        self.email
            .as_deref()
            .or(self.mobile.as_deref())
            .unwrap_or("")
    }
}

/// A new session: the raw token goes into the cookie and is never stored; the database keeps
/// only its SHA-256 digest, so a leaked database does not leak live sessions.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub actor: Actor,
    pub expires_at: OffsetDateTime,
}

/// Where a request came from, for throttling and the security log.
#[derive(Debug, Clone, Default)]
pub struct RequestOrigin {
    pub address: String,
    pub user_agent: String,
}

/// The most bytes of a User-Agent header kept with a session.
const USER_AGENT_LENGTH_MAX_BYTES: usize = 200;

pub(crate) async fn hash_password(
    params: PasswordHashing,
    password: &str,
) -> ServiceResult<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let params = Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            None,
        )
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
        let hash = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(password.as_bytes())
            .map_err(|e| anyhow::anyhow!("argon2 hashing: {e}"))?;
        Ok::<String, anyhow::Error>(hash.to_string())
    })
    .await
    .map_err(|e| anyhow::anyhow!("hashing task: {e}"))?
    .map_err(ServiceError::Unexpected)
}

async fn verify_password(phc: &str, password: &str) -> ServiceResult<bool> {
    let phc = phc.to_string();
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        // The parameters come from the stored hash itself, so old hashes keep verifying after
        // the configured cost changes.
        let parsed = PasswordHash::new(&phc).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        Ok::<bool, anyhow::Error>(
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
        )
    })
    .await
    .map_err(|e| anyhow::anyhow!("verify task: {e}"))?
    .map_err(ServiceError::Unexpected)
}

fn truncate_user_agent(user_agent: &str) -> String {
    let mut end = user_agent.len().min(USER_AGENT_LENGTH_MAX_BYTES);
    while !user_agent.is_char_boundary(end) {
        end -= 1;
    }
    user_agent[..end].to_string()
}

impl Services {
    /// Appends to the security log. Details must never hold passwords or tokens.
    pub async fn record_security_event(
        &self,
        kind: &str,
        account_id: Option<Uuid>,
        actor_id: Option<Uuid>,
        origin: &RequestOrigin,
        detail: serde_json::Value,
    ) -> ServiceResult<()> {
        self.db
            .security_event_insert(&SecurityEventRow {
                id: Uuid::now_v7(),
                occurred_at: self.clock.now(),
                kind: kind.to_string(),
                account_id,
                actor_id,
                address: origin.address.clone(),
                detail: detail.to_string(),
            })
            .await?;
        Ok(())
    }

    /// Registers a member of the public and signs them in.
    pub async fn register(
        &self,
        input: &RegistrationInput<'_>,
        origin: &RequestOrigin,
    ) -> ServiceResult<NewSession> {
        let registration = validate_registration(input)?;
        let mut problems = gongkai_domain::form::FormProblems::new();
        if let Some(email) = &registration.email
            && self.db.account_by_login(email).await?.is_some()
        {
            problems.add("email", "email_taken");
        }
        if let Some(mobile) = &registration.mobile
            && self.db.account_by_login(mobile).await?.is_some()
        {
            problems.add("mobile", "mobile_taken");
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let account_id = self
            .create_account(
                registration.email.as_deref(),
                registration.mobile.as_deref(),
                &registration.display_name,
                &registration.password,
                false,
            )
            .await
            .map_err(|e| match e {
                // Two registrations with the same address raced; the loser hears it plainly.
                ServiceError::Conflict { .. } => ServiceError::invalid("email", "email_taken"),
                other => other,
            })?;
        self.db
            .role_insert(&RoleAssignmentRow {
                id: Uuid::now_v7(),
                account_id,
                role: Role::Applicant.code().to_string(),
                agency_id: None,
                department_id: None,
                created_at: self.clock.now(),
            })
            .await?;
        self.record_security_event(
            "account_registered",
            Some(account_id),
            Some(account_id),
            origin,
            serde_json::json!({}),
        )
        .await?;
        self.start_session(account_id, origin).await
    }

    pub(crate) async fn create_account(
        &self,
        email: Option<&str>,
        mobile: Option<&str>,
        display_name: &str,
        password: &str,
        is_staff: bool,
    ) -> ServiceResult<Uuid> {
        let now = self.clock.now();
        let id = Uuid::now_v7();
        let password_hash = hash_password(self.config.password_hashing, password).await?;
        self.db
            .account_insert(&AccountRow {
                id,
                email: email.map(str::to_string),
                mobile: mobile.map(str::to_string),
                display_name: display_name.to_string(),
                password_hash,
                is_staff,
                is_active: true,
                failed_login_count: 0,
                locked_until: None,
                created_at: now,
                password_changed_at: now,
            })
            .await?;
        Ok(id)
    }

    /// Checks an identifier and password, applying both throttles, and starts a session.
    pub async fn login(
        &self,
        identifier: &str,
        password: &str,
        origin: &RequestOrigin,
    ) -> ServiceResult<NewSession> {
        let mut problems = gongkai_domain::form::FormProblems::new();
        if identifier.trim().is_empty() {
            problems.add("identifier", "required");
        }
        if password.is_empty() {
            problems.add("password", "required");
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let policy: LoginThrottlePolicy = self.config.login_throttle;
        let now = self.clock.now();
        let failures = self
            .db
            .login_failures_since(&origin.address, now - policy.address_window)
            .await?;
        if !policy.address_allowed(u32::try_from(failures).unwrap_or(u32::MAX)) {
            self.record_security_event(
                "login_rate_limited",
                None,
                None,
                origin,
                serde_json::json!({ "failures_in_window": failures }),
            )
            .await?;
            return Err(ServiceError::RateLimited {
                retry_after_seconds: policy.address_window.whole_seconds().unsigned_abs(),
            });
        }
        let normalised = LoginIdentifier::parse(identifier)
            .map(|i| i.as_str().to_string())
            .unwrap_or_else(|_| identifier.trim().to_lowercase());
        let account = self.db.account_by_login(&normalised).await?;
        let Some(account) = account.filter(|a| a.is_active) else {
            // Hash anyway so that a missing account takes as long as a wrong password.
            let _ = hash_password(self.config.password_hashing, password).await?;
            self.db
                .login_attempt_insert(&origin.address, &normalised, false, now)
                .await?;
            self.record_security_event(
                "login_failed",
                None,
                None,
                origin,
                serde_json::json!({ "reason": "unknown_account" }),
            )
            .await?;
            return Err(ServiceError::LoginFailed);
        };
        if LoginThrottlePolicy::is_locked(account.locked_until, now) {
            self.db
                .login_attempt_insert(&origin.address, &normalised, false, now)
                .await?;
            self.record_security_event(
                "login_refused_locked",
                Some(account.id),
                None,
                origin,
                serde_json::json!({}),
            )
            .await?;
            return Err(ServiceError::AccountLocked {
                until: account.locked_until.unwrap_or(now),
            });
        }
        if !verify_password(&account.password_hash, password).await? {
            let previous = u32::try_from(account.failed_login_count).unwrap_or(0);
            let outcome = policy.after_failure(previous, now);
            self.db
                .account_set_login_failures(
                    account.id,
                    i64::from(outcome.failed_login_count),
                    outcome.locked_until,
                )
                .await?;
            self.db
                .login_attempt_insert(&origin.address, &normalised, false, now)
                .await?;
            self.record_security_event(
                "login_failed",
                Some(account.id),
                None,
                origin,
                serde_json::json!({ "reason": "wrong_password" }),
            )
            .await?;
            if let Some(until) = outcome.locked_until {
                self.record_security_event(
                    "account_locked",
                    Some(account.id),
                    None,
                    origin,
                    serde_json::json!({ "until": until.to_string() }),
                )
                .await?;
                return Err(ServiceError::AccountLocked { until });
            }
            return Err(ServiceError::LoginFailed);
        }
        self.db
            .account_set_login_failures(account.id, 0, None)
            .await?;
        self.db
            .login_attempt_insert(&origin.address, &normalised, true, now)
            .await?;
        self.record_security_event(
            "login_succeeded",
            Some(account.id),
            Some(account.id),
            origin,
            serde_json::json!({}),
        )
        .await?;
        self.start_session(account.id, origin).await
    }

    async fn start_session(
        &self,
        account_id: Uuid,
        origin: &RequestOrigin,
    ) -> ServiceResult<NewSession> {
        let now = self.clock.now();
        let token = random_hex(32)?;
        let expires_at = now + Duration::minutes(self.config.session_idle_minutes);
        self.db
            .session_insert(&SessionRow {
                token_sha256: sha256_hex(token.as_bytes()),
                account_id,
                created_at: now,
                last_seen_at: now,
                expires_at,
                user_agent: truncate_user_agent(&origin.user_agent),
            })
            .await?;
        let actor = self
            .actor(account_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(NewSession {
            token,
            actor,
            expires_at,
        })
    }

    /// Loads an account with its roles.
    pub async fn actor(&self, account_id: Uuid) -> ServiceResult<Option<Actor>> {
        let Some(account) = self.db.account_get(account_id).await? else {
            return Ok(None);
        };
        if !account.is_active {
            return Ok(None);
        }
        let grants = self
            .db
            .role_list_for_account(account_id)
            .await?
            .into_iter()
            .filter_map(|row| {
                Role::parse(&row.role).map(|role| RoleGrant {
                    id: row.id,
                    role,
                    agency_id: row.agency_id,
                    department_id: row.department_id,
                })
            })
            .collect();
        Ok(Some(Actor {
            account_id,
            display_name: account.display_name,
            email: account.email,
            mobile: account.mobile,
            is_staff: account.is_staff,
            grants,
        }))
    }

    /// The actor behind a session cookie, sliding the session's expiry forward. At most once a
    /// minute is the expiry written, so browsing does not turn every page view into a write.
    pub async fn session_actor(&self, token: &str) -> ServiceResult<Option<Actor>> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let now = self.clock.now();
        let digest = sha256_hex(token.as_bytes());
        let Some(session) = self.db.session_get_live(&digest, now).await? else {
            return Ok(None);
        };
        if now - session.last_seen_at >= Duration::minutes(1) {
            self.db
                .session_touch(
                    &digest,
                    now,
                    now + Duration::minutes(self.config.session_idle_minutes),
                )
                .await?;
        }
        self.actor(session.account_id).await
    }

    pub async fn logout(&self, token: &str, origin: &RequestOrigin) -> ServiceResult<()> {
        let digest = sha256_hex(token.as_bytes());
        let session = self.db.session_get_live(&digest, self.clock.now()).await?;
        self.db.session_delete(&digest).await?;
        if let Some(session) = session {
            self.record_security_event(
                "logout",
                Some(session.account_id),
                Some(session.account_id),
                origin,
                serde_json::json!({}),
            )
            .await?;
        }
        Ok(())
    }

    /// Changes the actor's own password after checking the current one. Every other session
    /// of the account ends, so a stolen session dies with the old password.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current_token: &str,
        current_password: &str,
        new_password: &str,
        new_password_confirmation: &str,
        origin: &RequestOrigin,
    ) -> ServiceResult<()> {
        let account = self
            .db
            .account_get(actor.account_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let mut problems = gongkai_domain::form::FormProblems::new();
        if current_password.is_empty() {
            problems.add("current_password", "required");
        } else if !verify_password(&account.password_hash, current_password).await? {
            problems.add("current_password", "current_password_wrong");
        }
        if let Err(code) = check_new_password(new_password) {
            problems.add("new_password", code);
        }
        if new_password != new_password_confirmation {
            problems.add("new_password_confirmation", "password_mismatch");
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let hash = hash_password(self.config.password_hashing, new_password).await?;
        self.db
            .account_set_password(actor.account_id, &hash, self.clock.now())
            .await?;
        let keep = sha256_hex(current_token.as_bytes());
        self.db
            .session_delete_for_account(actor.account_id, Some(&keep))
            .await?;
        self.record_security_event(
            "password_changed",
            Some(actor.account_id),
            Some(actor.account_id),
            origin,
            serde_json::json!({}),
        )
        .await
    }

    /// Issues a personal API token for the JSON API. The raw token is shown once.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        name: &str,
        origin: &RequestOrigin,
    ) -> ServiceResult<String> {
        let name = name.trim();
        let problem = if name.is_empty() {
            Some("required")
        } else if name.chars().count() > 100 {
            Some("too_long")
        } else if name.chars().any(char::is_control) {
            Some("invalid_characters")
        } else {
            None
        };
        if let Some(code) = problem {
            return Err(ServiceError::invalid("name", code));
        }
        let token = format!("gk_{}", random_hex(32)?);
        self.db
            .api_token_insert(
                Uuid::now_v7(),
                actor.account_id,
                &sha256_hex(token.as_bytes()),
                name,
                self.clock.now(),
            )
            .await?;
        self.record_security_event(
            "api_token_created",
            Some(actor.account_id),
            Some(actor.account_id),
            origin,
            serde_json::json!({ "name": name }),
        )
        .await?;
        Ok(token)
    }

    /// The actor behind a bearer token.
    pub async fn token_actor(&self, token: &str) -> ServiceResult<Option<Actor>> {
        if !token.starts_with("gk_") || token.len() > 100 {
            return Ok(None);
        }
        match self
            .db
            .api_token_account(&sha256_hex(token.as_bytes()))
            .await?
        {
            Some(account_id) => self.actor(account_id).await,
            None => Ok(None),
        }
    }
}
