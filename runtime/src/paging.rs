//! Paging over Graph collections: `@odata.nextLink` followed page after page.
//!
//! Generated list operations offer `send()` (one page), `pages()` (a stream of pages) and
//! `items()` (a stream of the elements of every page); the last two are built here.

use std::collections::HashSet;

use futures::Stream;
use serde::de::DeserializeOwned;

use crate::call::Call;
use crate::client::Client;
use crate::error::Error;
use crate::response::Response;

/// Every page of a collection, starting with `call` and following the link that `next_link`
/// reads from each page until there is none. The stream ends after the first error.
///
/// Each page is a separate call through the whole pipeline (retries, authentication, steps)
/// with the first call's headers and per-call options; next links must point at the
/// client's base URL (see [`Call::follow_next_link`]).
///
/// A next link equal to one already followed ends the stream with [`Error::PagingLoop`]
/// after the page that carried it: a service that hands out the same link again would
/// otherwise be paged forever.
pub fn pages<T, F>(client: Client, call: Call, next_link: F) -> impl Stream<Item = Result<Response<T>, Error>> + Send
where
    T: DeserializeOwned + Send + 'static,
    F: Fn(&T) -> Option<&str> + Send + Sync + 'static,
{
    let start = Step::Fetch(Box::new(Following { client, call, next_link, followed: HashSet::new(), pages: 0 }));
    futures::stream::unfold(start, |step| async move {
        let Following { client, call, next_link, mut followed, pages } = match step {
            Step::Fetch(following) => *following,
            Step::Fail(error) => return Some((Err(error), Step::Done)),
            Step::Done => return None,
        };
        let template = call.follow_next_link("");
        let page = match client.execute(call).await.and_then(Response::json::<T>) {
            Ok(page) => page,
            Err(error) => return Some((Err(error), Step::Done)),
        };
        let pages = pages + 1;
        let Some(link) = next_link(page.value()).filter(|link| !link.is_empty()).map(str::to_owned) else {
            return Some((Ok(page), Step::Done));
        };
        if !followed.insert(link.clone()) {
            // The page itself is delivered; the loop is reported right after it.
            return Some((Ok(page), Step::Fail(Error::PagingLoop { pages, link })));
        }
        let mut next = template;
        next.next_link = Some(link);
        Some((Ok(page), Step::Fetch(Box::new(Following { client, call: next, next_link, followed, pages }))))
    })
}

/// What the page stream does next.
enum Step<F> {
    Fetch(Box<Following<F>>),
    Fail(Error),
    Done,
}

/// Paging state between two pages.
struct Following<F> {
    client: Client,
    call: Call,
    next_link: F,
    /// Every next link followed so far.
    followed: HashSet<String>,
    pages: usize,
}

/// The elements of every page: [`pages`] flattened with `items` (usually taking `value`).
pub fn items<T, I, F, G>(
    client: Client,
    call: Call,
    next_link: F,
    items: G,
) -> impl Stream<Item = Result<I, Error>> + Send
where
    T: DeserializeOwned + Send + 'static,
    I: Send + 'static,
    F: Fn(&T) -> Option<&str> + Send + Sync + 'static,
    G: Fn(T) -> Vec<I> + Send + Sync + 'static,
{
    use futures::StreamExt;
    pages(client, call, next_link).flat_map(move |page| {
        let batch: Vec<Result<I, Error>> = match page {
            Ok(page) => items(page.into_inner()).into_iter().map(Ok).collect(),
            Err(error) => vec![Err(error)],
        };
        futures::stream::iter(batch)
    })
}
