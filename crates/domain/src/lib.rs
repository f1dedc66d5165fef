//! The pure core of Gongkai: the rules of the 《政府信息公开条例》 (2019 revision) and of the
//! system itself, as plain data and functions.
//!
//! This crate must never perform I/O, read a clock, draw random numbers, touch the file system
//! or the environment, or depend on an async runtime, a database driver, HTTP or mail crates.
//! `now`, the working-day calendar and every other fact from the outside world arrive as
//! arguments. A test (`tests/purity.rs`) reads this crate's Cargo.toml and fails on any
//! forbidden dependency, so that the rules stay testable exhaustively and deterministically.

pub mod account;
pub mod agency;
pub mod annual_report;
pub mod application;
pub mod application_form;
pub mod calendar;
pub mod canonical_json;
pub mod catalog;
pub mod deadline;
pub mod document;
pub mod fees;
pub mod form;
pub mod identity;
pub mod prereview;
pub mod publication;
pub mod redaction;
pub mod remedy;
pub mod reply;
pub mod report;
pub mod signed_note;
pub mod statistics;
pub mod table_schema;
pub mod tlog;
