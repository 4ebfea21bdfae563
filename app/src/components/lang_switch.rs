//! Switches the interface between Italian and English; the choice is remembered.

use crate::i18n::{Msg, t};
use crate::settings;
use crate::state::use_app;
use leptos::prelude::*;

#[component]
pub fn LangSwitch() -> impl IntoView {
    let ui = use_app();
    let switch = move |_| {
        let next = ui.lang.get_untracked().other();
        settings::set_lang(next);
        ui.lang.set(next);
    };
    view! {
        <button
            type="button"
            class="lang-switch"
            data-testid="lang-switch"
            title=move || t(ui.lang.get(), Msg::LanguageSwitch)
            lang=move || ui.lang.get().other().code()
            on:click=switch
        >
            {move || ui.lang.get().other().name()}
        </button>
    }
}
