//! switchboard — what the headless binary and the desktop app share: starting a server with
//! its inspector, recorder and live reload, and stopping them cleanly ([`launch`]).

pub mod launch;
