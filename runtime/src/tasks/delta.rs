//! Delta queries: every change since the last round, and the `@odata.deltaLink` to ask from
//! next time.
//!
//! A delta function (`/users/delta`, `/applications/delta`, `/me/mailFolders/inbox/messages/delta`)
//! answers pages linked by `@odata.nextLink`; the last page carries `@odata.deltaLink`
//! instead. Following that link later returns only what changed since. [`changes`] yields
//! every item of every page and then the delta link; [`collect`] gathers them; [`resume`]
//! starts from a saved link. Pages go through the client's pipeline like any call, the next
//! and delta links must point at the client's base URL (the token never goes elsewhere), and a
//! next link that repeats one already followed ends with [`Error::PagingLoop`]. A last page
//! without a delta link is an error ([`TaskKind::Delta`]): without it the next round cannot
//! start where this one stopped.
//!
//! # Example
//!
//! ```no_run
//! use futures::StreamExt;
//! use msgraph_runtime::tasks::delta::{self, Change};
//! use msgraph_runtime::{Call, Client, HttpMethod, OperationInfo, StaticToken};
//!
//! static USERS_DELTA: OperationInfo =
//!     OperationInfo { operation_id: "users.delta", method: HttpMethod::Get, path_template: "/users/delta()", permissions: None };
//!
//! #[derive(serde::Deserialize)]
//! struct User {
//!     id: String,
//! }
//!
//! # async fn run(saved: Option<String>) -> Result<(), msgraph_runtime::Error> {
//! let client = Client::builder().credential(StaticToken::new("eyJ...")).build()?;
//! // First round from the function, later rounds from the saved link.
//! let call = match &saved {
//!     Some(link) => delta::resume(link),
//!     None => Call::new(&USERS_DELTA),
//! };
//! let mut changes = Box::pin(delta::changes::<User>(client, call));
//! while let Some(change) = changes.next().await {
//!     match change? {
//!         Change::Item(user) => println!("changed: {}", user.id),
//!         Change::DeltaLink(link) => println!("next round starts from {link}"),
//!     }
//! }
//! # Ok(())
//! # }
//! ```

use futures::{Stream, StreamExt};
use serde::de::DeserializeOwned;

use crate::call::Call;
use crate::client::Client;
use crate::error::Error;
use crate::operation::{HttpMethod, OperationInfo};
use crate::paging;
use crate::response::Response;
use crate::tasks::{TaskKind, task_error};

static SAVED_DELTA_LINK: OperationInfo = OperationInfo {
    operation_id: "delta.resume",
    method: HttpMethod::Get,
    path_template: "(saved @odata.deltaLink)",
    permissions: None,
};

/// One page of a delta query.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct DeltaPage<I> {
    /// The changed items of this page.
    #[serde(default = "Vec::new")]
    pub value: Vec<I>,
    /// `@odata.nextLink`: more pages follow.
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
    /// `@odata.deltaLink`: the last page; where the next round starts.
    #[serde(rename = "@odata.deltaLink", default)]
    pub delta_link: Option<String>,
}

/// What [`changes`] yields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change<I> {
    /// A changed (or, with `@removed`, deleted) item.
    Item(I),
    /// The last event of a round: the `@odata.deltaLink` to save for the next one.
    DeltaLink(String),
}

/// Everything of one round, from [`collect`].
#[derive(Clone, Debug)]
pub struct DeltaRound<I> {
    /// Every changed item, page after page.
    pub items: Vec<I>,
    /// The link the next round starts from ([`resume`]).
    pub delta_link: String,
}

/// A call that fetches a saved `@odata.deltaLink` (or a next link), for [`changes`],
/// [`collect`] or [`pages`]. The link must point at the client's base URL; otherwise the call
/// fails before sending anything. To keep headers of the first round (such as
/// `Prefer: return=minimal`), use [`Call::follow_next_link`] on that round's call instead.
pub fn resume(delta_link: &str) -> Call {
    Call::new(&SAVED_DELTA_LINK).follow_next_link(delta_link)
}

/// Every page of the round `call` starts, as [`paging::pages`] yields them.
pub fn pages<I>(client: Client, call: Call) -> impl Stream<Item = Result<Response<DeltaPage<I>>, Error>> + Send
where
    I: DeserializeOwned + Send + 'static,
{
    paging::pages(client, call, |page: &DeltaPage<I>| page.next_link.as_deref())
}

/// Every item of every page, then [`Change::DeltaLink`]. The stream ends after the first
/// error; a round whose last page has no delta link ends with an [`Error::Task`].
pub fn changes<I>(client: Client, call: Call) -> impl Stream<Item = Result<Change<I>, Error>> + Send
where
    I: DeserializeOwned + Send + 'static,
{
    pages::<I>(client, call).flat_map(|page| {
        let events: Vec<Result<Change<I>, Error>> = match page {
            Err(error) => vec![Err(error)],
            Ok(page) => {
                let page = page.into_inner();
                let has_next = page.next_link.as_deref().is_some_and(|link| !link.is_empty());
                let delta_link = page.delta_link.filter(|link| !link.is_empty());
                let mut events: Vec<Result<Change<I>, Error>> = page.value.into_iter().map(|i| Ok(Change::Item(i))).collect();
                match (has_next, delta_link) {
                    (true, _) => {}
                    (false, Some(link)) => events.push(Ok(Change::DeltaLink(link))),
                    (false, None) => events.push(Err(task_error(
                        TaskKind::Delta,
                        "the last page has neither @odata.nextLink nor @odata.deltaLink; the next round could not start where this one ended",
                        None,
                    ))),
                }
                events
            }
        };
        futures::stream::iter(events)
    })
}

/// The whole round: every item and the delta link, or the first error.
pub async fn collect<I>(client: Client, call: Call) -> Result<DeltaRound<I>, Error>
where
    I: DeserializeOwned + Send + 'static,
{
    let mut items = Vec::new();
    let mut stream = Box::pin(changes::<I>(client, call));
    while let Some(change) = stream.next().await {
        match change? {
            Change::Item(item) => items.push(item),
            Change::DeltaLink(delta_link) => return Ok(DeltaRound { items, delta_link }),
        }
    }
    // `changes` always ends with a delta link or an error.
    Err(task_error(TaskKind::Delta, "the round ended without a delta link", None))
}
