//! Outbound e-mail for Gongkai over a real SMTP connection (lettre, rustls).
//!
//! The service layer never sends mail inside a request: it writes notices to the outbox in the
//! same transaction as the change, and a worker hands them to this crate with retries. This
//! crate must never touch the database or know about applications; it only sends one message.

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How to reach the SMTP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    /// `none` (a local relay or test sink), `starttls` or `tls` (implicit TLS, port 465).
    pub security: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `政务公开办 <noreply@example.gov.cn>`.
    pub from: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address {0:?}: {1}")]
    Address(String, String),
    #[error("cannot build the message: {0}")]
    Build(String),
    #[error("SMTP: {0}")]
    Smtp(String),
    #[error("unknown SMTP security {0:?}: use none, starttls or tls")]
    Security(String),
}

/// A configured SMTP client. Cheap to clone; connections are pooled by lettre.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl Mailer {
    pub fn new(settings: &SmtpSettings) -> Result<Mailer, MailError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e: lettre::address::AddressError| {
                MailError::Address(settings.from.clone(), e.to_string())
            })?;
        let tls = |host: &str| {
            TlsParameters::new(host.to_string()).map_err(|e| MailError::Smtp(e.to_string()))
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            .port(settings.port);
        builder = match settings.security.as_str() {
            "none" => builder.tls(Tls::None),
            "starttls" => builder.tls(Tls::Required(tls(&settings.host)?)),
            "tls" => builder.tls(Tls::Wrapper(tls(&settings.host)?)),
            other => return Err(MailError::Security(other.to_string())),
        };
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder =
                builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
                    user.clone(),
                    password.clone(),
                ));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    /// Sends one plain-text message (UTF-8; the subject is RFC 2047 encoded by lettre).
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), MailError> {
        self.send_with_unsubscribe(to, subject, body, None).await
    }

    /// Sends one plain-text message; with `list_unsubscribe` (an https/http URL) it carries
    /// `List-Unsubscribe` (RFC 2369) and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`
    /// (RFC 8058), so mail programs offer a one-click unsubscribe.
    pub async fn send_with_unsubscribe(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        list_unsubscribe: Option<&str>,
    ) -> Result<(), MailError> {
        let to: Mailbox = to.parse().map_err(|e: lettre::address::AddressError| {
            MailError::Address(to.to_string(), e.to_string())
        })?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN);
        if let Some(url) = list_unsubscribe {
            builder = builder
                .header(ListUnsubscribe(format!("<{url}>")))
                .header(ListUnsubscribePost);
        }
        let message = builder
            .body(body.to_string())
            .map_err(|e| MailError::Build(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| MailError::Smtp(e.to_string()))?;
        Ok(())
    }
}

/// The `List-Unsubscribe` header (RFC 2369): the value is `<URL>`.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl lettre::message::header::Header for ListUnsubscribe {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.to_string()))
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// The `List-Unsubscribe-Post` header (RFC 8058) announcing one-click unsubscription.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl lettre::message::header::Header for ListUnsubscribePost {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".into())
    }
}
