//! (c) Two-step word problems from templated stories: buying, selling, sharing (exact division),
//! groups of, losing and receiving, with names, items and small numbers; the answer is an integer.
//!
//! A story is a start (an amount, or `g` containers of `k`) followed by events: a change (+/- k, or
//! +/- g groups of k, or g things at k dollars each) or an equal share among m people. Generation
//! renders a random story as sentences; parsing reads any such text back into a story clause by
//! clause (verbs decide the sign: "buys" adds items but spends money, "sells" removes items but
//! earns money, "gives ... to" / "gives away" removes, "gives him" adds). The trace restates each
//! step as an equation (sums and differences of numbers past 9 in columns, see [`super::columns`])
//! and checks the last one backwards.

use rand::Rng;

use super::add_sub::Op;
use super::expr::Line;
use super::text::{numbers, Tok, Token};
use super::util::{self, pick};
use super::{columns, division};
use super::{Expected, Family, Problem};

const LIMIT: i64 = 1_000_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pron {
    He,
    She,
    They,
}

impl Pron {
    fn subj(self) -> &'static str {
        match self {
            Pron::He => "He",
            Pron::She => "She",
            Pron::They => "They",
        }
    }
    fn obj(self) -> &'static str {
        match self {
            Pron::He => "him",
            Pron::She => "her",
            Pron::They => "them",
        }
    }
    fn poss(self) -> &'static str {
        match self {
            Pron::He => "his",
            Pron::She => "her",
            Pron::They => "their",
        }
    }
}

struct Item {
    one: &'static str,
    many: &'static str,
    food: bool,
}

#[rustfmt::skip]
const ITEMS: &[Item] = &[
    Item { one: "apple", many: "apples", food: true },
    Item { one: "cookie", many: "cookies", food: true },
    Item { one: "candy", many: "candies", food: true },
    Item { one: "marble", many: "marbles", food: false },
    Item { one: "sticker", many: "stickers", food: false },
    Item { one: "pencil", many: "pencils", food: false },
    Item { one: "card", many: "cards", food: false },
    Item { one: "shell", many: "shells", food: false },
    Item { one: "egg", many: "eggs", food: true },
    Item { one: "cupcake", many: "cupcakes", food: true },
    Item { one: "balloon", many: "balloons", food: false },
    Item { one: "stamp", many: "stamps", food: false },
    Item { one: "crayon", many: "crayons", food: false },
    Item { one: "flower", many: "flowers", food: false },
    Item { one: "strawberry", many: "strawberries", food: true },
    Item { one: "muffin", many: "muffins", food: true },
    Item { one: "bead", many: "beads", food: false },
    Item { one: "orange", many: "oranges", food: true },
];

const CONTAINERS: &[&str] = &[
    "bags", "boxes", "packs", "jars", "baskets", "packets", "crates", "tins",
];

#[rustfmt::skip]
const NAMES: &[(&str, Pron)] = &[
    ("Tom", Pron::He), ("Mia", Pron::She), ("Sam", Pron::He), ("Ana", Pron::She), ("Leo", Pron::He),
    ("Zoe", Pron::She), ("Ben", Pron::He), ("Lily", Pron::She), ("Omar", Pron::He), ("Emma", Pron::She),
    ("Noah", Pron::He), ("Ava", Pron::She), ("Liam", Pron::He), ("Sara", Pron::She), ("Ravi", Pron::He),
    ("Nina", Pron::She), ("Kofi", Pron::He), ("Yuki", Pron::She), ("Lucas", Pron::He), ("Grace", Pron::She),
];

const WHO: &[(&str, &str)] = &[
    ("friend", "friends"),
    ("kid", "kids"),
    ("child", "children"),
    ("classmate", "classmates"),
    ("cousin", "cousins"),
    ("group", "groups"),
];
const BUY_THINGS: &[(&str, &str)] = &[
    ("notebook", "notebooks"),
    ("pen", "pens"),
    ("toy", "toys"),
    ("ticket", "tickets"),
    ("sandwich", "sandwiches"),
    ("kite", "kites"),
    ("comic", "comics"),
    ("ball", "balls"),
    ("plant", "plants"),
];
const SELL_THINGS: &[(&str, &str)] = &[
    ("cupcake", "cupcakes"),
    ("bracelet", "bracelets"),
    ("drawing", "drawings"),
    ("candle", "candles"),
    ("muffin", "muffins"),
    ("card", "cards"),
    ("pie", "pies"),
];
const RELATIVES: &[&str] = &[
    "brother",
    "sister",
    "cousin",
    "grandma",
    "neighbour",
    "dad",
    "mum",
];

#[derive(Clone, Debug, PartialEq)]
pub enum Start {
    Amount(i64),
    Groups { g: i64, k: i64, container: String },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// `sign` × k, or `sign` × g·k when `groups` = (g, container or thing). `each`: the subject is
    /// "each" of the people from the last share.
    Change {
        sign: i64,
        k: i64,
        verb: String,
        groups: Option<(i64, String)>,
        each: bool,
    },
    /// Shared equally among m people.
    Share {
        m: i64,
        who_one: String,
        who_many: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Story {
    pub name: String,
    pub pron: Pron,
    pub one: String,
    pub many: String,
    pub money: bool,
    pub start: Start,
    pub events: Vec<Event>,
}

// ---------------------------------------------------------------- solving

fn unit(st: &Story, v: i64) -> &str {
    match (st.money, v == 1) {
        (true, true) => "dollar",
        (true, false) => "dollars",
        (false, true) => &st.one,
        (false, false) => &st.many,
    }
}

/// "gets" → "get" for a plural subject.
fn conj(verb: &str, plural: bool) -> String {
    if !plural {
        return verb.to_string();
    }
    let (first, rest) = verb.split_once(' ').unwrap_or((verb, ""));
    let base = first.strip_suffix('s').unwrap_or(first);
    if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base} {rest}")
    }
}

/// Work through a story, writing one line per step. `None` if a step is impossible (a negative
/// amount, an inexact share, numbers out of range).
pub fn solve(prompt: String, st: &Story) -> Option<Problem> {
    if st.events.is_empty() {
        return None;
    }
    let plural = st.name == "They";
    let subj = if st.pron == Pron::They {
        st.name.clone()
    } else {
        st.pron.subj().to_string()
    };
    let mut lines = Vec::new();
    let mut n = match &st.start {
        Start::Amount(v) => {
            lines.push(format!(
                "{} {} with {v} {}.",
                st.name,
                conj("starts", plural),
                unit(st, *v)
            ));
            *v
        }
        Start::Groups { g, k, container } => {
            let p = g.checked_mul(*k)?;
            lines.push(format!(
                "{} {} {g} {container} of {k}: {g} × {k} = {p} {}.",
                st.name,
                if plural { "have" } else { "has" },
                unit(st, p)
            ));
            p
        }
    };
    if !(0..=LIMIT).contains(&n) {
        return None;
    }
    let mut who = ("one".to_string(), "ones".to_string());
    let mut check = String::new();
    for ev in &st.events {
        match ev {
            Event::Change {
                sign,
                k,
                verb,
                groups,
                each,
            } => {
                let subject = if *each {
                    format!("Each {}", who.0)
                } else {
                    subj.clone()
                };
                let v = conj(verb, plural && !*each);
                let delta = match groups {
                    None => *k,
                    Some((g, what)) => {
                        let p = g.checked_mul(*k)?;
                        if st.money {
                            lines.push(format!(
                                "{g} {what} at {k} dollars each: {g} × {k} = {p} dollars."
                            ));
                        } else {
                            lines
                                .push(format!("{subject} {v} {g} {what} of {k}: {g} × {k} = {p}."));
                        }
                        p
                    }
                };
                let r = n.checked_add(sign.checked_mul(delta)?)?;
                if !(0..=LIMIT).contains(&r) || delta > LIMIT {
                    return None;
                }
                let (op, inv) = if *sign > 0 {
                    (Op::Add, Op::Sub)
                } else {
                    (Op::Sub, Op::Add)
                };
                let (op_sign, inv_sign) = (op.symbol(), inv.symbol());
                let head = if groups.is_none() {
                    format!("{subject} {v} {k}: ")
                } else {
                    "Then ".to_string()
                };
                if columns::needs_columns(n, delta) {
                    lines.push(format!("{head}{n} {op_sign} {delta}."));
                    lines.extend(columns::worked(n, op, delta));
                } else {
                    lines.push(format!("{head}{n} {op_sign} {delta} = {r}."));
                }
                check = format!("Check: {r} {inv_sign} {delta} = {n} ✓");
                n = r;
            }
            Event::Share {
                m,
                who_one,
                who_many,
            } => {
                if *m <= 0 || n % m != 0 {
                    return None;
                }
                let r = n / m;
                lines.push(format!("Shared equally among {m} {who_many}: {n} ÷ {m}."));
                lines.push(format!("{}.", division::in_writing(n, *m)));
                check = format!("Check: {r} × {m} = {n} ✓");
                who = (who_one.clone(), who_many.clone());
                n = r;
            }
        }
    }
    lines.push(check);
    let answer = match st.events.last()? {
        Event::Share { .. } => format!("Each {} gets {n} {}.", who.0, unit(st, n)),
        Event::Change { each: true, .. } => format!("Each {} has {n} {} left.", who.0, unit(st, n)),
        Event::Change { sign, .. } => format!(
            "{} {} {n} {} {}.",
            st.name,
            if plural { "have" } else { "has" },
            unit(st, n),
            if *sign > 0 { "now" } else { "left" }
        ),
    };
    Some(Problem {
        family: Family::WordProblem,
        prompt,
        thinking: lines.join("\n"),
        answer,
        expected: Expected::Integer(n),
    })
}

// ---------------------------------------------------------------- generation

struct Ctx {
    name: &'static str,
    pron: Pron,
    friend: &'static str,
    item: &'static Item,
    cont: &'static str,
    rel: &'static str,
}

impl Ctx {
    fn s(&self) -> &'static str {
        self.pron.subj()
    }
}

/// What the question asks about.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ask {
    Gain,
    Lose,
    Share,
    EachLeft,
    MoneyLeft,
    MoneyNow,
}

fn start_amount<R: Rng + ?Sized>(rng: &mut R, c: &Ctx, n: i64) -> String {
    let (name, m) = (c.name, c.item.many);
    match rng.random_range(0..4) {
        0 => format!("{name} has {n} {m}."),
        1 => format!("{name} starts with {n} {m}."),
        2 => format!("{name} collected {n} {m}."),
        _ => format!("{name} has got {n} {m}."),
    }
}

fn start_money<R: Rng + ?Sized>(rng: &mut R, c: &Ctx, n: i64) -> String {
    let name = c.name;
    match rng.random_range(0..4) {
        0 => format!("{name} has {n} dollars."),
        1 => format!("{name} has ${n}."),
        2 => format!("{name} saved {n} dollars."),
        _ => format!("{name} starts with {n} dollars."),
    }
}

fn start_groups<R: Rng + ?Sized>(rng: &mut R, c: &Ctx, g: i64, k: i64) -> String {
    let (name, cont, m) = (c.name, c.cont, c.item.many);
    match rng.random_range(0..3) {
        0 => format!("{name} has {g} {cont} of {k} {m}."),
        1 => format!("{name} has {g} {cont} with {k} {m} in each."),
        _ => format!("{name} packs {g} {cont} with {k} {m} each."),
    }
}

fn gain<R: Rng + ?Sized>(rng: &mut R, c: &Ctx, k: i64) -> (String, &'static str) {
    let (s, o, f, m) = (c.s(), c.pron.obj(), c.friend, c.item.many);
    match rng.random_range(0..6) {
        0 => (format!("{s} gets {k} more {m}."), "gets"),
        1 => (format!("{s} finds {k} more {m}."), "finds"),
        2 => (format!("{f} gives {o} {k} more {m}."), "gets"),
        3 => (format!("{s} receives {k} {m} from {f}."), "gets"),
        4 => (format!("{s} buys {k} more {m}."), "buys"),
        _ => (format!("{s} gets {k} more."), "gets"),
    }
}

fn lose<R: Rng + ?Sized>(rng: &mut R, c: &Ctx, k: i64) -> (String, &'static str) {
    let (s, p, f, m) = (c.s(), c.pron.poss(), c.friend, c.item.many);
    match rng.random_range(0..9) {
        0 => (format!("{s} loses {k} {m}."), "loses"),
        1 => (format!("{s} loses {k} of them."), "loses"),
        2 | 3 if c.item.food => (format!("{s} eats {k} of them."), "eats"),
        2 => (format!("{s} gives away {k} {m}."), "gives away"),
        3 => (format!("{s} uses {k} {m}."), "uses"),
        4 => (format!("{s} gives {k} {m} to {f}."), "gives away"),
        5 => (
            format!("{s} gives {k} of them to {p} {}.", c.rel),
            "gives away",
        ),
        6 => (format!("{s} drops {k} of them."), "drops"),
        7 => (format!("{s} sells {k} {m}."), "sells"),
        _ => (format!("{s} sells {k} of them."), "sells"),
    }
}

fn gain_groups<R: Rng + ?Sized>(rng: &mut R, c: &Ctx, g: i64, k: i64) -> (String, &'static str) {
    let (s, o, f, cont, m) = (c.s(), c.pron.obj(), c.friend, c.cont, c.item.many);
    match rng.random_range(0..4) {
        0 => (format!("{s} buys {g} {cont} of {k} {m}."), "buys"),
        1 => (
            format!("{s} buys {g} more {cont} with {k} {m} in each."),
            "buys",
        ),
        2 => (format!("{f} gives {o} {g} {cont} of {k} {m}."), "gets"),
        _ => (format!("{s} gets {g} {cont} with {k} {m} each."), "gets"),
    }
}

fn lose_groups<R: Rng + ?Sized>(rng: &mut R, c: &Ctx, g: i64, k: i64) -> (String, &'static str) {
    let (s, cont, m) = (c.s(), c.cont, c.item.many);
    match rng.random_range(0..3) {
        0 => (format!("{s} sells {g} {cont} of {k} {m}."), "sells"),
        1 => (
            format!("{s} sells {g} {cont} with {k} {m} in each."),
            "sells",
        ),
        _ => (
            format!("{s} gives away {g} {cont} of {k} {m}."),
            "gives away",
        ),
    }
}

fn share<R: Rng + ?Sized>(rng: &mut R, c: &Ctx, m: i64, who: (&str, &str)) -> String {
    let (s, items) = (c.s(), c.item.many);
    let w = who.1;
    if w == "groups" {
        return format!("{s} divides them equally into {m} groups.");
    }
    match rng.random_range(0..4) {
        0 => format!("{s} shares them equally among {m} {w}."),
        1 => format!("{s} shares the {items} equally between {m} {w}."),
        2 => format!("{s} splits them equally among {m} {w}."),
        _ => format!("The {items} are shared equally among {m} {w}."),
    }
}

fn each_lose<R: Rng + ?Sized>(
    rng: &mut R,
    c: &Ctx,
    who_one: &str,
    k: i64,
) -> (String, &'static str) {
    match rng.random_range(0..3) {
        0 if c.item.food => (format!("Each {who_one} eats {k}."), "eats"),
        0 | 1 => (format!("Each {who_one} loses {k}."), "loses"),
        _ => (format!("Each {who_one} gives away {k}."), "gives away"),
    }
}

fn question<R: Rng + ?Sized>(rng: &mut R, c: &Ctx, ask: Ask, who_one: &str) -> String {
    let (name, m, s) = (c.name, c.item.many, c.s().to_lowercase());
    let options: Vec<String> = match ask {
        Ask::Gain => vec![
            format!("How many {m} does {name} have now?"),
            format!("How many {m} does {s} have now?"),
            format!("How many {m} does {name} have in total?"),
        ],
        Ask::Lose => vec![
            format!("How many {m} does {name} have left?"),
            format!("How many {m} are left?"),
            format!("How many {m} does {s} have now?"),
        ],
        Ask::Share => vec![
            format!("How many {m} does each {who_one} get?"),
            format!("How many does each {who_one} get?"),
        ],
        Ask::EachLeft => vec![
            format!("How many {m} does each {who_one} have left?"),
            format!("How many does each {who_one} have now?"),
        ],
        Ask::MoneyLeft => vec![
            format!("How much money does {name} have left?"),
            format!("How many dollars does {s} have left?"),
            "How much money is left?".to_string(),
        ],
        Ask::MoneyNow => vec![
            format!("How much money does {name} have now?"),
            format!("How many dollars does {s} have now?"),
        ],
    };
    pick(rng, &options).clone()
}

fn change(sign: i64, k: i64, verb: &str) -> Event {
    Event::Change {
        sign,
        k,
        verb: verb.to_string(),
        groups: None,
        each: false,
    }
}

fn change_groups(sign: i64, g: i64, k: i64, what: &str, verb: &str) -> Event {
    Event::Change {
        sign,
        k,
        verb: verb.to_string(),
        groups: Some((g, what.to_string())),
        each: false,
    }
}

/// A random story, its sentences (question last), and whether it is about money.
fn random_story<R: Rng + ?Sized>(rng: &mut R) -> (Story, Vec<String>) {
    let &(name, pron) = pick(rng, NAMES);
    let friend = loop {
        let &(f, _) = pick(rng, NAMES);
        if f != name {
            break f;
        }
    };
    let item = pick(rng, ITEMS);
    let cont = *pick(rng, CONTAINERS);
    let rel = *pick(rng, RELATIVES);
    let c = Ctx {
        name,
        pron,
        friend,
        item,
        cont,
        rel,
    };
    let &(who_one, who_many) = pick(rng, WHO);
    let mut sents = Vec::new();
    let mut events = Vec::new();
    let mut money = false;
    let start;
    let ask;
    match rng.random_range(0..13) {
        // Buying groups of items.
        0 => {
            let (n, g, k) = (
                rng.random_range(2..=40),
                rng.random_range(2..=6),
                rng.random_range(2..=12),
            );
            start = Start::Amount(n);
            sents.push(start_amount(rng, &c, n));
            let (s, v) = gain_groups(rng, &c, g, k);
            sents.push(s);
            events.push(change_groups(1, g, k, c.cont, v));
            ask = Ask::Gain;
        }
        // Groups, then losing some.
        1 => {
            let (g, k) = (rng.random_range(2..=8), rng.random_range(3..=12));
            let l = rng.random_range(1..g * k);
            start = Start::Groups {
                g,
                k,
                container: c.cont.to_string(),
            };
            sents.push(start_groups(rng, &c, g, k));
            let (s, v) = lose(rng, &c, l);
            sents.push(s);
            events.push(change(-1, l, v));
            ask = Ask::Lose;
        }
        // Receiving, then sharing.
        2 => {
            let (m, q) = (rng.random_range(2..=6), rng.random_range(2..=12));
            let t = m * q;
            let n = rng.random_range(1..t);
            start = Start::Amount(n);
            sents.push(start_amount(rng, &c, n));
            let (s, v) = gain(rng, &c, t - n);
            sents.push(s);
            events.push(change(1, t - n, v));
            sents.push(share(rng, &c, m, (who_one, who_many)));
            events.push(Event::Share {
                m,
                who_one: who_one.to_string(),
                who_many: who_many.to_string(),
            });
            ask = Ask::Share;
        }
        // Selling twice.
        3 => {
            let n = rng.random_range(20..=90);
            let s1 = rng.random_range(1..=n / 2);
            let s2 = rng.random_range(1..=n - s1);
            start = Start::Amount(n);
            sents.push(start_amount(rng, &c, n));
            let m = c.item.many;
            sents.push(format!("{} sells {s1} {m} in the morning.", c.s()));
            sents.push(format!("{} sells {s2} more in the afternoon.", c.s()));
            events.push(change(-1, s1, "sells"));
            events.push(change(-1, s2, "sells"));
            ask = Ask::Lose;
        }
        // Losing, then receiving.
        4 => {
            let n = rng.random_range(10..=60);
            let (l, k) = (rng.random_range(1..n), rng.random_range(2..=30));
            start = Start::Amount(n);
            sents.push(start_amount(rng, &c, n));
            let (s, v) = lose(rng, &c, l);
            sents.push(s);
            events.push(change(-1, l, v));
            let (s, v) = gain(rng, &c, k);
            sents.push(s);
            events.push(change(1, k, v));
            ask = Ask::Gain;
        }
        // Spending money on several things.
        5 => {
            money = true;
            let &(_, things) = pick(rng, BUY_THINGS);
            let (g, k) = (rng.random_range(2..=6), rng.random_range(2..=12));
            let n = g * k + rng.random_range(0..=60);
            start = Start::Amount(n);
            sents.push(start_money(rng, &c, n));
            sents.push(match rng.random_range(0..3) {
                0 => format!("{} buys {g} {things} for {k} dollars each.", c.s()),
                1 => format!("{} buys {g} {things} that cost {k} dollars each.", c.s()),
                _ => format!("{} buys {g} {things} at ${k} each.", c.s()),
            });
            events.push(change_groups(-1, g, k, things, "buys"));
            ask = Ask::MoneyLeft;
        }
        // Groups, shared equally.
        6 => {
            let (g, k) = (rng.random_range(2..=8), rng.random_range(2..=12));
            let p = g * k;
            let divisors: Vec<i64> = (2..=9).filter(|d| p % d == 0 && *d < p).collect();
            let m = if divisors.is_empty() {
                1
            } else {
                *pick(rng, &divisors)
            };
            start = Start::Groups {
                g,
                k,
                container: c.cont.to_string(),
            };
            sents.push(start_groups(rng, &c, g, k));
            sents.push(share(rng, &c, m, (who_one, who_many)));
            events.push(Event::Share {
                m,
                who_one: who_one.to_string(),
                who_many: who_many.to_string(),
            });
            ask = Ask::Share;
        }
        // Sharing, then each one loses some.
        7 => {
            let (m, q) = (rng.random_range(2..=6), rng.random_range(3..=12));
            let k = rng.random_range(1..q);
            start = Start::Amount(m * q);
            sents.push(start_amount(rng, &c, m * q));
            sents.push(share(rng, &c, m, (who_one, who_many)));
            events.push(Event::Share {
                m,
                who_one: who_one.to_string(),
                who_many: who_many.to_string(),
            });
            let (s, v) = each_lose(rng, &c, who_one, k);
            sents.push(s);
            events.push(Event::Change {
                sign: -1,
                k,
                verb: v.to_string(),
                groups: None,
                each: true,
            });
            ask = Ask::EachLeft;
        }
        // Selling things for money.
        8 => {
            money = true;
            let &(_, things) = pick(rng, SELL_THINGS);
            let (n, g, k) = (
                rng.random_range(0..=50),
                rng.random_range(2..=8),
                rng.random_range(2..=10),
            );
            start = Start::Amount(n);
            sents.push(start_money(rng, &c, n));
            sents.push(match rng.random_range(0..2) {
                0 => format!("{} sells {g} {things} for {k} dollars each.", c.s()),
                _ => format!("{} sells {g} {things} at ${k} each.", c.s()),
            });
            events.push(change_groups(1, g, k, things, "sells"));
            ask = Ask::MoneyNow;
        }
        // Groups, then receiving more.
        9 => {
            let (g, k, more) = (
                rng.random_range(2..=8),
                rng.random_range(2..=12),
                rng.random_range(2..=20),
            );
            start = Start::Groups {
                g,
                k,
                container: c.cont.to_string(),
            };
            sents.push(start_groups(rng, &c, g, k));
            let (s, v) = gain(rng, &c, more);
            sents.push(s);
            events.push(change(1, more, v));
            ask = Ask::Gain;
        }
        // Selling or giving away groups.
        10 => {
            let (g, k) = (rng.random_range(2..=5), rng.random_range(2..=10));
            let n = g * k + rng.random_range(1..=40);
            start = Start::Amount(n);
            sents.push(start_amount(rng, &c, n));
            let (s, v) = lose_groups(rng, &c, g, k);
            sents.push(s);
            events.push(change_groups(-1, g, k, c.cont, v));
            ask = Ask::Lose;
        }
        // Earning, then spending money.
        11 => {
            money = true;
            let &(thing, _) = pick(rng, BUY_THINGS);
            let (n, e) = (rng.random_range(5..=50), rng.random_range(2..=30));
            let sp = rng.random_range(1..=n + e);
            start = Start::Amount(n);
            sents.push(start_money(rng, &c, n));
            sents.push(match rng.random_range(0..3) {
                0 => format!("{} earns {e} dollars.", c.s()),
                1 => format!("{} gives {} {e} dollars.", c.friend, c.pron.obj()),
                _ => format!(
                    "{} gets {e} dollars from {} {}.",
                    c.s(),
                    c.pron.poss(),
                    c.rel
                ),
            });
            events.push(change(1, e, "gets"));
            sents.push(match rng.random_range(0..2) {
                0 => format!("{} spends {sp} dollars on a {thing}.", c.s()),
                _ => format!("{} pays {sp} dollars for a {thing}.", c.s()),
            });
            events.push(change(-1, sp, "spends"));
            ask = Ask::MoneyLeft;
        }
        // Losing some, then sharing the rest.
        _ => {
            let (m, q, l) = (
                rng.random_range(2..=6),
                rng.random_range(2..=10),
                rng.random_range(1..=20),
            );
            let n = m * q + l;
            start = Start::Amount(n);
            sents.push(start_amount(rng, &c, n));
            let (s, v) = lose(rng, &c, l);
            sents.push(s);
            events.push(change(-1, l, v));
            sents.push(share(rng, &c, m, (who_one, who_many)));
            events.push(Event::Share {
                m,
                who_one: who_one.to_string(),
                who_many: who_many.to_string(),
            });
            ask = Ask::Share;
        }
    }
    sents.push(question(rng, &c, ask, who_one));
    let (one, many) = if money {
        ("dollar", "dollars")
    } else {
        (c.item.one, c.item.many)
    };
    let story = Story {
        name: name.to_string(),
        pron,
        one: one.to_string(),
        many: many.to_string(),
        money,
        start,
        events,
    };
    (story, sents)
}

/// Join sentences into a prompt, sometimes merging two steps with ", then", sometimes lowercase.
fn join_sentences<R: Rng + ?Sized>(rng: &mut R, sents: &[String], subj: &str) -> String {
    let lead = format!("{subj} ");
    let mut out = String::new();
    for (i, s) in sents.iter().enumerate() {
        if i >= 2
            && i + 1 < sents.len()
            && s.starts_with(&lead)
            && out.ends_with('.')
            && rng.random_bool(0.3)
        {
            out.pop();
            out.push_str(", then ");
            out.push_str(&util::lower_first(s));
            continue;
        }
        if i > 0 {
            out.push(' ');
        }
        out.push_str(s);
    }
    if rng.random_bool(0.1) {
        out = out.to_lowercase();
    }
    if rng.random_bool(0.15) && out.ends_with('?') {
        out.pop();
    }
    out
}

pub fn generate<R: Rng + ?Sized>(rng: &mut R) -> Problem {
    for _ in 0..100 {
        let (story, sents) = random_story(rng);
        let prompt = join_sentences(rng, &sents, story.pron.subj());
        if let Some(p) = solve(prompt, &story) {
            return p;
        }
    }
    // Not reached in practice: every pattern above builds a valid story.
    let story = Story {
        name: "Tom".to_string(),
        pron: Pron::He,
        one: "apple".to_string(),
        many: "apples".to_string(),
        money: false,
        start: Start::Amount(12),
        events: vec![change_groups(1, 3, 5, "bags", "buys")],
    };
    let prompt = "Tom has 12 apples. He buys 3 bags of 5 apples. How many apples does he have now?"
        .to_string();
    solve(prompt.clone(), &story).unwrap_or(Problem {
        family: Family::WordProblem,
        prompt,
        thinking: String::new(),
        answer: "Tom has 27 apples now.".to_string(),
        expected: Expected::Integer(27),
    })
}

// ---------------------------------------------------------------- parsing

#[rustfmt::skip]
const SHARE_WORDS: &[&str] = &[
    "share", "shares", "shared", "split", "splits", "divide", "divides", "divided", "equally",
];
#[rustfmt::skip]
const START_WORDS: &[&str] = &[
    "has", "have", "had", "starts", "start", "started", "owns", "own", "collected", "collects", "packs",
    "packed", "saved", "got", "gets", "there", "keeps", "buys", "bought", "is", "are", "was", "were",
];
#[rustfmt::skip]
const VERBS: &[&str] = &[
    "loses", "lose", "lost", "eats", "eat", "ate", "drops", "drop", "dropped", "uses", "use", "used",
    "breaks", "break", "broke", "spends", "spend", "spent", "pays", "pay", "paid", "sells", "sell", "sold",
    "buys", "buy", "bought", "gives", "give", "gave", "gets", "get", "got", "receives", "receive", "received",
    "wins", "won", "earns", "earn", "earned", "collects", "collected", "picks", "picked", "adds", "added",
    "gains", "gained", "finds", "find", "found", "shares", "share", "splits", "split", "divides", "divide",
    "he", "she", "they",
];
#[rustfmt::skip]
const NOT_NAMES: &[&str] = &[
    "there", "the", "a", "an", "in", "at", "on", "if", "each", "my", "your", "our", "his", "her", "their",
    "one", "some", "today", "yesterday", "he", "she", "they", "we", "i", "you", "it", "this", "that", "how",
    "what", "after", "when", "mr", "mrs", "ms", "every", "all",
];

/// Sign and trace verb of a change clause. Money stories flip buying and selling.
fn classify(words: &[&str], money: bool) -> Option<(i64, &'static str)> {
    let has = |w: &str| words.contains(&w);
    for &w in words {
        let r = match w {
            "loses" | "lose" | "lost" => (-1, "loses"),
            "eats" | "eat" | "ate" => (-1, "eats"),
            "drops" | "drop" | "dropped" => (-1, "drops"),
            "uses" | "use" | "used" => (-1, "uses"),
            "breaks" | "break" | "broke" => (-1, "breaks"),
            "spends" | "spend" | "spent" | "pays" | "pay" | "paid" => (-1, "spends"),
            "sells" | "sell" | "sold" => (if money { 1 } else { -1 }, "sells"),
            "buys" | "buy" | "bought" => (if money { -1 } else { 1 }, "buys"),
            "gives" | "give" | "gave" if has("away") || has("to") => (-1, "gives away"),
            "gives" | "give" | "gave" => (1, "gets"),
            "gets" | "get" | "got" | "receives" | "receive" | "received" | "wins" | "won"
            | "earns" | "earn" | "earned" | "collects" | "collected" | "picks" | "picked"
            | "adds" | "added" | "gains" | "gained" => (1, "gets"),
            "finds" | "find" | "found" => (1, "finds"),
            _ => continue,
        };
        return Some(r);
    }
    None
}

struct Clause {
    toks: Vec<Token>,
    question: bool,
}

fn push_clause(cur: &mut Vec<Token>, question: bool, out: &mut Vec<Clause>) {
    if cur.is_empty() {
        return;
    }
    let q = question
        || cur
            .first()
            .is_some_and(|t| t.is_any_word(&["how", "what", "which", "find", "calculate"]));
    out.push(Clause {
        toks: std::mem::take(cur),
        question: q,
    });
}

/// Split at sentence ends, at "then", and at "and" before a verb or pronoun.
fn split_clauses(toks: &[Token]) -> Vec<Clause> {
    let mut out = Vec::new();
    let mut cur: Vec<Token> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match &t.tok {
            Tok::Punct('.' | '!' | ';' | ':') => push_clause(&mut cur, false, &mut out),
            Tok::Punct('?') => push_clause(&mut cur, true, &mut out),
            Tok::Punct(',') => {}
            Tok::Word(w) if w == "then" => push_clause(&mut cur, false, &mut out),
            Tok::Word(w) if w == "and" && toks.get(i + 1).is_some_and(|n| n.is_any_word(VERBS)) => {
                push_clause(&mut cur, false, &mut out)
            }
            _ => cur.push(t.clone()),
        }
    }
    push_clause(&mut cur, false, &mut out);
    out
}

/// The word after the `nth` number of a clause (skipping "more"): the item, container or people.
fn word_after(toks: &[Token], nth: usize) -> Option<String> {
    let pos = toks
        .iter()
        .enumerate()
        .filter(|(_, t)| t.num().is_some())
        .nth(nth)?
        .0;
    toks[pos + 1..]
        .iter()
        .filter_map(Token::word)
        .find(|w| *w != "more" && *w != "extra")
        .map(str::to_string)
}

fn singular(w: &str) -> String {
    if let Some(it) = ITEMS.iter().find(|it| it.many == w) {
        return it.one.to_string();
    }
    if let Some((one, _)) = WHO
        .iter()
        .chain(BUY_THINGS)
        .chain(SELL_THINGS)
        .find(|(_, many)| *many == w)
    {
        return one.to_string();
    }
    match w {
        "people" => return "person".to_string(),
        "men" => return "man".to_string(),
        "women" => return "woman".to_string(),
        _ => {}
    }
    if let Some(s) = w.strip_suffix("ies") {
        return format!("{s}y");
    }
    if ["ches", "shes", "xes", "sses"]
        .iter()
        .any(|e| w.ends_with(e))
    {
        return w[..w.len() - 2].to_string();
    }
    match w.strip_suffix('s') {
        Some(s) if !s.is_empty() && !s.ends_with('s') => s.to_string(),
        _ => w.to_string(),
    }
}

/// The main character: a known name, or a capitalised first word; otherwise "They".
fn person(prompt: &str, toks: &[Token]) -> (String, Pron) {
    let first: String = prompt
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphabetic())
        .collect();
    if let Some((n, p)) = NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(&first)) {
        return (n.to_string(), *p);
    }
    let pron = toks
        .iter()
        .find_map(|t| match t.word()? {
            "he" | "him" | "his" => Some(Pron::He),
            "she" | "her" | "hers" => Some(Pron::She),
            _ => None,
        })
        .unwrap_or(Pron::They);
    let capital = first.chars().next().is_some_and(char::is_uppercase);
    if capital && first.chars().count() > 1 && !NOT_NAMES.contains(&first.to_lowercase().as_str()) {
        (first, pron)
    } else {
        ("They".to_string(), Pron::They)
    }
}

/// Read a story back from text.
pub fn parse_story(prompt: &str, toks: &[Token]) -> Option<Story> {
    if toks
        .iter()
        .any(|t| matches!(t.tok, Tok::Op(_) | Tok::Dec(_) | Tok::Big))
    {
        return None;
    }
    let money = toks
        .iter()
        .any(|t| t.is_any_word(&["dollar", "dollars", "money"]) || t.is_punct('$'));
    let mut start: Option<Start> = None;
    let mut many = String::new();
    let mut events = Vec::new();
    for cl in split_clauses(toks) {
        let nums = numbers(&cl.toks);
        if cl.question {
            if !nums.is_empty() {
                return None;
            }
            continue;
        }
        if nums.is_empty() {
            continue;
        }
        if nums.iter().any(|v| !(0..=LIMIT).contains(v)) {
            return None;
        }
        let words: Vec<&str> = cl.toks.iter().filter_map(Token::word).collect();
        if start.is_none() {
            if !words.iter().any(|w| START_WORDS.contains(w)) {
                return None;
            }
            start = Some(match nums.len() {
                1 => Start::Amount(nums[0]),
                2 => Start::Groups {
                    g: nums[0],
                    k: nums[1],
                    container: word_after(&cl.toks, 0)?,
                },
                _ => return None,
            });
            many = if money {
                "dollars".to_string()
            } else {
                word_after(&cl.toks, nums.len() - 1).unwrap_or_else(|| "things".to_string())
            };
            continue;
        }
        let each = cl.toks.first().is_some_and(|t| t.is_word("each"));
        if words.iter().any(|w| SHARE_WORDS.contains(w)) {
            if nums.len() != 1 {
                return None;
            }
            let who_many = word_after(&cl.toks, 0).unwrap_or_else(|| "people".to_string());
            events.push(Event::Share {
                m: nums[0],
                who_one: singular(&who_many),
                who_many,
            });
        } else {
            let (sign, verb) = classify(&words, money)?;
            let groups = match nums.len() {
                1 => None,
                2 => Some((nums[0], word_after(&cl.toks, 0)?)),
                _ => return None,
            };
            events.push(Event::Change {
                sign,
                k: *nums.last()?,
                verb: verb.to_string(),
                groups,
                each,
            });
        }
    }
    let start = start?;
    if events.is_empty() {
        return None;
    }
    let (name, pron) = person(prompt, toks);
    let one = if money {
        "dollar".to_string()
    } else {
        singular(&many)
    };
    Some(Story {
        name,
        pron,
        one,
        many,
        money,
        start,
        events,
    })
}

pub fn parse(prompt: &str, toks: &[Token]) -> Option<Problem> {
    let st = parse_story(prompt, toks)?;
    solve(prompt.to_string(), &st)
}

/// At least one step equation before the check, and sound column blocks.
pub fn check_trace(lines: &[Line]) -> Result<(), String> {
    let blocks = columns::check_blocks(lines)?;
    columns::require_block_results(lines, &blocks)?;
    let steps = lines
        .iter()
        .filter(|l| !l.is_check())
        .flat_map(|l| l.rels.iter())
        .filter(|r| r.op == '=')
        .count();
    if steps == 0 {
        return Err("no step equations".to_string());
    }
    Ok(())
}
