//! Evaluation: scoring automatic results against reference annotations.
//!
//! [`delineation`] scores wave boundaries (P, QRS and T onsets and offsets) and [`ludb`] runs
//! that scoring over a folder of records laid out as LUDB is, either on the built-in delineator
//! or on prediction files written by another method; [`qtdb`] does the same on QT Database
//! records against their record-level `q1c` marks; [`rhythm`] scores the delineator's P waves
//! beat by beat against `.atr` beat and rhythm labels.

pub mod anomaly;
pub mod delineation;
pub mod ludb;
pub mod measure;
pub mod measure_ref;
pub mod panorama;
pub mod qtdb;
pub mod rhythm;
pub mod view;
