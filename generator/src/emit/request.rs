//! `src/request.rs` of every generated crate: the one request builder shape.
//!
//! Every operation is a type implementing `Operation` (its static description and what its
//! 2XX response carries) and marker traits for the OData options it accepts; its builder is
//! `Request<ThatOperation, Body>`. Everything a builder does (options, body, send, what-if,
//! paging, per-call options) is written once here, generic over the operation, so that the
//! generated code per operation is little more than its path, its types and its docs, and
//! so that rustc compiles a builder method only for the operations a program calls.
//!
//! The file is the same for every crate; it is emitted (not shipped in the runtime) because
//! body setters and the few operation-specific parameters are inherent methods on
//! `Request<_, Model>`, which only the crate that defines `Request` may declare.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Api, ParamKind};
use crate::naming::ident;
use crate::shape::STANDARD_OPTIONS;

/// Marker trait and builder method of each standard option.
fn option_tokens() -> Vec<TokenStream> {
    STANDARD_OPTIONS
        .iter()
        .map(|o| {
            let marker = ident(o.marker);
            let method = ident(o.method);
            let wire = o.wire;
            let kind = if o.header { "header" } else { "query option" };
            let trait_doc = format!("Operations that accept the {kind} `{wire}` ([`Request::{}`]).", o.method);
            let method_doc = format!("Sets the {kind} `{wire}`: {}.", o.docs);
            let set = |value: TokenStream| {
                if o.header {
                    quote!(self.call.header(#wire, #value);)
                } else {
                    quote!(self.call.query_param(#wire, #value);)
                }
            };
            let method = match o.kind {
                ParamKind::List => {
                    let set = set(quote!(value));
                    quote! {
                        pub fn #method<I, S>(mut self, values: I) -> Self
                        where
                            I: IntoIterator<Item = S>,
                            S: AsRef<str>,
                        {
                            let value = values.into_iter().map(|v| v.as_ref().to_owned()).collect::<Vec<_>>().join(",");
                            #set
                            self
                        }
                    }
                }
                ParamKind::String => {
                    let set =
                        if o.header { set(quote!(value.as_ref())) } else { set(quote!(value.as_ref().to_owned())) };
                    quote! {
                        pub fn #method(mut self, value: impl AsRef<str>) -> Self {
                            #set
                            self
                        }
                    }
                }
                ParamKind::Integer => {
                    let set = set(quote!(value.to_string()));
                    quote! {
                        pub fn #method(mut self, value: i64) -> Self {
                            #set
                            self
                        }
                    }
                }
                ParamKind::Boolean => {
                    let set = set(quote!(value.to_string()));
                    quote! {
                        pub fn #method(mut self, value: bool) -> Self {
                            #set
                            self
                        }
                    }
                }
            };
            quote! {
                #[doc = #trait_doc]
                pub trait #marker: Operation {}

                impl<O: #marker, B> Request<O, B> {
                    #[doc = #method_doc]
                    #method
                }
            }
        })
        .collect()
}

/// Tokens of `src/request.rs`.
pub fn request_rs(api: &Api) -> TokenStream {
    let options = option_tokens();
    let permission_sets = super::permission_sets::sets_tokens(api);
    quote! {
        //! The request builder every operation shares.
        //!
        //! An operation of this crate is a type in an area's `op` module implementing
        //! [`Operation`]; its builder is [`Request<ThatOperation, Body>`](Request), returned by
        //! the area method (`client.applications().list_application()`). The builder's methods
        //! are here, once: the OData options the operation accepts (each one a marker trait such
        //! as [`Select`] or [`Top`]), the body, the per-call options (the cmdlets' common
        //! parameters), [`Request::send`], [`Request::what_if`], paging. Body property setters
        //! (the cmdlet's expanded parameter set) are methods of `Request<_, ThatModel>` next to
        //! each body model.

        use std::marker::PhantomData;

        use crate::runtime::{Bytes, Call, Client, Error, OperationInfo, Response, Stream, WhatIf};

        /// A generated operation: its static description and how its 2XX response is read.
        pub trait Operation {
            /// Method, path template and operationId.
            const INFO: &'static OperationInfo;
            /// The path's placeholders in path order, each with the identity key that supplies it
            /// in [`Request::via_identity`] (`("application-id", "ApplicationId")`).
            const PATH: &'static [(&'static str, &'static str)];
            /// Content type of a raw (`Bytes`) body.
            const CONTENT_TYPE: &'static str = "application/octet-stream";
            /// How the 2XX response is read: [`Json`], [`JsonOrNoContent`], [`Text`], [`NoContent`] or [`Binary`].
            type Output: Output;
        }

        /// How a 2XX response becomes the value [`Request::send`] returns.
        pub trait Output {
            /// What `send` returns inside the [`Response`].
            type Value;
            /// Reads the buffered 2XX response.
            ///
            /// # Errors
            ///
            /// A body that does not decode.
            fn read(response: Response<Bytes>) -> Result<Response<Self::Value>, Error>;
        }

        /// A JSON body decoded into `T`.
        pub struct Json<T>(PhantomData<fn() -> T>);

        impl<T: serde::de::DeserializeOwned> Output for Json<T> {
            type Value = T;
            fn read(response: Response<Bytes>) -> Result<Response<T>, Error> {
                response.json()
            }
        }

        /// A JSON body decoded into `Some(T)`, or `None` for a response without a body: what
        /// updates (PATCH) and replacements (PUT) return, which Graph answers with
        /// `204 No Content` unless the call asks for the representation
        /// (`Prefer: return=representation`).
        pub struct JsonOrNoContent<T>(PhantomData<fn() -> T>);

        impl<T: serde::de::DeserializeOwned> Output for JsonOrNoContent<T> {
            type Value = Option<T>;
            fn read(response: Response<Bytes>) -> Result<Response<Option<T>>, Error> {
                response.json_or_no_content()
            }
        }

        /// A `text/plain` body parsed into `T` (`$count`).
        pub struct Text<T>(PhantomData<fn() -> T>);

        impl<T: std::str::FromStr> Output for Text<T>
        where
            T::Err: std::fmt::Display,
        {
            type Value = T;
            fn read(response: Response<Bytes>) -> Result<Response<T>, Error> {
                response.text()
            }
        }

        /// No body the SDK reads: any 2XX is success, and [`Response::pass_thru`] is `true`
        /// (the cmdlet's `-PassThru`).
        pub struct NoContent;

        impl Output for NoContent {
            type Value = ();
            fn read(response: Response<Bytes>) -> Result<Response<()>, Error> {
                Ok(response.without_body())
            }
        }

        /// The body as bytes (`$value` endpoints, `application/octet-stream`).
        pub struct Binary;

        impl Output for Binary {
            type Value = Bytes;
            fn read(response: Response<Bytes>) -> Result<Response<Bytes>, Error> {
                Ok(response)
            }
        }

        /// What a request carries as its body: nothing (`()`), raw [`Bytes`], or a model sent as
        /// JSON (every model implementing [`JsonBody`]).
        pub trait Body {
            /// Writes the body into `call`; `redacted` replaces secrets (for what-if).
            fn attach(&self, call: &mut Call, content_type: &'static str, redacted: bool);
        }

        impl Body for () {
            fn attach(&self, _: &mut Call, _: &'static str, _: bool) {}
        }

        impl Body for Bytes {
            fn attach(&self, call: &mut Call, content_type: &'static str, _: bool) {
                call.raw_body(content_type, self.clone());
            }
        }

        /// A model that is the JSON body of some operation.
        pub trait JsonBody: serde::Serialize {}

        impl<T: JsonBody> Body for T {
            fn attach(&self, call: &mut Call, _: &'static str, redacted: bool) {
                if redacted {
                    call.json_body_redacted(self)
                } else {
                    call.json_body(self)
                }
            }
        }

        /// A Graph collection page: its elements and the link to the next page.
        pub trait Page {
            /// Element type.
            type Item;
            /// `@odata.nextLink`, if there are more pages.
            fn next_link(&self) -> Option<&str>;
            /// The page's elements (`value`).
            fn into_items(self) -> Vec<Self::Item>;
        }

        /// Something that holds identity keys (the cmdlet's `-InputObject`), by PascalCase key.
        pub trait Identity {
            /// The value of `key` (`"ApplicationId"`), if set.
            fn key(&self, key: &str) -> Option<&str>;
        }

        /// The request builder of operation `O` with body type `B` (`()` when it has none).
        ///
        /// Nothing is sent until [`Request::send`]; [`Request::what_if`] shows the request
        /// instead. Invalid arguments never panic: they are reported by `send`/`what_if` before
        /// any request.
        #[must_use = "a request does nothing until `send` or `what_if` is called"]
        pub struct Request<O, B = ()> {
            pub(crate) client: Client,
            pub(crate) call: Call,
            pub(crate) body: B,
            operation: PhantomData<fn() -> O>,
        }

        impl<O, B: std::fmt::Debug> std::fmt::Debug for Request<O, B> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct("Request").field("call", &self.call).field("body", &self.body).finish()
            }
        }

        impl<O: Operation, B: Body> Request<O, B> {
            /// A request of `O` with the values of its path placeholders (in the order of
            /// [`Operation::PATH`]) and its body; the area methods call this.
            pub fn with_body(client: &Client, path: &[&str], body: B) -> Self {
                let mut call = Call::new(O::INFO);
                for ((name, _), value) in O::PATH.iter().zip(path) {
                    call.path_param(name, value);
                }
                Request { client: client.clone(), call, body, operation: PhantomData }
            }

            /// The values of `O`'s path placeholders, in the order of [`Operation::PATH`], read
            /// from an identity by their PowerShell keys (`ApplicationId`).
            ///
            /// # Errors
            ///
            /// When the identity has no value (or an empty one) for a key the path needs
            /// (`identity has no value for ApplicationId`).
            pub fn identity_path(identity: &impl Identity) -> Result<Vec<&str>, Error> {
                O::PATH.iter().map(|(_, key)| crate::runtime::identity_key(identity.key(key), key)).collect()
            }

            /// Replaces the whole request body (the cmdlet's `-BodyParameter`): a model, or bytes
            /// for a raw body (sent as the declared content type unless a `Content-Type` header
            /// is set for the call).
            pub fn body(mut self, body: impl Into<B>) -> Self {
                self.body = body.into();
                self
            }

            /// Sends the request and reads the 2XX response (see [`Operation::Output`]); status
            /// and headers stay available.
            ///
            /// # Errors
            ///
            /// An invalid argument (before any request), a transport failure or timeout, a non-2XX
            /// status (with the service's error code, message and response headers), or a body
            /// that does not decode.
            pub async fn send(self) -> Result<Response<<O::Output as Output>::Value>, Error> {
                let (client, call) = self.into_parts(false);
                let response = client.execute(call).await?;
                O::Output::read(response)
            }

            /// The cmdlet's `-WhatIf`: the exact request (method, URL, headers, body) that
            /// [`Request::send`] would send, with secrets redacted. Nothing is sent.
            ///
            /// # Errors
            ///
            /// The same argument errors `send` would report, before any request.
            pub fn what_if(self) -> Result<WhatIf, Error> {
                let (client, call) = self.into_parts(true);
                client.what_if(call)
            }

            /// The call this builder assembled, its body included, for the helpers of
            /// `runtime::tasks` that take a `Call` (a JSON batch item, a delta query).
            ///
            /// # Errors
            ///
            /// An invalid argument recorded so far (a bad header, an empty path value).
            pub fn into_call(self) -> Result<Call, Error> {
                let (_, mut call) = self.into_parts(false);
                match call.take_error() {
                    Some(error) => Err(error),
                    None => Ok(call),
                }
            }

            fn into_parts(self, redacted: bool) -> (Client, Call) {
                let Request { client, mut call, body, .. } = self;
                body.attach(&mut call, O::CONTENT_TYPE, redacted);
                (client, call)
            }

            /// Adds a request header for this call only (the cmdlets' `-Headers`).
            ///
            /// An invalid name or value is reported when the call is executed; the error names
            /// the header but never shows its value.
            pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
                self.call.options_mut().header(name.as_ref(), value.as_ref());
                self
            }

            /// Adds several request headers for this call only (the cmdlets' `-Headers`).
            pub fn headers<I, K, V>(mut self, headers: I) -> Self
            where
                I: IntoIterator<Item = (K, V)>,
                K: AsRef<str>,
                V: AsRef<str>,
            {
                for (name, value) in headers {
                    self.call.options_mut().header(name.as_ref(), value.as_ref());
                }
                self
            }

            /// Overrides the client's timeout for this call (retries and their delays included).
            pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                self.call.options_mut().timeout(timeout);
                self
            }

            /// Overrides the client's maximum number of retries for this call (at most 10).
            pub fn max_retries(mut self, max_retries: u32) -> Self {
                self.call.options_mut().max_retries(max_retries);
                self
            }

            /// Overrides the client's cap on the total time spent waiting between retries.
            pub fn max_retry_delay(mut self, max_retry_delay: std::time::Duration) -> Self {
                self.call.options_mut().max_retry_delay(max_retry_delay);
                self
            }

            /// Overrides the client's limit on the response body read into memory, in bytes.
            pub fn max_response_body(mut self, max_bytes: usize) -> Self {
                self.call.options_mut().max_response_body(max_bytes);
                self
            }

            /// Adds a pipeline step that runs once for this call, before telemetry, retries and
            /// authentication (the cmdlets' `-HttpPipelinePrepend`).
            pub fn prepend(mut self, step: impl crate::runtime::Step) -> Self {
                self.call.options_mut().prepend(step);
                self
            }

            /// Adds a pipeline step that runs for every attempt of this call, just before the
            /// client's append steps and the transport (the cmdlets' `-HttpPipelineAppend`).
            pub fn append(mut self, step: impl crate::runtime::Step) -> Self {
                self.call.options_mut().append(step);
                self
            }

            /// The call as assembled so far (options, headers, query), for inspection.
            pub fn call(&self) -> &Call {
                &self.call
            }
        }

        impl<O: Operation, B: Body + Default> Request<O, B> {
            /// A request of `O` with the values of its path placeholders (in the order of
            /// [`Operation::PATH`]); the area methods call this.
            pub fn new(client: &Client, path: &[&str]) -> Self {
                Self::with_body(client, path, B::default())
            }

            /// The request of `O` with its path taken from an identity: the cmdlets'
            /// `-InputObject` parameter sets, for every operation whose request is complete with
            /// its path ([`FromIdentity`]). An operation that also needs a required argument has
            /// a `*_via_identity` method on its area instead. For example
            /// `applications::AddKey::via_identity(&client, &identity)?`.
            ///
            /// # Errors
            ///
            /// When the identity has no value (or an empty one) for a key the path needs
            /// (`identity has no value for ApplicationId`); nothing is sent.
            pub fn via_identity(client: &Client, identity: &impl Identity) -> Result<Self, Error>
            where
                O: FromIdentity,
            {
                Ok(Self::new(client, &Self::identity_path(identity)?))
            }
        }

        /// Operations whose path has placeholders and whose request needs nothing else to be
        /// complete (no required query parameter, header or body argument), so that
        /// [`Request::via_identity`] can build them.
        pub trait FromIdentity: Operation {}

        /// Operations whose 2XX response is a Graph collection page (`value` +
        /// `@odata.nextLink`) that can be followed.
        pub trait Paged: Operation {}

        impl<O, B, P> Request<O, B>
        where
            O: Paged + Operation<Output = Json<P>>,
            B: Body,
            P: Page + serde::de::DeserializeOwned + Send + 'static,
            P::Item: Send + 'static,
        {
            /// Every page of the collection, following `@odata.nextLink` (same headers and
            /// options on each request; links to another host are refused). The stream ends
            /// after the first error.
            pub fn pages(self) -> impl Stream<Item = Result<Response<P>, Error>> + Send {
                let (client, call) = self.into_parts(false);
                crate::runtime::paging::pages(client, call, P::next_link)
            }

            /// Every element of every page (see [`Request::pages`]).
            pub fn items(self) -> impl Stream<Item = Result<P::Item, Error>> + Send {
                let (client, call) = self.into_parts(false);
                crate::runtime::paging::items(client, call, P::next_link, P::into_items)
            }
        }

        #(#options)*

        /// Declares the type of one operation: its [`Operation`] implementation and the marker
        /// traits of the standard options it accepts, all under the same `#[cfg]` (if any).
        /// Written as a macro so that an operation costs one line of generated source per
        /// fact about it rather than one item per fact. (A crate whose features compile no
        /// operation uses neither the macro nor its import.)
        #[allow(unused_macros)]
        macro_rules! operation {
            (
                $(#[$cfg:meta])*
                $name:ident = $method:ident $path:literal, $id:literal,
                path [$(($wire:literal, $key:literal)),*],
                output $output:tt,
                $(content_type $content_type:literal,)?
                $(permissions $permissions:ident,)?
                options [$($option:ident)*]
            ) => {
                #[doc = concat!("`", $path, "` (operationId `", $id, "`), for [`Request`](crate::request::Request).")]
                $(#[$cfg])*
                pub enum $name {}

                $(#[$cfg])*
                impl crate::request::Operation for $name {
                    const INFO: &'static crate::runtime::OperationInfo = &crate::runtime::OperationInfo {
                        operation_id: $id,
                        method: crate::runtime::HttpMethod::$method,
                        path_template: $path,
                        permissions: crate::request::operation!(@permissions $($permissions)?),
                    };
                    const PATH: &'static [(&'static str, &'static str)] = &[$(($wire, $key)),*];
                    $(const CONTENT_TYPE: &'static str = $content_type;)?
                    type Output = crate::request::operation!(@output $output);
                }

                crate::request::operation!(@options [$(#[$cfg])*] $name $($option)*);
            };
            (@output none) => { crate::request::NoContent };
            (@output binary) => { crate::request::Binary };
            (@output (json $model:ident)) => { crate::request::Json<crate::models::$model> };
            (@output (json_or_none $model:ident)) => { crate::request::JsonOrNoContent<crate::models::$model> };
            (@output (text $ty:ty)) => { crate::request::Text<$ty> };
            (@output (raw $ty:ty)) => { $ty };
            (@permissions) => { None };
            (@permissions $set:ident) => { Some(&crate::request::permission_sets::$set) };
            (@options [$($cfg:tt)*] $name:ident) => {};
            (@options [$($cfg:tt)*] $name:ident $option:ident $($rest:ident)*) => {
                $($cfg)*
                impl crate::request::$option for $name {}
                crate::request::operation!(@options [$($cfg)*] $name $($rest)*);
            };
        }
        #[allow(unused_imports)]
        pub(crate) use operation;

        /// The builder of each operation of an area: `Builder method Body` per operation, a
        /// `Request<op::Builder, Body>` documented as the builder of `Handle::method`. (A crate
        /// whose features compile no operation uses neither the macro nor its import.)
        #[allow(unused_macros)]
        macro_rules! builders {
            ($handle:ident; $($(#[$cfg:meta])* $builder:ident $method:ident $body:ty),* $(,)?) => {
                $(
                    #[doc = concat!("Builder of [`", stringify!($handle), "::", stringify!($method), "`].")]
                    $(#[$cfg])*
                    pub type $builder = crate::request::Request<op::$builder, $body>;
                )*
            };
        }
        #[allow(unused_imports)]
        pub(crate) use builders;

        /// The body properties of a body model as builder methods of `Request<_, Model>` (the
        /// cmdlet's expanded parameter set): `setter field "doc" kind Type` per property, where
        /// kind says how the value is stored (`val`, `opt`: in `Nullable::Value`, `*_box`: boxed,
        /// `*list`: collected from any iterator of `Type`); `| x_null` adds the setter of an
        /// explicit `null`, `=> add item` / `=> add pair Item(K, V)` a method appending one
        /// element, and `; additional` adds `additional_property`. A macro, so that a property
        /// costs one line of generated source. (A crate without bodies uses neither.)
        #[allow(unused_macros)]
        macro_rules! body_setters {
            ($model:ident { $($setter:ident $field:ident $doc:literal $kind:ident $ty:ty $(| $null:ident)? $(=> $adder:ident $how:ident $(($item:ident, $k:ty, $v:ty))?)?),* } $(; $additional:ident)?) => {
                impl crate::request::JsonBody for crate::models::$model {}

                #[doc = concat!("Body properties of every operation whose body is [`", stringify!($model), "`](crate::models::", stringify!($model), "), as builder methods.")]
                impl<O> crate::request::Request<O, crate::models::$model> {
                    $(
                        crate::request::body_setters!(@set $setter $field $doc $kind $ty);
                        $(crate::request::body_setters!(@null $null $field);)?
                        $(crate::request::body_setters!(@add $adder $field $kind $ty, $how $(($item, $k, $v))?);)?
                    )*
                    $(crate::request::body_setters!(@$additional);)?
                }
            };
            (@set $setter:ident $field:ident $doc:literal val $ty:ty) => {
                #[doc = $doc]
                pub fn $setter(mut self, value: impl Into<$ty>) -> Self {
                    self.body.$field = value.into();
                    self
                }
            };
            (@set $setter:ident $field:ident $doc:literal opt $ty:ty) => {
                #[doc = $doc]
                pub fn $setter(mut self, value: impl Into<$ty>) -> Self {
                    self.body.$field = crate::runtime::Nullable::Value(value.into());
                    self
                }
            };
            (@set $setter:ident $field:ident $doc:literal val_box $ty:ty) => {
                #[doc = $doc]
                pub fn $setter(mut self, value: impl Into<$ty>) -> Self {
                    self.body.$field = Box::new(value.into());
                    self
                }
            };
            (@set $setter:ident $field:ident $doc:literal opt_box $ty:ty) => {
                #[doc = $doc]
                pub fn $setter(mut self, value: impl Into<$ty>) -> Self {
                    self.body.$field = crate::runtime::Nullable::Value(Box::new(value.into()));
                    self
                }
            };
            (@set $setter:ident $field:ident $doc:literal list $ty:ty) => {
                #[doc = $doc]
                pub fn $setter(mut self, value: impl IntoIterator<Item = $ty>) -> Self {
                    self.body.$field = value.into_iter().collect();
                    self
                }
            };
            (@set $setter:ident $field:ident $doc:literal opt_list $ty:ty) => {
                #[doc = $doc]
                pub fn $setter(mut self, value: impl IntoIterator<Item = $ty>) -> Self {
                    self.body.$field = crate::runtime::Nullable::Value(value.into_iter().collect());
                    self
                }
            };
            (@set $setter:ident $field:ident $doc:literal list_box $ty:ty) => {
                #[doc = $doc]
                pub fn $setter(mut self, value: impl IntoIterator<Item = $ty>) -> Self {
                    self.body.$field = Box::new(value.into_iter().collect());
                    self
                }
            };
            (@set $setter:ident $field:ident $doc:literal opt_list_box $ty:ty) => {
                #[doc = $doc]
                pub fn $setter(mut self, value: impl IntoIterator<Item = $ty>) -> Self {
                    self.body.$field = crate::runtime::Nullable::Value(Box::new(value.into_iter().collect()));
                    self
                }
            };
            (@null $null:ident $field:ident) => {
                #[doc = concat!("Sends the body property `", stringify!($field), "` as an explicit `null`: in a PATCH, that clears the property.")]
                pub fn $null(mut self) -> Self {
                    self.body.$field = crate::runtime::Nullable::Null;
                    self
                }
            };
            (@add $adder:ident $field:ident list $ty:ty, item) => {
                #[doc = concat!("Appends one element to the body property `", stringify!($field), "`.")]
                pub fn $adder(mut self, item: impl Into<$ty>) -> Self {
                    self.body.$field.push(item.into());
                    self
                }
            };
            (@add $adder:ident $field:ident opt_list $ty:ty, item) => {
                #[doc = concat!("Appends one element to the body property `", stringify!($field), "`.")]
                pub fn $adder(mut self, item: impl Into<$ty>) -> Self {
                    self.body.$field.get_or_insert_with(Vec::new).push(item.into());
                    self
                }
            };
            (@add $adder:ident $field:ident list $ty:ty, pair ($item:ident, $k:ty, $v:ty)) => {
                #[doc = concat!("Appends one `key`/`value` pair to the body property `", stringify!($field), "`.")]
                pub fn $adder(mut self, key: impl Into<$k>, value: impl Into<$v>) -> Self {
                    self.body.$field.push(crate::models::$item::new(key, value));
                    self
                }
            };
            (@add $adder:ident $field:ident opt_list $ty:ty, pair ($item:ident, $k:ty, $v:ty)) => {
                #[doc = concat!("Appends one `key`/`value` pair to the body property `", stringify!($field), "`.")]
                pub fn $adder(mut self, key: impl Into<$k>, value: impl Into<$v>) -> Self {
                    self.body.$field.get_or_insert_with(Vec::new).push(crate::models::$item::new(key, value));
                    self
                }
            };
            (@additional) => {
                /// Adds a body property the schema does not name (the cmdlet's `-AdditionalProperties`),
                /// for example `@odata.type`.
                pub fn additional_property(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
                    self.body.additional_properties.insert(name.into(), value.into());
                    self
                }
            };
        }
        #[allow(unused_imports)]
        pub(crate) use body_setters;

        #permission_sets
    }
}
