//! Property: whatever edits three devices make and in whatever order (and however
//! often) their changes are delivered, once every device has every change they
//! all read the same customer, and no concurrent value is silently dropped.

use campo_core::customer::{Channel, CustomerDoc, Edit, Field, Stamp};
use campo_core::ids::DocId;
use proptest::prelude::*;

const ID: DocId = DocId([7; 16]);
const REPS: [&str; 3] = ["Anna", "Bruno", "Carla"];

#[derive(Debug, Clone)]
enum Step {
    /// Device `d` makes an edit.
    Edit(usize, Edit),
    /// Deliver change number `k` (modulo how many exist) to device `d`.
    Deliver(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let field = prop::sample::select(vec![Field::Name, Field::Phone, Field::City, Field::Role]);
    prop_oneof![
        (field, "[A-Z][a-z]{1,6}").prop_map(|(f, v)| match f {
            Field::Phone => Edit::Set(f, format!("+39 0{}", v.len() * 11111)),
            _ => Edit::Set(f, v),
        }),
        prop::collection::vec(prop::sample::select(vec!["vip", "bio", "horeca"]), 0..3)
            .prop_map(|t| Edit::Tags(t.into_iter().map(String::from).collect())),
        "[a-z ]{0,12}".prop_map(Edit::Notes),
        (0u32..1000).prop_map(|n| Edit::AddInteraction {
            id: format!("i{n}"),
            channel: Channel::Phone,
            date: "2026-11-23".into(),
            summary: format!("call {n}"),
            outcome: String::new(),
        }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0usize..3, edit()).prop_map(|(d, e)| Step::Edit(d, e)),
        (0usize..3, any::<usize>()).prop_map(|(d, k)| Step::Deliver(d, k)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge(steps in prop::collection::vec(step(), 1..40)) {
        let stamp = Stamp { rep: REPS[0], now_ms: 1 };
        let (first, created) = CustomerDoc::create(ID, &stamp, &[Edit::Set(Field::Name, "Start".into())]).unwrap();
        drop(first);
        let mut devices: Vec<CustomerDoc> = (0..3).map(|_| {
            let mut d = CustomerDoc::empty(ID);
            d.apply(&created).unwrap();
            d
        }).collect();
        let mut changes: Vec<Vec<u8>> = vec![created];
        for (t, s) in steps.iter().enumerate() {
            match s {
                Step::Edit(d, e) => {
                    let stamp = Stamp { rep: REPS[*d], now_ms: 10 + t as i64 };
                    // Invalid edits (e.g. an empty name) are refused and change nothing.
                    if let Ok(Some(c)) = devices[*d].edit(&stamp, std::slice::from_ref(e)) {
                        changes.push(c);
                    }
                }
                Step::Deliver(d, k) => {
                    let c = &changes[k % changes.len()];
                    devices[*d].apply(c).unwrap();
                }
            }
        }
        // Heal: everyone receives everything, newest first (worst order for dependencies).
        for d in devices.iter_mut() {
            for c in changes.iter().rev() {
                d.apply(c).unwrap();
            }
        }
        let views: Vec<_> = devices.iter_mut().map(|d| d.read()).collect();
        prop_assert_eq!(&views[0], &views[1]);
        prop_assert_eq!(&views[1], &views[2]);
        let heads: Vec<_> = devices.iter_mut().map(|d| d.heads()).collect();
        prop_assert_eq!(&heads[0], &heads[1]);
        prop_assert_eq!(&heads[1], &heads[2]);
        // Every conflict lists the shown value first.
        for c in &views[0].conflicts {
            prop_assert_eq!(c.values[0].value.as_str(), views[0].get(c.field));
        }
    }
}
