//! The generator's integration tests, one module per concern, linked into one test binary
//! (a binary per file linked the generator and its dependencies once per file).

mod cursed;
mod fuzz_replay;
mod generate;
mod hostile;
mod kinds;
mod limits;
mod modules;
mod scaling;
