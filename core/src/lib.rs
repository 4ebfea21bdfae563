//! Campo's shared logic, in plain Rust for both the browser (wasm32) and the relay.
//!
//! # Data model
//! Every customer is one Automerge document ([`customer`]). The document is created
//! whole by one device, so all of its containers (address, tags, notes, interactions)
//! share one ancestor change and later edits from any device merge field by field.
//! A [`index::CustomerSummary`] is the plain-struct projection of a document that
//! lists and search run on, so the app never has to open every document to start.
//!
//! # Sync
//! The relay keeps one append-only log of Automerge changes per team; every entry
//! gets a team-wide sequence number ([`ids::Seq`]). A device remembers the highest
//! sequence it has stored (its cursor) and on reconnect receives only the entries
//! after it. [`protocol`] defines the frames, [`sync`] the client's state machine.
//!
//! # Layout
//! - [`ids`]: identifier newtypes.
//! - [`customer`]: the customer document: schema, edits, reads, conflicts.
//! - [`validate`]: input rules for customer fields.
//! - [`index`]: summaries and search.
//! - [`interop`]: import and export formats (CSV, vCard, iCalendar).
//! - [`change`]: checks on raw Automerge change bytes (the relay's gate).
//! - [`protocol`]: wire messages, codec, limits, error codes.
//! - [`sync`]: the client side of the sync protocol as a pure state machine.
//! - [`seed`]: a seeded generator of realistic books (benchmarks, demos).

pub mod analytics;
pub mod backup;
pub mod change;
pub mod customer;
pub mod day;
pub mod ids;
pub mod index;
pub mod interop;
pub mod protocol;
pub mod record;
pub mod seed;
pub mod summary;
pub mod sync;
pub mod validate;
pub mod vocab;
