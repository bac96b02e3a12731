//! Paging over Graph collections: `@odata.nextLink` followed page after page.
//!
//! Generated list operations offer `send()` (one page), `pages()` (a stream of pages) and
//! `items()` (a stream of the elements of every page); the last two are built here.

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
pub fn pages<T, F>(client: Client, call: Call, next_link: F) -> impl Stream<Item = Result<Response<T>, Error>> + Send
where
    T: DeserializeOwned + Send + 'static,
    F: Fn(&T) -> Option<&str> + Send + Sync + 'static,
{
    futures::stream::unfold(Some((client, call, next_link)), |state| async move {
        let (client, call, next_link) = state?;
        let template = call.follow_next_link("");
        let page = match client.execute(call).await.and_then(Response::json::<T>) {
            Ok(page) => page,
            Err(error) => return Some((Err(error), None)),
        };
        let next = next_link(page.value()).filter(|link| !link.is_empty()).map(|link| {
            let mut next = template;
            next.next_link = Some(link.to_owned());
            next
        });
        Some((Ok(page), next.map(|call| (client, call, next_link))))
    })
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
