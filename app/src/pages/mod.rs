//! One file per page.

pub mod admin;
pub mod dashboard;
pub mod data;
pub mod lazy;
pub mod list;
pub mod record;
pub mod search;
pub mod signin;
pub mod today;
