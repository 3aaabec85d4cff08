//! `mailbox`: the channel this host offers between tenants — messages
//! addressed to a namespace, each with an optional grant token.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use host_wasmer::{Ctx, HostError};

use crate::generated::slots::host::mailbox::Host;
use crate::{Error, HostData, Message, Token};

/// Inboxes of the tenants the embedder has opened, bounded each.
///
/// Only tenants with an inbox can be written to, so a guest cannot make the
/// host keep mail for names it invents.
///
/// # Examples
///
/// ```
/// use slots_host::Mailbox;
///
/// let mailbox = Mailbox::new(Mailbox::DEFAULT_CAPACITY);
/// mailbox.open("tenant-b");
/// mailbox.send("tenant-a", "tenant-b", "hello".into(), None).unwrap();
/// assert!(mailbox.send("tenant-a", "nobody", "hello".into(), None).is_err());
/// let message = mailbox.receive("tenant-b").unwrap();
/// assert_eq!((message.sender.as_str(), message.subject.as_str()), ("tenant-a", "hello"));
/// assert!(mailbox.receive("tenant-b").is_none());
/// ```
#[derive(Debug)]
pub struct Mailbox {
    inboxes: Mutex<HashMap<Arc<str>, VecDeque<Message>>>,
    capacity: usize,
}

impl Mailbox {
    /// Messages an inbox holds by default before it refuses more.
    pub const DEFAULT_CAPACITY: usize = 64;
    /// Longest subject, in bytes.
    pub const MAX_SUBJECT_LEN: usize = 256;

    /// A mailbox whose inboxes hold `capacity` messages each.
    pub fn new(capacity: usize) -> Arc<Self> {
        Arc::new(Self {
            inboxes: Mutex::new(HashMap::new()),
            capacity,
        })
    }

    /// Opens an inbox for `tenant`, so others can write to it.
    pub fn open(&self, tenant: &str) {
        self.lock().entry(tenant.into()).or_default();
    }

    /// Messages waiting for `tenant`.
    pub fn pending(&self, tenant: &str) -> usize {
        self.lock().get(tenant).map_or(0, VecDeque::len)
    }

    /// Sends a message from `sender` to `recipient`'s inbox.
    pub fn send(
        &self,
        sender: &str,
        recipient: &str,
        subject: String,
        token: Option<Token>,
    ) -> Result<(), Error> {
        if subject.len() > Self::MAX_SUBJECT_LEN {
            return Err(Error::Invalid(format!(
                "subject of {} bytes is over the {}-byte limit",
                subject.len(),
                Self::MAX_SUBJECT_LEN
            )));
        }
        let mut inboxes = self.lock();
        let inbox = inboxes
            .get_mut(recipient)
            .ok_or_else(|| Error::NotFound(format!("tenant `{recipient}`")))?;
        if inbox.len() >= self.capacity {
            return Err(Error::QuotaExceeded(format!(
                "the inbox of `{recipient}` holds {} messages, its limit",
                self.capacity
            )));
        }
        inbox.push_back(Message {
            sender: sender.to_string(),
            subject,
            token,
        });
        Ok(())
    }

    /// The oldest message waiting for `tenant`.
    pub fn receive(&self, tenant: &str) -> Option<Message> {
        self.lock().get_mut(tenant)?.pop_front()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Arc<str>, VecDeque<Message>>> {
        // Nothing panics under the lock; its data stays consistent.
        self.inboxes.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Host for HostData {
    /// `send`: from the calling instance's namespace.
    fn send(
        cx: &mut Ctx<'_, Self>,
        recipient: String,
        subject: String,
        token: Option<Token>,
    ) -> Result<Result<(), Error>, HostError> {
        let sender = cx.namespace().clone();
        Ok(cx.data().mailbox.send(&sender, &recipient, subject, token))
    }

    /// `receive`: the oldest message for the calling instance's namespace.
    fn receive(cx: &mut Ctx<'_, Self>) -> Result<Option<Message>, HostError> {
        let tenant = cx.namespace().clone();
        Ok(cx.data().mailbox.receive(&tenant))
    }
}
