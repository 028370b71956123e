//! reservas-core: the domain shared by the server, the sync engine and the UI.
//!
//! Layout:
//! - [`reservation`]: the reservation resource as it travels on the wire, its
//!   statuses, and the create / patch inputs.
//! - [`validate`]: the rules a write must satisfy (party size, names, dates…),
//!   each broken rule reported with the field it concerns.
//! - [`stats`]: the day's figures (total, by status, expected / arrived guests).
//! - [`event`]: the change events of the ordered per-business log, with their
//!   SSE names and payloads.
//! - [`api`]: the other JSON bodies of the contract (snapshot, changes, errors…).
//!
//! Nothing here does I/O, so the crate also builds for `wasm32-unknown-unknown`.

pub mod api;
pub mod event;
pub mod reservation;
pub mod stats;
pub mod validate;

pub use event::{Event, EventKind};
pub use reservation::{NewReservation, Reservation, ReservationPatch, Status};
pub use stats::Stats;
pub use validate::{RuleError, Validated};
