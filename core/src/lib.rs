//! Campo's shared logic, in plain Rust for both the browser (wasm32) and the relay.
//!
//! # Data model
//! Every record — account, person, product, deal, task, and the team's settings — is
//! one Automerge document ([`record`]). The document is created whole by one device,
//! so all of its containers (address, tags, notes, collections) share one ancestor
//! change and later edits from any device merge field by field. A
//! [`summary::Summary`] is the plain-struct projection of a document that lists,
//! search and [`analytics`] run on, so the app never has to open every document.
//!
//! # Sync
//! The relay keeps one append-only log of Automerge changes per team; every entry
//! gets a team-wide sequence number ([`ids::Seq`]). A device remembers the highest
//! sequence it has stored (its cursor) and on reconnect receives only the entries
//! after it. [`protocol`] defines the frames, [`sync`] the client's state machine.
//!
//! # Layout
//! - [`ids`]: identifier newtypes.
//! - [`record`]: the record document: schema, typed values, edits, reads, conflicts,
//!   history, migrations.
//! - [`summary`], [`index`]: summaries, search, filters and saved views.
//! - [`analytics`]: revenue, RFM, reorder rhythms, channels, cross-sell, health,
//!   referrals, pipeline.
//! - [`day`], [`vocab`]: calendar days; fixed vocabularies.
//! - [`backup`]: the backup file format.
//! - [`interop`]: import and export formats (CSV, vCard, iCalendar).
//! - [`change`]: checks on raw Automerge change bytes (the relay's gate).
//! - [`protocol`]: wire messages, codec, limits, error codes.
//! - [`sync`]: the client side of the sync protocol as a pure state machine.
//! - [`seed`]: a seeded generator of realistic books (benchmarks, demos).
//! - [`snapshot`]: a team's whole book in one stream, for fresh devices.
//! - [`sorting`]: stable sorts that share one compiled routine (a smaller wasm).

pub mod analytics;
pub mod backup;
pub mod change;
pub mod day;
pub mod ids;
pub mod index;
pub mod interop;
pub mod protocol;
pub mod record;
pub mod seed;
pub mod snapshot;
pub mod sorting;
pub mod summary;
pub mod sync;
pub mod vocab;
pub mod wire;
