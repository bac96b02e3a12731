//! End-to-end tests of the generated SDK, one module per concern, linked into one test
//! binary: with every feature each binary links the whole Applications module, and a
//! binary per file cost CI minutes of linking and gigabytes of disk.

mod common;

mod credentials;
mod example;
mod fuzz_replay;
mod graph_docs;
mod models;
mod modules;
mod operations;
mod permissions;
mod pipeline;
mod polymorphic;
mod readme;
mod responses;
mod safety;
mod tasks_builders;
