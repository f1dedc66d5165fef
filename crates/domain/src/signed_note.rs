//! C2SP signed notes (https://c2sp.org/signed-note): a UTF-8 text followed by one or more
//! signature lines, the format in which the transparency log publishes its checkpoints and in
//! which Go's checksum database, Sigstore and Sigsum publish theirs, so that their verifiers
//! (Go's `golang.org/x/mod/sumdb/note` among them) can check ours.
//!
//! ```text
//! gongkai.local/log
//! 3
//! mad5UFvLh6Ci0vZtEfrY6LO4rG5eW5WB7GNGYd9cCJk=
//!
//! — gongkai.local/log Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
//! ```
//!
//! Only Ed25519 signatures (signature type 0x01) are made and checked. Signing and verifying
//! are pure functions of bytes: this module never generates a key, reads a file or a clock —
//! the service layer draws the seed from the operating system and keeps it in the data
//! directory. Ed25519 signatures are deterministic (RFC 8032 §5.1.6), so every process holding
//! the same key signs the same tree head with byte-identical notes.
//!
//! Keys travel in the text forms of Go's `note` package: the verifier key
//! `<name>+<key id>+<base64(0x01 ‖ public key)>` and the signer key
//! `PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖ seed)>`, so a key generated here can be used
//! with Go's tools and the other way round.

use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::tlog::{base64_decode, base64_encode};

/// The signature type byte of Ed25519 in key ids and encoded keys (C2SP signed-note,
/// "Signature types").
pub const SIGNATURE_TYPE_ED25519: u8 = 0x01;
/// The longest key name accepted; a name is a schema-less URL such as `gongkai.local/log`.
pub const KEY_NAME_BYTES_MAX: usize = 256;
/// The longest note accepted, text and signatures together; a checkpoint is a few hundred
/// bytes.
pub const NOTE_BYTES_MAX: usize = 64 * 1024;
/// The most signature lines a note may carry (Go's `note` package refuses more than 100).
pub const NOTE_SIGNATURES_MAX: usize = 100;
/// An Ed25519 public key or seed is 32 bytes.
pub const ED25519_KEY_BYTES: usize = 32;

/// The prefix of a signer key in Go's text form; it makes the secret recognisable as such.
const PRIVATE_KEY_PREFIX: &str = "PRIVATE+KEY+";
/// A signature line starts with an em dash and a space (C2SP signed-note, "Signatures").
const SIGNATURE_LINE_PREFIX: &str = "\u{2014} ";

/// Why a key or a note is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("a key name is 1 to {KEY_NAME_BYTES_MAX} bytes without whitespace or plus sign")]
    InvalidKeyName,
    #[error("the key is not in the form name+keyid+base64(type ‖ key)")]
    MalformedKey,
    #[error("the key's type is not Ed25519")]
    UnsupportedKeyType,
    #[error("the key id does not match the key's name and public key")]
    KeyIdMismatch,
    #[error("the bytes are not an Ed25519 public key")]
    InvalidPublicKey,
    #[error("a note's text is non-empty, ends with a newline and holds no other control character")]
    InvalidText,
    #[error("a note is at most {NOTE_BYTES_MAX} bytes")]
    NoteTooLong,
    #[error("the note has no signature block after a blank line")]
    MissingSignatures,
    #[error("a signature line is malformed")]
    MalformedSignature,
    #[error("a note carries at most {NOTE_SIGNATURES_MAX} signatures")]
    TooManySignatures,
    #[error("the note is not signed by the expected key")]
    UnverifiedNote,
    #[error("a signature by the expected key does not verify")]
    InvalidSignature,
}

impl NoteError {
    /// A stable code for logs and API errors.
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidKeyName => "note_invalid_key_name",
            Self::MalformedKey => "note_malformed_key",
            Self::UnsupportedKeyType => "note_unsupported_key_type",
            Self::KeyIdMismatch => "note_key_id_mismatch",
            Self::InvalidPublicKey => "note_invalid_public_key",
            Self::InvalidText => "note_invalid_text",
            Self::NoteTooLong => "note_too_long",
            Self::MissingSignatures => "note_missing_signatures",
            Self::MalformedSignature => "note_malformed_signature",
            Self::TooManySignatures => "note_too_many_signatures",
            Self::UnverifiedNote => "note_unverified",
            Self::InvalidSignature => "note_invalid_signature",
        }
    }
}

/// The key id of an Ed25519 key: the first four bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public
/// key) (C2SP signed-note, "Signatures"). It binds the name to the key, so a signature cannot be
/// relabelled with another log's name.
pub fn key_id(name: &str, public_key: &[u8; ED25519_KEY_BYTES]) -> [u8; 4] {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update([b'\n', SIGNATURE_TYPE_ED25519]);
    hasher.update(public_key);
    let digest = hasher.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// Checks a key name: non-empty, no Unicode whitespace and no `+` (the separator of the key
/// text forms), and no control character, as C2SP signed-note requires.
pub fn check_key_name(name: &str) -> Result<(), NoteError> {
    let acceptable = !name.is_empty()
        && name.len() <= KEY_NAME_BYTES_MAX
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '+');
    if acceptable {
        Ok(())
    } else {
        Err(NoteError::InvalidKeyName)
    }
}

fn key_id_hex(id: [u8; 4]) -> String {
    format!("{:08x}", u32::from_be_bytes(id))
}

/// Splits `name+keyid+base64` (the key id as eight lowercase hexadecimal digits) and checks
/// the name, the encoding and the Ed25519 type byte; returns the name, the id and the 32 key
/// bytes.
fn split_key_text(text: &str) -> Result<(&str, [u8; 4], [u8; ED25519_KEY_BYTES]), NoteError> {
    // The base64 key may itself contain `+`, so only the first two are separators (as in Go).
    let mut parts = text.splitn(3, '+');
    let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(NoteError::MalformedKey);
    };
    check_key_name(name)?;
    let id_is_hex = id.len() == 8 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !id_is_hex {
        return Err(NoteError::MalformedKey);
    }
    let id = u32::from_str_radix(id, 16)
        .map_err(|_| NoteError::MalformedKey)?
        .to_be_bytes();
    let bytes = base64_decode(key).map_err(|_| NoteError::MalformedKey)?;
    let (&key_type, key_bytes) = bytes.split_first().ok_or(NoteError::MalformedKey)?;
    if key_type != SIGNATURE_TYPE_ED25519 {
        return Err(NoteError::UnsupportedKeyType);
    }
    let key_bytes: [u8; ED25519_KEY_BYTES] =
        key_bytes.try_into().map_err(|_| NoteError::MalformedKey)?;
    Ok((name, id, key_bytes))
}

fn encode_key(type_and_key: [u8; 1 + ED25519_KEY_BYTES]) -> String {
    base64_encode(&type_and_key)
}

fn with_type(key: [u8; ED25519_KEY_BYTES]) -> [u8; 1 + ED25519_KEY_BYTES] {
    let mut out = [0u8; 1 + ED25519_KEY_BYTES];
    out[0] = SIGNATURE_TYPE_ED25519;
    out[1..].copy_from_slice(&key);
    out
}

/// A key that signs notes under a name. Its `Debug` never shows the secret.
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    id: [u8; 4],
    key: SigningKey,
}

impl fmt::Debug for NoteSigner {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("NoteSigner")
            .field("name", &self.name)
            .field("key_id", &key_id_hex(self.id))
            .finish_non_exhaustive()
    }
}

impl NoteSigner {
    /// The signer for `name` whose Ed25519 secret key is the 32-byte `seed` (RFC 8032 §5.1.5).
    /// The seed must come from a secure random source; this crate never draws one.
    pub fn from_seed(name: &str, seed: [u8; ED25519_KEY_BYTES]) -> Result<Self, NoteError> {
        check_key_name(name)?;
        let key = SigningKey::from_bytes(&seed);
        let id = key_id(name, &key.verifying_key().to_bytes());
        Ok(Self {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// Parses a signer key in Go's text form `PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖
    /// seed)>`, checking that the key id belongs to the name and the key.
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let rest = text
            .strip_prefix(PRIVATE_KEY_PREFIX)
            .ok_or(NoteError::MalformedKey)?;
        let (name, id, seed) = split_key_text(rest)?;
        let signer = Self::from_seed(name, seed)?;
        if signer.id != id {
            return Err(NoteError::KeyIdMismatch);
        }
        Ok(signer)
    }

    /// The signer key in Go's text form, the inverse of [`NoteSigner::parse`]. It is the secret:
    /// write it only to the key file.
    pub fn to_private_text(&self) -> String {
        format!(
            "{PRIVATE_KEY_PREFIX}{}+{}+{}",
            self.name,
            key_id_hex(self.id),
            encode_key(with_type(self.key.to_bytes()))
        )
    }

    /// The key's name, which is also the origin line of the log's checkpoints.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id (see [`key_id`]).
    pub fn key_id(&self) -> [u8; 4] {
        self.id
    }

    /// The matching verifier, to publish.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            id: self.id,
            key: self.key.verifying_key(),
        }
    }

    /// Signs `text` and returns the whole note: the text, a blank line and one signature line
    /// `— <name> <base64(key id ‖ signature)>` (C2SP signed-note). The signature covers exactly
    /// the text's bytes, final newline included.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        check_note_text(text)?;
        let signature = self.key.sign(text.as_bytes()).to_bytes();
        let mut id_and_signature = Vec::with_capacity(4 + signature.len());
        id_and_signature.extend_from_slice(&self.id);
        id_and_signature.extend_from_slice(&signature);
        let note = format!(
            "{text}\n{SIGNATURE_LINE_PREFIX}{} {}\n",
            self.name,
            base64_encode(&id_and_signature)
        );
        if note.len() > NOTE_BYTES_MAX {
            return Err(NoteError::NoteTooLong);
        }
        Ok(note)
    }
}

/// A public key that checks notes signed under a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    id: [u8; 4],
    key: VerifyingKey,
}

impl NoteVerifier {
    /// Parses a verifier key `<name>+<key id>+<base64(0x01 ‖ public key)>` (the `vkey` form of
    /// Go's `note` package), checking that the key id belongs to the name and the key.
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let (name, id, public) = split_key_text(text)?;
        if key_id(name, &public) != id {
            return Err(NoteError::KeyIdMismatch);
        }
        let key = VerifyingKey::from_bytes(&public).map_err(|_| NoteError::InvalidPublicKey)?;
        Ok(Self {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// The verifier key in `vkey` form, the inverse of [`NoteVerifier::parse`].
    pub fn to_vkey(&self) -> String {
        format!(
            "{}+{}+{}",
            self.name,
            key_id_hex(self.id),
            encode_key(with_type(self.key.to_bytes()))
        )
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id (see [`key_id`]).
    pub fn key_id(&self) -> [u8; 4] {
        self.id
    }

    /// The raw 32-byte Ed25519 public key.
    pub fn public_key(&self) -> [u8; ED25519_KEY_BYTES] {
        self.key.to_bytes()
    }

    /// Checks `note` and returns its text (final newline included) when it carries a valid
    /// signature by this key (Go's `note.Open` with one known verifier).
    ///
    /// Signatures by other keys are skipped, as C2SP signed-note lets a verifier ignore keys it
    /// does not know (a witness may have cosigned). A signature line that names this key and
    /// carries its key id but does not verify fails the note instead of being skipped, so a
    /// forged line cannot hide behind a good one.
    pub fn open<'note>(&self, note: &'note str) -> Result<&'note str, NoteError> {
        if note.len() > NOTE_BYTES_MAX {
            return Err(NoteError::NoteTooLong);
        }
        // The text ends at the last blank line; everything after it is signatures.
        let split = note.rfind("\n\n").ok_or(NoteError::MissingSignatures)?;
        let (text, signatures) = (&note[..=split], &note[split + 2..]);
        check_note_text(text)?;
        let signatures = signatures
            .strip_suffix('\n')
            .ok_or(NoteError::MalformedSignature)?;
        let mut verified = false;
        for (count, line) in signatures.split('\n').enumerate() {
            if count == NOTE_SIGNATURES_MAX {
                return Err(NoteError::TooManySignatures);
            }
            let (name, id, signature) = parse_signature_line(line)?;
            if name != self.name || id != self.id {
                continue;
            }
            let signature: [u8; 64] = signature
                .try_into()
                .map_err(|_| NoteError::InvalidSignature)?;
            // Strict verification (no small-order keys, canonical R and S), as Go's
            // crypto/ed25519 refuses non-canonical S too.
            self.key
                .verify_strict(text.as_bytes(), &Signature::from_bytes(&signature))
                .map_err(|_| NoteError::InvalidSignature)?;
            verified = true;
        }
        if verified {
            Ok(text)
        } else {
            Err(NoteError::UnverifiedNote)
        }
    }
}

/// A note's text: non-empty, ending in a newline, and without control characters other than
/// newline (C2SP signed-note, "Note text").
fn check_note_text(text: &str) -> Result<(), NoteError> {
    let acceptable = text.ends_with('\n')
        && !text.chars().any(|c| c != '\n' && c.is_control())
        && text.len() <= NOTE_BYTES_MAX;
    if acceptable {
        Ok(())
    } else {
        Err(NoteError::InvalidText)
    }
}

/// Splits `— <name> <base64(key id ‖ signature)>` into the name, the key id and the signature
/// bytes.
fn parse_signature_line(line: &str) -> Result<(&str, [u8; 4], Vec<u8>), NoteError> {
    let rest = line
        .strip_prefix(SIGNATURE_LINE_PREFIX)
        .ok_or(NoteError::MalformedSignature)?;
    let (name, encoded) = rest.split_once(' ').ok_or(NoteError::MalformedSignature)?;
    check_key_name(name).map_err(|_| NoteError::MalformedSignature)?;
    let bytes = base64_decode(encoded).map_err(|_| NoteError::MalformedSignature)?;
    if bytes.len() <= 4 {
        return Err(NoteError::MalformedSignature);
    }
    let (id, signature) = bytes.split_at(4);
    let id: [u8; 4] = id.try_into().map_err(|_| NoteError::MalformedSignature)?;
    Ok((name, id, signature.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key pair and signed note of Go's `golang.org/x/mod/sumdb/note` tests (`TestSign`),
    /// so that this implementation is checked against an independent one.
    const GO_SIGNER: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const GO_VERIFIER: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                           then you don't know what your problem is.\n";
    const GO_SIGNATURE_LINE: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    fn checkpoint_text() -> &'static str {
        "gongkai.local/log\n3\nmad5UFvLh6Ci0vZtEfrY6LO4rG5eW5WB7GNGYd9cCJk=\n"
    }

    fn signer() -> NoteSigner {
        NoteSigner::from_seed("gongkai.local/log", [7u8; 32]).unwrap()
    }

    #[test]
    fn go_note_vectors_sign_and_verify_alike() {
        let signer = NoteSigner::parse(GO_SIGNER).unwrap();
        assert_eq!(signer.to_private_text(), GO_SIGNER);
        assert_eq!(signer.verifier().to_vkey(), GO_VERIFIER);
        let note = signer.sign(GO_TEXT).unwrap();
        assert_eq!(note, format!("{GO_TEXT}\n{GO_SIGNATURE_LINE}"));
        let verifier = NoteVerifier::parse(GO_VERIFIER).unwrap();
        assert_eq!(verifier.open(&note).unwrap(), GO_TEXT);
    }

    #[test]
    fn key_id_is_the_first_four_bytes_of_the_named_key_digest() {
        let verifier = signer().verifier();
        let mut preimage = b"gongkai.local/log\n\x01".to_vec();
        preimage.extend_from_slice(&verifier.public_key());
        let digest = Sha256::digest(&preimage);
        assert_eq!(
            verifier.key_id(),
            [digest[0], digest[1], digest[2], digest[3]]
        );
        let vkey = verifier.to_vkey();
        assert!(vkey.starts_with(&format!(
            "gongkai.local/log+{:02x}{:02x}{:02x}{:02x}+",
            digest[0], digest[1], digest[2], digest[3]
        )));
        assert_eq!(NoteVerifier::parse(&vkey).unwrap(), verifier);
    }

    #[test]
    fn a_signed_checkpoint_verifies_with_the_published_key() {
        let note = signer().sign(checkpoint_text()).unwrap();
        let published = NoteVerifier::parse(&signer().verifier().to_vkey()).unwrap();
        assert_eq!(published.open(&note).unwrap(), checkpoint_text());
        // Ed25519 is deterministic: a second signature over the same text is the same note.
        assert_eq!(signer().sign(checkpoint_text()).unwrap(), note);
    }

    #[test]
    fn every_tampering_fails_verification() {
        let note = signer().sign(checkpoint_text()).unwrap();
        let verifier = signer().verifier();
        let tampered = [
            // Another tree size.
            note.replacen("\n3\n", "\n4\n", 1),
            // Another root hash.
            note.replacen("mad5", "mad6", 1),
            // Another origin in the text, the signature line unchanged.
            note.replacen("gongkai.local/log\n3", "gongkai.local/lag\n3", 1),
            // A flipped signature byte.
            {
                let line_start = note.rfind('\u{2014}').unwrap();
                let mut bytes = note.clone().into_bytes();
                let position = line_start + "\u{2014} gongkai.local/log ".len() + 20;
                bytes[position] = if bytes[position] == b'A' { b'B' } else { b'A' };
                String::from_utf8(bytes).unwrap()
            },
        ];
        for (case, tampered) in tampered.iter().enumerate() {
            assert_ne!(tampered, &note, "case {case} changed nothing");
            assert!(verifier.open(tampered).is_err(), "case {case} verified");
        }
        // A signature by another key under the same name is skipped, so the note is unverified.
        let other = NoteSigner::from_seed("gongkai.local/log", [8u8; 32]).unwrap();
        assert_eq!(
            verifier.open(&other.sign(checkpoint_text()).unwrap()),
            Err(NoteError::UnverifiedNote)
        );
        // A good signature does not excuse a bad one by the same key.
        let good = signer().sign(checkpoint_text()).unwrap();
        let bad_line = signer()
            .sign(&checkpoint_text().replacen("\n3\n", "\n4\n", 1))
            .unwrap()
            .split_once("\n\n")
            .unwrap()
            .1
            .to_owned();
        let forged = format!("{good}{bad_line}");
        assert_eq!(verifier.open(&forged), Err(NoteError::InvalidSignature));
    }

    #[test]
    fn malformed_keys_and_notes_are_refused() {
        let vkey = signer().verifier().to_vkey();
        for bad in [
            "",
            "gongkai.local/log",
            "gongkai.local/log+00000000+AQ==",
            "has space+00000000+AQ==",
            &vkey.replacen("+", "+0", 1),
            &format!("{vkey}+extra"),
        ] {
            assert!(NoteVerifier::parse(bad).is_err(), "{bad:?} parsed");
        }
        // Another name with the same public key has another key id.
        let renamed = vkey.replacen("gongkai.local/log", "gongkai.local/other", 1);
        assert_eq!(NoteVerifier::parse(&renamed), Err(NoteError::KeyIdMismatch));
        assert!(NoteSigner::parse(&vkey).is_err());
        assert!(NoteSigner::from_seed("bad+name", [1u8; 32]).is_err());
        let verifier = signer().verifier();
        for bad in [
            "",
            "no blank line\n",
            "text\n\n",
            "text\n\nnot a signature\n",
            "text\n\n\u{2014} gongkai.local/log AAAA\n",
        ] {
            assert!(verifier.open(bad).is_err(), "{bad:?} opened");
        }
        assert_eq!(
            signer().sign("no final newline"),
            Err(NoteError::InvalidText)
        );
        assert_eq!(signer().sign("bell\u{7}\n"), Err(NoteError::InvalidText));
    }

    #[test]
    fn the_secret_never_shows_in_debug_output() {
        let signer = signer();
        let secret = signer.to_private_text();
        let encoded = secret.rsplit('+').next().unwrap();
        assert!(!format!("{signer:?}").contains(encoded));
    }
}
