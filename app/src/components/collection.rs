//! An account's or a person's extra addresses and contacts. One editor serves every
//! simple collection: it is driven by the collection's [`CollSpec`], so its fields,
//! labels and checks come from the schema. Items are listed with their fields
//! editable in place (a change saves that field), added through a small form, and
//! removed (a flag, kept in history). Contacts link out by kind: `tel:`, `mailto:`,
//! web.

use crate::i18n::orders::{self as words, OrdersMsg};
use crate::i18n::{self, Msg};
use crate::pages::record::Ctx;
use crate::platform;
use campo_core::record::{CollSpec, Edit, FieldSpec, FieldType, Invalid, Item, value};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The type a field's input is checked as. A contact's `value` is stored as text,
/// but checked as what its kind says it is, so a phone number is one.
pub fn input_type(coll: &str, kind: &str, f: &FieldSpec) -> FieldType {
    match (coll, f.key, kind) {
        ("contacts", "value", "phone" | "mobile" | "fax") => FieldType::Phone,
        ("contacts", "value", "email") => FieldType::Email,
        ("contacts", "value", "website") => FieldType::Url,
        _ => f.ty,
    }
}

/// Checks one field of an item whose kind is `kind`.
pub fn check_field(spec: &CollSpec, kind: &str, key: &str, input: &str) -> Result<(), Invalid> {
    let f = spec
        .field(key)
        .ok_or_else(|| Invalid::UnknownField(key.to_owned()))?;
    if f.required && input.trim().is_empty() {
        return Err(Invalid::Required(f.key.to_owned()));
    }
    value::parse(f.key, input_type(spec.key, kind, f), input).map(|_| ())
}

/// Every problem of a new item, by field, in schema order.
pub fn check_item(
    spec: &CollSpec,
    fields: &BTreeMap<&'static str, String>,
) -> Vec<(&'static str, Invalid)> {
    let kind = fields.get("kind").map_or("", String::as_str);
    spec.fields
        .iter()
        .filter_map(|f| {
            let input = fields.get(f.key).map_or("", String::as_str);
            check_field(spec, kind, f.key, input)
                .err()
                .map(|e| (f.key, e))
        })
        .collect()
}

/// What a new item's form starts with: every choice at its first option.
pub fn blank_item(spec: &CollSpec) -> BTreeMap<&'static str, String> {
    spec.fields
        .iter()
        .map(|f| {
            let start = match f.ty {
                FieldType::Choice(keys) => keys.first().copied().unwrap_or(""),
                _ => "",
            };
            (f.key, start.to_owned())
        })
        .collect()
}

/// Where a contact leads: `tel:` for phones, `mailto:` for emails, the site for
/// web addresses. `None` when the value is not one (or not valid for its kind).
pub fn contact_href(kind: &str, value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    match kind {
        "phone" | "mobile" | "fax" if value::phone(v).is_ok() => Some(format!(
            "tel:{}",
            v.chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect::<String>()
        )),
        "email" if value::email(v).is_ok() => Some(format!("mailto:{v}")),
        "website" if v.contains('.') && !v.contains(char::is_whitespace) => {
            if v.starts_with("https://") || v.starts_with("http://") {
                Some(v.to_owned())
            } else {
                Some(format!("https://{v}"))
            }
        }
        _ => None,
    }
}

fn html_type(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Phone => "tel",
        FieldType::Email => "email",
        FieldType::Url => "url",
        _ => "text",
    }
}

#[component]
pub fn Collection(ctx: Ctx, coll: &'static str) -> impl IntoView {
    let Some(spec) = ctx.kind.spec().collection(coll) else {
        return ().into_any();
    };
    let ui = ctx.ui;
    let lang = move || ui.lang.get();
    let items = Memo::new(move |_| {
        ctx.record.with(|r| {
            r.as_ref()
                .map(|r| r.items(coll).cloned().collect::<Vec<Item>>())
                .unwrap_or_default()
        })
    });
    let ids = Memo::new(move |_| {
        items.with(|list| list.iter().map(|i| i.id.clone()).collect::<Vec<_>>())
    });
    let adding = RwSignal::new(false);
    view! {
        <section class="card collection" data-testid=format!("collection-{coll}")>
            <div class="section-head">
                <h2>{move || i18n::coll_label(lang(), coll)}</h2>
                {move || (!adding.get()).then(|| view! {
                    <button type="button" class="secondary" data-testid=format!("add-{coll}") on:click=move |_| adding.set(true)>
                        {words::new_item(lang(), coll)}
                    </button>
                })}
            </div>
            {move || adding.get().then(|| new_item_form(ctx, spec, adding))}
            {move || ids.with(Vec::is_empty).then(|| view! {
                <p class="muted" data-testid=format!("no-{coll}")>{words::t(lang(), OrdersMsg::NoItems)}</p>
            })}
            <ul class="coll-items">
                <For each=move || ids.get() key=|id| id.clone() let:id>
                    {item_row(ctx, spec, items, id)}
                </For>
            </ul>
        </section>
    }
    .into_any()
}

/// One field's control: a select for choices, else a text input typed by what
/// the field holds (`tel`, `email`, `url`).
struct Control {
    f: &'static FieldSpec,
    dom_id: String,
    testid: String,
    ty: Signal<FieldType>,
    value: Signal<String>,
    invalid: Signal<bool>,
    on_value: Callback<String>,
    /// Report every keystroke (a new item's form) or only the finished value
    /// (editing in place saves it).
    live: bool,
}

impl Control {
    fn view(self, ctx: Ctx) -> impl IntoView + use<> {
        let lang = move || ctx.ui.lang.get();
        let Control {
            f,
            dom_id,
            testid,
            ty,
            value,
            invalid,
            on_value,
            live,
        } = self;
        let key = f.key;
        match f.ty {
            FieldType::Choice(keys) => view! {
                <select id=dom_id data-testid=testid on:change=move |ev| on_value.run(event_target_value(&ev))>
                    {keys.iter().map(|k| view! {
                        <option value=*k prop:selected=move || value.get() == *k>{move || i18n::choice_label(lang(), key, k)}</option>
                    }).collect_view()}
                </select>
            }
            .into_any(),
            _ if live => view! {
                <input id=dom_id type=move || html_type(ty.get()) data-testid=testid autocomplete="off"
                    prop:value=move || value.get() aria-invalid=move || invalid.get().to_string()
                    on:input=move |ev| on_value.run(event_target_value(&ev)) />
            }
            .into_any(),
            _ => view! {
                <input id=dom_id type=move || html_type(ty.get()) data-testid=testid autocomplete="off"
                    prop:value=move || value.get() aria-invalid=move || invalid.get().to_string()
                    on:change=move |ev| on_value.run(event_target_value(&ev)) />
            }
            .into_any(),
        }
    }
}

fn error_line(ctx: Ctx, testid: String, e: Option<Invalid>) -> Option<impl IntoView + use<>> {
    let lang = ctx.ui.lang.get();
    e.map(|e| view! { <p class="error" role="alert" data-testid=testid>{i18n::invalid(lang, &e)}</p> })
}

/// A stored item with its fields editable in place. A field saves when the rep
/// leaves it (or picks a choice); a value its kind refuses is shown, not saved.
fn item_row(
    ctx: Ctx,
    spec: &'static CollSpec,
    items: Memo<Vec<Item>>,
    id: String,
) -> impl IntoView {
    let coll = spec.key;
    let lang = move || ctx.ui.lang.get();
    let item_id = StoredValue::new(id);
    let stored = move |key: &'static str| {
        let ty = spec.field(key).map_or(FieldType::Text, |f| f.ty);
        items.with(|list| {
            list.iter()
                .find(|i| i.id == item_id.get_value())
                .map(|i| i.get(key).input(ty))
                .unwrap_or_default()
        })
    };
    // Per-field memos: a save elsewhere in the record does not reset what the rep
    // is typing in another field of this item.
    let kind = Memo::new(move |_| stored("kind"));
    let errors = RwSignal::new(BTreeMap::<&'static str, Invalid>::new());
    let fields = spec
        .fields
        .iter()
        .map(|f| {
            let key = f.key;
            let value = Memo::new(move |_| stored(key));
            let commit = Callback::new(move |input: String| {
                let kind_now = if key == "kind" { input.clone() } else { kind.get_untracked() };
                match check_field(spec, &kind_now, key, &input) {
                    Err(e) => {
                        errors.update(|m| {
                            m.insert(key, e);
                        });
                        return;
                    }
                    Ok(()) => errors.update(|m| {
                        m.remove(key);
                    }),
                }
                if key == "kind" {
                    // The value is re-checked against the new kind: the kind is
                    // saved, and the rep sees at once if the value no longer fits.
                    let current = stored("value");
                    let problem = spec
                        .field("value")
                        .and_then(|_| check_field(spec, &kind_now, "value", &current).err());
                    errors.update(|m| match problem {
                        Some(e) => {
                            m.insert("value", e);
                        }
                        None => {
                            m.remove("value");
                        }
                    });
                }
                if input.trim() == value.get_untracked().trim() {
                    return;
                }
                let edit = Edit::PutItem {
                    coll: coll.to_owned(),
                    id: item_id.get_value(),
                    fields: vec![(key.to_owned(), input.trim().to_owned())],
                };
                ctx.save_edits(vec![edit], || {});
            });
            let ty = Signal::derive(move || {
                spec.field(key)
                    .map_or(FieldType::Text, |f| input_type(coll, &kind.get(), f))
            });
            let invalid = Signal::derive(move || errors.with(|m| m.contains_key(key)));
            let dom_id = format!("{coll}-{}-{key}", item_id.get_value());
            view! {
                <div class="field" class:invalid=move || invalid.get()>
                    <label for=dom_id.clone()>{move || i18n::field_label(lang(), ctx.kind, key)}{f.required.then_some(" *")}</label>
                    {Control {
                        f,
                        dom_id,
                        testid: format!("{coll}-{key}"),
                        ty,
                        value: value.into(),
                        invalid,
                        on_value: commit,
                        live: false,
                    }
                    .view(ctx)}
                    {move || error_line(ctx, format!("error-{coll}-{key}"), errors.with(|m| m.get(key).cloned()))}
                </div>
            }
        })
        .collect_view();
    let link = move || {
        (coll == "contacts")
            .then(|| contact_href(&kind.get(), &stored("value")))
            .flatten()
            .map(|href| {
                let text = stored("value");
                view! {
                    <a class="field-link" data-testid=format!("{coll}-link") href=href rel="noopener" target="_blank">{text}</a>
                }
            })
    };
    let remove = move |_| {
        let confirmed = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(words::t(
                    ctx.ui.lang.get_untracked(),
                    OrdersMsg::ConfirmRemoveItem,
                ))
                .ok()
            })
            .unwrap_or(false);
        if confirmed {
            let edit = Edit::RemoveItem {
                coll: coll.to_owned(),
                id: item_id.get_value(),
            };
            ctx.save_edits(vec![edit], || {});
        }
    };
    view! {
        <li class="coll-item" data-testid=format!("{coll}-row")>
            <div class="form-grid">{fields}</div>
            <div class="form-actions">
                {link}
                <span class="spacer"></span>
                <button type="button" class="danger ghost" data-testid=format!("remove-{coll}-item") on:click=remove>
                    {move || words::t(lang(), OrdersMsg::Remove)}
                </button>
            </div>
        </li>
    }
}

/// The form that adds one item; every field is checked before anything is saved.
fn new_item_form(ctx: Ctx, spec: &'static CollSpec, adding: RwSignal<bool>) -> impl IntoView {
    let coll = spec.key;
    let lang = move || ctx.ui.lang.get();
    let draft = RwSignal::new(blank_item(spec));
    let tried = RwSignal::new(false);
    // Once a save was refused, the errors follow what the rep types.
    let errors = Memo::new(move |_| {
        if tried.get() {
            draft.with(|d| check_item(spec, d))
        } else {
            Vec::new()
        }
    });
    let add = move || {
        let fields = draft.get_untracked();
        if !check_item(spec, &fields).is_empty() {
            tried.set(true);
            return;
        }
        let edit = Edit::PutItem {
            coll: coll.to_owned(),
            id: platform::random_hex(),
            fields: fields
                .into_iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
                .collect(),
        };
        ctx.save_edits(vec![edit], move || adding.set(false));
    };
    let kind = Signal::derive(move || draft.with(|d| d.get("kind").cloned().unwrap_or_default()));
    let fields = spec
        .fields
        .iter()
        .map(|f| {
            let key = f.key;
            let value = Signal::derive(move || draft.with(|d| d.get(key).cloned().unwrap_or_default()));
            let set = Callback::new(move |v: String| {
                draft.update(|d| {
                    d.insert(key, v);
                })
            });
            let ty = Signal::derive(move || input_type(coll, &kind.get(), f));
            let error = Signal::derive(move || errors.with(|es| es.iter().find(|(k, _)| *k == key).map(|(_, e)| e.clone())));
            let invalid = Signal::derive(move || error.with(Option::is_some));
            let dom_id = format!("new-{coll}-{key}");
            view! {
                <div class="field" class:invalid=move || invalid.get()>
                    <label for=dom_id.clone()>{move || i18n::field_label(lang(), ctx.kind, key)}{f.required.then_some(" *")}</label>
                    {Control {
                        f,
                        dom_id: dom_id.clone(),
                        testid: dom_id.clone(),
                        ty,
                        value,
                        invalid,
                        on_value: set,
                        live: true,
                    }
                    .view(ctx)}
                    {move || error_line(ctx, format!("error-new-{coll}-{key}"), error.get())}
                </div>
            }
        })
        .collect_view();
    view! {
        <form class="coll-new" data-testid=format!("new-{coll}") novalidate on:submit=move |ev| {
            ev.prevent_default();
            add();
        }>
            <h3>{move || words::new_item(lang(), coll)}</h3>
            <div class="form-grid">{fields}</div>
            <div class="form-actions">
                <button type="submit" class="primary" data-testid=format!("save-{coll}")>{move || words::t(lang(), OrdersMsg::Add)}</button>
                <button type="button" class="ghost" on:click=move |_| adding.set(false)>{move || i18n::t(lang(), Msg::Cancel)}</button>
                {move || (!errors.with(Vec::is_empty)).then(|| view! {
                    <p class="error" role="alert">{words::t(lang(), OrdersMsg::FixItem)}</p>
                })}
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use campo_core::record::schema::{ADDRESSES, CONTACTS};

    #[test]
    fn contacts_link_by_kind() {
        assert_eq!(
            contact_href("phone", "+39 02 1234 5678").as_deref(),
            Some("tel:+390212345678")
        );
        assert_eq!(
            contact_href("mobile", "(333) 123-4567").as_deref(),
            Some("tel:3331234567")
        );
        assert_eq!(
            contact_href("email", "anna@bar.it").as_deref(),
            Some("mailto:anna@bar.it")
        );
        assert_eq!(
            contact_href("website", "bar.it").as_deref(),
            Some("https://bar.it")
        );
        assert_eq!(
            contact_href("website", "http://bar.it/x").as_deref(),
            Some("http://bar.it/x")
        );
        assert_eq!(contact_href("email", "not an email"), None);
        assert_eq!(contact_href("other", "Ufficio acquisti"), None);
        assert_eq!(contact_href("phone", " "), None);
    }

    #[test]
    fn a_contact_value_is_checked_as_its_kind() {
        assert!(check_field(&CONTACTS, "phone", "value", "+39 02 1234 5678").is_ok());
        assert_eq!(
            check_field(&CONTACTS, "phone", "value", "chiamare dopo le 10"),
            Err(Invalid::Phone("chiamare dopo le 10".into()))
        );
        assert!(check_field(&CONTACTS, "other", "value", "chiamare dopo le 10").is_ok());
        assert!(matches!(
            check_field(&CONTACTS, "email", "value", "anna@"),
            Err(Invalid::Email(_))
        ));
        assert_eq!(
            check_field(&CONTACTS, "email", "value", " "),
            Err(Invalid::Required("value".into()))
        );
        assert!(matches!(
            check_field(&CONTACTS, "fax", "kind", "pigeon"),
            Err(Invalid::Choice(..))
        ));
        assert!(matches!(
            check_field(&ADDRESSES, "", "nope", "x"),
            Err(Invalid::UnknownField(_))
        ));
    }

    #[test]
    fn a_new_item_starts_at_the_first_choice_and_is_checked_whole() {
        let mut contact = blank_item(&CONTACTS);
        assert_eq!(contact.get("kind").map(String::as_str), Some("phone"));
        let problems: Vec<&str> = check_item(&CONTACTS, &contact)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(problems, ["value"]);
        contact.insert("value", "02 1234567".into());
        assert!(check_item(&CONTACTS, &contact).is_empty());

        let mut address = blank_item(&ADDRESSES);
        assert_eq!(address.get("kind").map(String::as_str), Some("billing"));
        assert!(
            check_item(&ADDRESSES, &address).is_empty(),
            "every address field is optional"
        );
        address.insert("city", "x".repeat(201));
        assert!(matches!(
            check_item(&ADDRESSES, &address)[..],
            [("city", Invalid::TooLong(..))]
        ));
    }
}
