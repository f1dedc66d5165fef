//! A local SMTP sink: a real SMTP server on 127.0.0.1 that accepts every message and keeps it,
//! so mail tests exercise the actual protocol conversation of the SMTP client.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as received: the envelope and the raw DATA.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

#[derive(Clone, Default)]
pub struct SmtpSink {
    pub port: u16,
    messages: Arc<Mutex<Vec<ReceivedMail>>>,
    /// When set, the sink answers every RCPT with a temporary failure (to test retries).
    refuse: Arc<Mutex<bool>>,
}

impl SmtpSink {
    /// Starts the sink on a free port.
    pub async fn start() -> anyhow::Result<SmtpSink> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let sink = SmtpSink {
            port: listener.local_addr()?.port(),
            ..SmtpSink::default()
        };
        let shared = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let _ = shared.serve(stream).await;
                });
            }
        });
        Ok(sink)
    }

    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.messages.lock().map(|m| m.clone()).unwrap_or_default()
    }

    pub fn set_refusing(&self, refuse: bool) {
        if let Ok(mut r) = self.refuse.lock() {
            *r = refuse;
        }
    }

    async fn serve(&self, stream: tokio::net::TcpStream) -> anyhow::Result<()> {
        let (read, mut write) = stream.into_split();
        let mut reader = BufReader::new(read);
        write.write_all(b"220 gongkai-test-sink ESMTP\r\n").await?;
        let mut from = String::new();
        let mut to = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_string();
            let upper = command.to_ascii_uppercase();
            if upper.starts_with("EHLO") {
                write
                    .write_all(b"250-gongkai-test-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    .await?;
            } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
                write.write_all(b"250 ok\r\n").await?;
            } else if upper.starts_with("RSET") {
                from.clear();
                to.clear();
                write.write_all(b"250 ok\r\n").await?;
            } else if upper.starts_with("MAIL FROM:") {
                from = command[10..].trim().to_string();
                write.write_all(b"250 ok\r\n").await?;
            } else if upper.starts_with("RCPT TO:") {
                let refusing = self.refuse.lock().map(|r| *r).unwrap_or(false);
                if refusing {
                    write.write_all(b"451 try again later\r\n").await?;
                } else {
                    to.push(command[8..].trim().to_string());
                    write.write_all(b"250 ok\r\n").await?;
                }
            } else if upper == "DATA" {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if reader.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(
                        line.strip_prefix('.')
                            .filter(|_| line.starts_with(".."))
                            .unwrap_or(&line),
                    );
                }
                if let Ok(mut messages) = self.messages.lock() {
                    messages.push(ReceivedMail {
                        from: from.clone(),
                        to: std::mem::take(&mut to),
                        data,
                    });
                }
                write.write_all(b"250 queued\r\n").await?;
            } else if upper == "QUIT" {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else {
                write.write_all(b"502 not implemented\r\n").await?;
            }
        }
    }
}
