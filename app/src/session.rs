//! The running app behind the pages: opens the database, restores the index and
//! the outbox, signs in, and turns form saves into stored changes that the sync
//! connection sends.

use crate::platform;
use crate::records::{
    BulkError, BulkOp, BulkSaved, OpenError, Records, RestoreError, Restored, SaveError, Saved, log,
};
use crate::settings;
use crate::state::{AppState, Stage};
use crate::storage::{Storage, StorageError};
use crate::sync_conn::SyncConn;
use crate::tabs::{self, Channel, TabMsg};
use campo_core::ids::{DeviceId, DocId, Seq};
use campo_core::index::IndexBuilder;
use campo_core::protocol::DocChange;
use campo_core::record::{Edit, Kind, Record, Stamp};
use campo_core::sync::{Credentials, OutboxId, SyncClient};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

/// Up to this many changes are pushed one by one; more are sent from the stored
/// outbox in batches (see [`Campo::send_stored_outbox`]).
const PUSH_ONE_BY_ONE: usize = 32;

pub struct Campo {
    records: Rc<Records>,
    conn: Rc<SyncConn>,
    tabs: Rc<Channel>,
    ui: AppState,
    device: DeviceId,
}

/// Opens the database, shows the stored records and, when the device signed in
/// before, starts syncing. Runs once at start.
pub async fn boot(ui: AppState) {
    if let Err(e) = try_boot(ui).await {
        log(&format!("cannot use the browser database: {e}"));
        ui.stage.set(Stage::NoStorage);
    }
}

async fn try_boot(ui: AppState) -> Result<(), StorageError> {
    crate::update::watch(ui);
    platform::mark("campo-storage-open");
    let storage = Storage::open().await?;
    spawn_local(async move {
        if !crate::storage::ensure_persisted().await && !settings::persist_notice_dismissed() {
            ui.persist_refused.set(true);
        }
    });
    // Both reads at once: they are independent, and each is a round trip.
    // Each part of the book is read in place as it arrives.
    let mut book = IndexBuilder::default();
    let (meta, missing) = futures::future::join(
        storage.load_meta(),
        storage.read_summaries(|part| book.add(part)),
    )
    .await;
    let (meta, mut damaged) = (meta?, missing?);
    // The device id belongs to the database: a database that starts empty
    // syncs as a new device, so the relay never leaves out entries it believes
    // this device already has. (Databases from before kept the profile's id.)
    let device = match meta.device {
        Some(d) => d,
        None => {
            let d = if meta.cursor > Seq(0) {
                settings::device_id()
            } else {
                campo_core::ids::DeviceId(crate::platform::random16())
            };
            storage.set_device(d).await?;
            d
        }
    };
    platform::mark("campo-summaries-decoded");
    let (index, unreadable) = book.finish();
    damaged.extend(unreadable);
    ui.set_index(index);
    platform::mark("campo-index-ready");
    // The record engine (Automerge) is not part of the first load: fetch it
    // once the list has painted, so the first record opened does not wait.
    platform::after_paint(|| {
        spawn_local(async {
            let _ = crate::records::load_engine().await;
        })
    });
    let outbox = storage.load_outbox().await?;
    let next_outbox = outbox
        .iter()
        .map(|(id, _)| id + 1)
        .max()
        .unwrap_or(0)
        .max(meta.next_outbox);
    let records = Rc::new(Records::new(storage, next_outbox));
    let tabs = Rc::new(Channel::open(move |msg| {
        if let Some(campo) = ui.campo() {
            spawn_local(async move { campo.on_tab_message(msg).await });
        }
    }));
    let conn = SyncConn::new(records.clone(), ui, tabs.clone());
    watch_network(&conn);
    let campo = Rc::new(Campo {
        records: records.clone(),
        conn,
        tabs,
        ui,
        device,
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
        records
            .storage()
            .unpacked_doc_ids()
            .await?
            .into_iter()
            .filter(|id| ui.index.with_value(|i| i.get(id).is_none())),
    );
    if !rebuild.is_empty() {
        let rebuilt = records.rebuild_summaries(&rebuild).await?;
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
                match self.records.storage().load_outbox().await {
                    Ok(outbox) if outbox.len() > PUSH_ONE_BY_ONE => {
                        self.send_stored_outbox().await;
                    }
                    Ok(outbox) => {
                        for (id, change) in outbox {
                            self.conn.push(id, change);
                        }
                    }
                    Err(e) => log(&format!("cannot read another tab's changes: {e}")),
                }
            }
            TabMsg::Docs(ids) => {
                if let Err(e) = self.records.reload_cached(&ids).await {
                    log(&format!("cannot re-read changed records: {e}"));
                }
                match self.records.storage().load_summaries(&ids).await {
                    Ok(summaries) => self.ui.upsert(summaries),
                    Err(e) => log(&format!("cannot re-read changed records: {e}")),
                }
                self.ui.remote_changed(ids);
            }
        }
    }

    /// Starts syncing. For a team other than the stored one, the client starts
    /// from nothing and the stored records are replaced once the relay welcomes us.
    async fn start(&self, team: String, token: String) -> Result<(), StorageError> {
        let storage = self.records.storage();
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
            // The database's own id (a fresh book may have chosen a new one).
            device: meta.device.unwrap_or(self.device),
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

    pub async fn open(&self, id: DocId) -> Result<Option<Record>, OpenError> {
        self.records.open(id).await
    }

    pub fn read_cached(&self, id: DocId) -> Option<Record> {
        self.records.read_cached(id)
    }

    /// Saves edits as one change (creating a record of `kind` when `id` is `None`),
    /// updates the index, and hands the changes to the sync connection.
    pub async fn save(
        &self,
        kind: Kind,
        id: Option<DocId>,
        edits: Vec<Edit>,
    ) -> Result<Saved, SaveError> {
        let rep = self.ui.rep.get_untracked();
        let stamp = Stamp {
            rep: &rep,
            now_ms: platform::now_ms(),
        };
        let mut saved = match id {
            None => self.records.create(kind, &stamp, &edits).await?,
            Some(id) => self.records.edit(id, &stamp, &edits).await?,
        };
        self.hand_over(&mut saved);
        if let Some(summary) = saved.summary.clone() {
            self.ui.upsert(vec![summary]);
        }
        Ok(saved)
    }

    /// Sends a save's changes and tells the other tabs.
    fn hand_over(&self, saved: &mut Saved) {
        let outbox = std::mem::take(&mut saved.outbox);
        if outbox.is_empty() {
            return;
        }
        for (outbox_id, change) in outbox {
            self.conn.push(outbox_id, change);
        }
        self.tabs.send(&TabMsg::Docs(vec![saved.id]));
    }

    /// Creates and merges many records (an import) as one all-or-nothing write,
    /// then updates the index once and sends the changes. `progress` hears how
    /// many of `ops` are built.
    pub async fn save_many(
        &self,
        ops: Vec<BulkOp>,
        progress: &dyn Fn(usize),
    ) -> Result<BulkSaved, BulkError> {
        let rep = self.ui.rep.get_untracked();
        let stamp = Stamp {
            rep: &rep,
            now_ms: platform::now_ms(),
        };
        let mut saved = self.records.create_many(ops, &stamp, progress).await?;
        self.ui.upsert(saved.summaries.clone());
        let outbox = std::mem::take(&mut saved.outbox);
        self.hand_over_many(saved.docs.clone(), outbox).await;
        Ok(saved)
    }

    /// Restores a backup's documents into this device's book (merged with what
    /// is stored) and sends every change of them to the relay.
    pub async fn restore(
        &self,
        docs: Vec<(DocId, Vec<u8>)>,
        progress: &dyn Fn(usize),
    ) -> Result<Restored, RestoreError> {
        let mut restored = self.records.restore(docs, progress).await?;
        self.ui.upsert(restored.summaries.clone());
        // Open forms and the team settings refresh as after changes from the relay.
        self.ui.remote_changed(restored.docs.clone());
        let outbox = std::mem::take(&mut restored.outbox);
        self.hand_over_many(restored.docs.clone(), outbox).await;
        Ok(restored)
    }

    /// Several records, read from their documents (records not on the device
    /// are left out).
    pub async fn read_many(&self, ids: &[DocId]) -> Result<Vec<Record>, StorageError> {
        self.records.read_many(ids).await
    }

    /// Every stored document's saved bytes, for a backup.
    pub async fn all_docs(&self) -> Result<Vec<(DocId, Vec<u8>)>, StorageError> {
        self.records.storage().load_all_docs().await
    }

    /// Sends a bulk write's changes and tells the other tabs.
    async fn hand_over_many(&self, docs: Vec<DocId>, outbox: Vec<(OutboxId, DocChange)>) {
        if outbox.is_empty() {
            return;
        }
        self.tabs.send(&TabMsg::Docs(docs));
        if outbox.len() <= PUSH_ONE_BY_ONE {
            for (outbox_id, change) in outbox {
                self.conn.push(outbox_id, change);
            }
        } else {
            // They are stored in the outbox already.
            self.send_stored_outbox().await;
        }
    }

    /// Sends everything in the stored outbox in as few pushes as possible.
    /// Pushed one at a time, thousands of changes would go out as thousands of
    /// frames and run into the relay's per-connection push rate; a client started
    /// from the stored outbox sends it in batches (up to the protocol's limits).
    /// So this tab, when it syncs, restarts sync from storage, as when it takes
    /// over from another tab; otherwise it asks the syncing tab to.
    async fn send_stored_outbox(&self) {
        if !self.conn.syncs() {
            self.tabs.send(&TabMsg::Outbox);
            return;
        }
        // Not signed in yet: the outbox goes out when sync starts.
        let Some(c) = self.conn.credentials() else {
            return;
        };
        self.conn.stop();
        if let Err(e) = self.start(c.team, c.token).await {
            log(&format!("cannot use the browser database: {e}"));
            self.ui.stage.set(Stage::NoStorage);
        }
    }

    /// A record's kind and history.
    pub async fn history(
        &self,
        id: DocId,
    ) -> Option<(Option<Kind>, Vec<campo_core::record::HistoryEntry>)> {
        self.records.history(id).await
    }

    /// Creates the team's settings document on this device if it is missing.
    pub async fn ensure_team_doc(&self) {
        match self.records.ensure_team_doc().await {
            Ok(Some(mut saved)) => self.hand_over(&mut saved),
            Ok(None) => {}
            Err(e) => log(&format!("cannot create the team settings: {e}")),
        }
    }

    /// Reads the team's settings (custom fields, saved views) into the UI state.
    pub async fn load_team(&self) {
        match self.records.open(campo_core::record::TEAM_DOC).await {
            Ok(team) => self.ui.team_doc.set(team),
            Err(e) => log(&format!("cannot read the team settings: {e}")),
        }
    }
}
