//! Guest `grants`: a plugin that shares objects with other tenants by
//! grant, driven by the messages in its mailbox.
//!
//! Each run handles every waiting message; the subject is an instruction:
//!
//! - `give <pattern|bucket> <tenant> <subject...>`: open the granted
//!   pattern (or make a bucket holding `from-giver = hello`), grant it, and
//!   send the token to `<tenant>` under `<subject...>`. The guest keeps its
//!   own handle.
//! - `take <pattern|bucket> <outcome>`: redeem the message's token as that
//!   resource and check the outcome: `ok`, `unknown`, `expired`,
//!   `wrong-type` or `revoked`. Before that, a forged token (the real one
//!   with bits flipped) must be `unknown`, and after an `ok`, replaying the
//!   token must be `unknown` too. A redeemed pattern must be the granted
//!   one; a redeemed bucket must hold the giver's entry, and gets
//!   `from-taker = hi` written into it for the giver to see.
//! - `expect-entry <key> <value>`: every held bucket maps `key` to `value`.
//! - `use`: call a method on every held handle. After the host revokes an
//!   object this traps, saying the handle was revoked.
//! - `drop`: drop every held handle.

use std::cell::RefCell;

use slots_guest_sdk::{
    Bucket, Error, Guest, MatchOptions, Message, Pattern, RedeemError, Token, ensure, ensure_eq,
    ensure_matches, ensure_ne, mailbox,
};

/// The guest; see the crate documentation.
struct Grants;

/// The pattern every giver grants.
pub const GRANTED_SOURCE: &str = "slots-[0-9]+";

/// A handle the guest keeps between runs.
#[derive(Debug)]
enum Held {
    Pattern(Pattern),
    Bucket(Bucket),
}

thread_local! {
    static HELD: RefCell<Vec<Held>> = const { RefCell::new(Vec::new()) };
}

fn keep(held: Held) {
    HELD.with(|all| all.borrow_mut().push(held));
}

impl Guest for Grants {
    fn run() -> Result<(), String> {
        let mut handled = 0;
        while let Some(message) = mailbox::receive() {
            handle(&message).map_err(|e| format!("`{}`: {e}", message.subject))?;
            handled += 1;
        }
        ensure!(handled > 0, "the mailbox was empty");
        Ok(())
    }
}

fn handle(message: &Message) -> Result<(), String> {
    let words: Vec<&str> = message.subject.split_whitespace().collect();
    match words.as_slice() {
        ["give", kind, tenant, subject @ ..] => give(kind, tenant, &subject.join(" ")),
        ["take", kind, outcome] => take(kind, outcome, message.token),
        ["expect-entry", key, value] => expect_entry(key, value),
        ["use"] => use_held(),
        ["drop"] => {
            HELD.with(|all| all.borrow_mut().clear());
            Ok(())
        }
        _ => Err(format!("unknown instruction from `{}`", message.sender)),
    }
}

fn give(kind: &str, tenant: &str, subject: &str) -> Result<(), String> {
    let token = match kind {
        "pattern" => {
            let pattern = Pattern::open(GRANTED_SOURCE, MatchOptions::empty())?;
            let token = pattern.grant()?;
            keep(Held::Pattern(pattern));
            token
        }
        "bucket" => {
            let bucket = Bucket::new("shared-notes");
            bucket.put("from-giver", b"hello")?;
            let token = bucket.grant()?;
            keep(Held::Bucket(bucket));
            token
        }
        other => return Err(format!("no resource `{other}` to give")),
    };
    // Only tenants the host opened an inbox for can be written to.
    ensure_matches!(
        mailbox::send("nobody", subject, Some(token)),
        Err(Error::NotFound(_))
    );
    mailbox::send(tenant, subject, Some(token))?;
    Ok(())
}

fn redeem(kind: &str, token: Token) -> Result<Result<Held, RedeemError>, String> {
    Ok(match kind {
        "pattern" => Pattern::redeem(token).map(Held::Pattern),
        "bucket" => Bucket::redeem(token).map(Held::Bucket),
        other => return Err(format!("no resource `{other}` to take")),
    })
}

fn take(kind: &str, outcome: &str, token: Option<Token>) -> Result<(), String> {
    let token = token.ok_or("the message carries no token")?;
    let forged = Token {
        high: token.high ^ 0x5a5a_5a5a,
        low: token.low,
    };
    // A forged token is unknown; guessing does not burn the real one.
    ensure_matches!(redeem(kind, forged)?, Err(RedeemError::Unknown));

    let redeemed = redeem(kind, token)?;
    match (outcome, redeemed) {
        ("ok", Ok(held)) => {
            check_granted(&held)?;
            keep(held);
            // A replayed token is unknown: each is redeemed once.
            ensure_matches!(redeem(kind, token)?, Err(RedeemError::Unknown));
        }
        ("unknown", Err(RedeemError::Unknown))
        | ("expired", Err(RedeemError::Expired))
        | ("revoked", Err(RedeemError::Revoked)) => {}
        ("wrong-type", Err(RedeemError::WrongType(found))) => {
            ensure!(found != kind, "`{found}` was refused as a `{kind}`");
        }
        (outcome, Ok(_)) => return Err(format!("redeemed, but `{outcome}` was expected")),
        (outcome, Err(error)) => {
            return Err(format!("`{outcome}` expected, got: {}", error.describe()));
        }
    }
    Ok(())
}

fn check_granted(held: &Held) -> Result<(), String> {
    match held {
        Held::Pattern(pattern) => {
            ensure_eq!(pattern.source(), GRANTED_SOURCE);
            ensure!(pattern.is_match("slots-42"));
        }
        Held::Bucket(bucket) => {
            ensure_eq!(bucket.name(), "shared-notes");
            ensure_eq!(bucket.get("from-giver"), Some(b"hello".to_vec()));
            bucket.put("from-taker", b"hi")?;
        }
    }
    Ok(())
}

fn expect_entry(key: &str, value: &str) -> Result<(), String> {
    HELD.with(|all| {
        let all = all.borrow();
        let buckets: Vec<&Bucket> = all
            .iter()
            .filter_map(|held| match held {
                Held::Bucket(bucket) => Some(bucket),
                Held::Pattern(_) => None,
            })
            .collect();
        ensure!(!buckets.is_empty(), "no bucket held");
        for bucket in buckets {
            ensure_eq!(bucket.get(key), Some(value.as_bytes().to_vec()));
        }
        Ok(())
    })
}

fn use_held() -> Result<(), String> {
    HELD.with(|all| {
        for held in all.borrow().iter() {
            match held {
                Held::Pattern(pattern) => ensure!(pattern.is_match("slots-1")),
                Held::Bucket(bucket) => ensure_ne!(bucket.len(), 0),
            }
        }
        Ok(())
    })
}

slots_guest_sdk::export!(Grants);
