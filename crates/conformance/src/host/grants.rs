//! `grants`, `mailbox` and `introspect` on wasmtime.

use slots_core::GrantError;
use slots_host::{Bucket, Pattern};
use wasmtime::component::Resource;

use super::slots::host::grants::{Host as Grants, RedeemError, Token};
use super::slots::host::introspect::{Counters, Host as Introspect};
use super::slots::host::mailbox::{Host as Mail, Message};
use super::{TenantState, WitError, bad, raw, wit_error};

fn token(token: slots_core::Token) -> Token {
    Token {
        high: token.high(),
        low: token.low(),
    }
}

fn core_token(token: &Token) -> slots_core::Token {
    slots_core::Token::from_halves(token.high, token.low)
}

impl TenantState {
    fn grant<T: slots_core::Resource>(
        &mut self,
        rep: u32,
    ) -> wasmtime::Result<Result<Token, WitError>> {
        match self
            .table
            .grant::<T>(raw(rep)?, &self.shared.grants, &self.namespace)
        {
            Ok(issued) => Ok(Ok(token(issued))),
            Err(GrantError::Handle(error)) => Err(bad::<T>(&error)),
            Err(error) => Ok(Err(WitError::QuotaExceeded(error.to_string()))),
        }
    }

    fn redeem<T: slots_core::Resource>(
        &mut self,
        t: &Token,
    ) -> wasmtime::Result<Result<Resource<T>, RedeemError>> {
        use slots_core::RedeemError as Core;
        Ok(
            match self.table.redeem::<T>(&self.shared.grants, core_token(t)) {
                Ok(handle) => Ok(Resource::new_own(handle.raw().to_bits())),
                Err(Core::Unknown) => Err(RedeemError::Unknown),
                Err(Core::Expired) => Err(RedeemError::Expired),
                Err(Core::WrongType { found, .. }) => {
                    Err(RedeemError::WrongType(found.to_string()))
                }
                Err(Core::Revoked) => Err(RedeemError::Revoked),
                Err(other) => Err(RedeemError::QuotaExceeded(other.to_string())),
            },
        )
    }
}

impl Grants for TenantState {
    fn grant_pattern(&mut self, p: Resource<Pattern>) -> wasmtime::Result<Result<Token, WitError>> {
        self.grant::<Pattern>(p.rep())
    }

    fn redeem_pattern(
        &mut self,
        t: Token,
    ) -> wasmtime::Result<Result<Resource<Pattern>, RedeemError>> {
        self.redeem(&t)
    }

    fn grant_bucket(&mut self, b: Resource<Bucket>) -> wasmtime::Result<Result<Token, WitError>> {
        self.grant::<Bucket>(b.rep())
    }

    fn redeem_bucket(
        &mut self,
        t: Token,
    ) -> wasmtime::Result<Result<Resource<Bucket>, RedeemError>> {
        self.redeem(&t)
    }
}

impl Mail for TenantState {
    fn send(
        &mut self,
        recipient: String,
        subject: String,
        t: Option<Token>,
    ) -> wasmtime::Result<Result<(), WitError>> {
        let t = t.map(|t| slots_host::Token {
            high: t.high,
            low: t.low,
        });
        Ok(self
            .data
            .mailbox
            .send(&self.namespace, &recipient, subject, t)
            .map_err(wit_error))
    }

    fn receive(&mut self) -> wasmtime::Result<Option<Message>> {
        Ok(self.data.mailbox.receive(&self.namespace).map(|m| Message {
            sender: m.sender,
            subject: m.subject,
            token: m.token.map(|t| Token {
                high: t.high,
                low: t.low,
            }),
        }))
    }
}

impl Introspect for TenantState {
    fn snapshot(&mut self) -> wasmtime::Result<Counters> {
        Ok(self.counters())
    }
}
