//! One file per page.

pub mod customer;
pub mod list;
pub mod signin;
