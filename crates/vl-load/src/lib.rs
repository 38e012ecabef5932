//! Load and fault tools for vl-server.
//!
//! * [`client`]: the `vl-load` generator — N sessions speaking recorded prompts in real time with
//!   server VAD on, timing the server's events, sampling the server process; a JSON [`report`] and
//!   a PNG plot (feature `plot`).
//! * [`faultproxy`]: the `vl-faultproxy` TCP proxy that delays, stalls, throttles, truncates and
//!   resets connections, also used in-process by vl-server's fault tests.

pub mod audio;
pub mod client;
pub mod faultproxy;
#[cfg(feature = "plot")]
pub mod plot;
pub mod procstat;
pub mod report;
