//! Nef-Net, the network behind the panorama (Chen et al., IJCAI 2021, section 3).
//!
//! Its home in candle: the Angular Encoding of a viewpoint ([`angular`]), 1-D ROIAlign with
//! its reverse ([`roi_align`](mod@roi_align)), which map each deflection of a cardiac cycle to
//! a fixed-size representation and back. The model ([`stored::PanoramaModel`]) is a fitted
//! linear prior ([`prior`], with its patient-similar part [`local_prior`] and the dynamic
//! correction a single input gets, [`dynamics`]), the residual network that corrects it
//! ([`nefnet`]) and the share of that correction kept ([`calibration`], fitted by
//! [`calibrate_residual`](mod@calibrate_residual)); [`prepare`] turns a cycle's inputs into
//! what both read, for training and for the engine alike. Training: its objective with Standin
//! learning ([`standin`]), cycles ([`data`]), batches ([`batch`]) and the loop ([`train`]).
//! The panorama engine wraps the model; this module knows nothing of it.

pub mod angular;
pub mod band;
pub mod batch;
pub mod calibrate_residual;
pub mod calibration;
pub mod data;
pub mod dynamics;
pub mod local_prior;
pub mod nefnet;
pub mod phases;
pub mod prepare;
pub mod prior;
pub mod roi_align;
pub mod slopes;
pub mod standin;
pub mod stored;
pub mod train;

pub use angular::{ANGULAR_FEATURES, JITTER_SD, angular_features, encode_viewpoints};
pub use roi_align::{roi_align, roi_unalign};
