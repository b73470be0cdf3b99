//! Electrocardio Panorama: real ECG records in, cardiac cycles delineated, and the ECG seen
//! from any viewpoint on a sphere around the heart.
//!
//! The data path flows one way: [`record`] → [`signal`] → delineate → panorama → app/export.

#![warn(missing_docs)]

pub mod delineate;
pub mod error;
pub mod geometry;
pub mod record;
pub mod signal;

pub use error::{Error, Result};
