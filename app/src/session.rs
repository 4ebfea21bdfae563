//! The running app behind the pages: opens the database, restores the index and
//! the outbox, signs in, and turns form saves into stored changes that the sync
//! connection sends.

use crate::customers::{Customers, OpenError, SaveError, Saved, log};
use crate::platform;
use crate::settings;
use crate::state::{AppState, Stage};
use crate::storage::{Storage, StorageError};
use crate::sync_conn::SyncConn;
use crate::tabs::{self, Channel, TabMsg};
use campo_core::customer::{Customer, Edit, Stamp};
use campo_core::ids::{DeviceId, DocId, Seq};
use campo_core::index::Index;
use campo_core::sync::{Credentials, SyncClient};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashSet;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

pub struct Campo {
    customers: Rc<Customers>,
    conn: Rc<SyncConn>,
    tabs: Rc<Channel>,
    ui: AppState,
    device: DeviceId,
}

/// Opens the database, shows the stored customers and, when the device signed in
/// before, starts syncing. Runs once at start.
pub async fn boot(ui: AppState) {
    if let Err(e) = try_boot(ui).await {
        log(&format!("cannot use the browser database: {e}"));
        ui.stage.set(Stage::NoStorage);
    }
}

async fn try_boot(ui: AppState) -> Result<(), StorageError> {
    let storage = Storage::open().await?;
    spawn_local(async move {
        if !crate::storage::ensure_persisted().await && !settings::persist_notice_dismissed() {
            ui.persist_refused.set(true);
        }
    });
    let meta = storage.load_meta().await?;
    let (summaries, damaged) = storage.load_all_summaries().await?;
    let known: HashSet<DocId> = summaries.iter().map(|s| s.id).collect();
    ui.set_index(Index::new(summaries));
    let outbox = storage.load_outbox().await?;
    let next_outbox = outbox
        .iter()
        .map(|(id, _)| id + 1)
        .max()
        .unwrap_or(0)
        .max(meta.next_outbox);
    let customers = Rc::new(Customers::new(storage, next_outbox));
    let tabs = Rc::new(Channel::open(move |msg| {
        if let Some(campo) = ui.campo() {
            spawn_local(async move { campo.on_tab_message(msg).await });
        }
    }));
    let conn = SyncConn::new(customers.clone(), ui, tabs.clone());
    watch_network(&conn);
    let campo = Rc::new(Campo {
        customers: customers.clone(),
        conn,
        tabs,
        ui,
        device: settings::device_id(),
    });
    ui.campo.set_value(Some(campo.clone()));

    match settings::session() {
        Some(s) if meta.team.as_deref() == Some(s.team.as_str()) => {
            ui.rep.set(s.rep);
            campo.start(s.team, s.token).await?;
            ui.stage.set(Stage::SignedIn);
        }
        _ => ui.stage.set(Stage::SignedOut),
    }

    // Only the tab holding the sync lock connects; the others ask it how sync stands.
    let takes_over = move || {
        if let Some(campo) = ui.campo() {
            spawn_local(async move { campo.take_over().await });
        }
    };
    if !tabs::hold_until_closed(tabs::SYNC_LOCK, takes_over) {
        // No Web Locks in this browser: every tab syncs, as alone.
        campo.take_over().await;
    }
    campo.tabs.send(&TabMsg::Hello);

    // Summaries that are unreadable or missing (a crash between versions, a
    // summary format change) are rebuilt from their documents, after the list shows.
    let mut rebuild = damaged;
    rebuild.extend(
        customers
            .storage()
            .load_doc_ids()
            .await?
            .into_iter()
            .filter(|id| !known.contains(id)),
    );
    if !rebuild.is_empty() {
        let rebuilt = customers.rebuild_summaries(&rebuild).await?;
        ui.upsert(rebuilt);
    }
    Ok(())
}

/// The browser's own view of the network: reconnect as soon as it returns,
/// and show "offline" as soon as it goes.
fn watch_network(conn: &Rc<SyncConn>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let weak = Rc::downgrade(conn);
    let online = Closure::<dyn FnMut()>::new(move || {
        if let Some(c) = weak.upgrade() {
            c.network_back();
        }
    });
    let weak = Rc::downgrade(conn);
    let offline = Closure::<dyn FnMut()>::new(move || {
        if let Some(c) = weak.upgrade() {
            c.network_lost();
        }
    });
    let _ = window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback("offline", offline.as_ref().unchecked_ref());
    // These listeners live as long as the page.
    online.forget();
    offline.forget();
}

impl Campo {
    /// This tab got the sync lock: it restarts sync from what is stored now
    /// (another tab may have moved the cursor and the outbox) and connects.
    async fn take_over(&self) {
        self.conn.become_leader();
        let creds = self.conn.credentials();
        if let Some(c) = creds
            && matches!(
                self.ui.stage.get_untracked(),
                Stage::SignedIn | Stage::SigningIn
            )
            && let Err(e) = self.start(c.team, c.token).await
        {
            log(&format!("cannot use the browser database: {e}"));
            self.ui.stage.set(Stage::NoStorage);
        }
    }

    /// A message from another tab of Campo on this device.
    async fn on_tab_message(&self, msg: TabMsg) {
        match msg {
            TabMsg::Hello => self.conn.announce(),
            TabMsg::Status(status) => self.conn.mirror(status),
            TabMsg::Outbox => {
                if !self.conn.syncs() {
                    return;
                }
                match self.customers.storage().load_outbox().await {
                    Ok(outbox) => {
                        for (id, change) in outbox {
                            self.conn.push(id, change);
                        }
                    }
                    Err(e) => log(&format!("cannot read another tab's changes: {e}")),
                }
            }
            TabMsg::Docs(ids) => {
                if let Err(e) = self.customers.reload_cached(&ids).await {
                    log(&format!("cannot re-read changed customers: {e}"));
                }
                match self.customers.storage().load_summaries(&ids).await {
                    Ok(summaries) => self.ui.upsert(summaries),
                    Err(e) => log(&format!("cannot re-read changed customers: {e}")),
                }
                self.ui.remote_changed(ids);
            }
        }
    }

    /// Starts syncing. For a team other than the stored one, the client starts
    /// from nothing and the stored records are replaced once the relay welcomes us.
    async fn start(&self, team: String, token: String) -> Result<(), StorageError> {
        let storage = self.customers.storage();
        let meta = storage.load_meta().await?;
        let new_team = meta.team.as_deref() != Some(team.as_str());
        let (cursor, outbox) = if new_team {
            (Seq(0), Vec::new())
        } else {
            (meta.cursor, storage.load_outbox().await?)
        };
        let credentials = Credentials {
            team,
            token,
            device: self.device,
        };
        let client = SyncClient::new(credentials.clone(), cursor, outbox);
        self.conn.start(credentials, client, new_team);
        Ok(())
    }

    /// Signs in with a team and token; the relay's Welcome moves the app to the
    /// main view, a refusal back to the form.
    pub async fn sign_in(&self, team: String, token: String) {
        let ui = self.ui;
        self.conn.stop();
        ui.refusal.set(None);
        ui.unreachable.set(false);
        ui.stage.set(Stage::SigningIn);
        if let Err(e) = self.start(team, token).await {
            log(&format!("cannot use the browser database: {e}"));
            ui.stage.set(Stage::NoStorage);
        }
    }

    /// Back to the sign-in form (after the relay refused the stored token).
    pub fn sign_out(&self) {
        self.conn.stop();
        settings::forget_token();
        self.ui.stage.set(Stage::SignedOut);
    }

    pub async fn open(&self, id: DocId) -> Result<Option<Customer>, OpenError> {
        self.customers.open(id).await
    }

    pub fn read_cached(&self, id: DocId) -> Option<Customer> {
        self.customers.read_cached(id)
    }

    /// Saves edits as one change (creating the customer when `id` is `None`),
    /// updates the list, and hands the change to the sync connection.
    pub async fn save(&self, id: Option<DocId>, edits: Vec<Edit>) -> Result<Saved, SaveError> {
        let rep = self.ui.rep.get_untracked();
        let stamp = Stamp {
            rep: &rep,
            now_ms: platform::now_ms(),
        };
        let mut saved = match id {
            None => self.customers.create(&stamp, &edits).await?,
            Some(id) => self.customers.edit(id, &stamp, &edits).await?,
        };
        if let Some((outbox_id, change)) = saved.outbox.take() {
            self.conn.push(outbox_id, change);
            self.tabs.send(&TabMsg::Docs(vec![saved.id]));
        }
        if let Some(summary) = saved.summary.clone() {
            self.ui.upsert(vec![summary]);
        }
        Ok(saved)
    }
}
