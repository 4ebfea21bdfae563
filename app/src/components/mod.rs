//! Pieces shared by several pages.

pub mod collection;
pub mod history;
pub mod insights;
pub mod interactions;
pub mod kanban;
pub mod lang_switch;
pub mod orders;
pub mod product_buyers;
pub mod ref_picker;
pub mod referrals;
pub mod related;
pub mod status;
pub mod tokens;
