//! Nef-Net, the network behind the panorama (Chen et al., IJCAI 2021, section 3).
//!
//! Its home in candle: the Angular Encoding of a viewpoint ([`angular`]), 1-D ROIAlign with
//! its reverse ([`roi_align`](mod@roi_align)), which map each deflection of a cardiac cycle to
//! a fixed-size representation and back, the learned lead field ([`lead_field`]), the network
//! ([`nefnet`]), its training objective with Standin learning ([`standin`]), training cycles
//! and batches ([`data`]) and the training loop ([`train`]). The panorama engine wraps the
//! network; this module knows nothing of it.

pub mod angular;
pub mod data;
pub mod lead_field;
pub mod local_prior;
pub mod nefnet;
pub mod phases;
pub mod prior;
pub mod roi_align;
pub mod standin;
pub mod train;

pub use angular::{ANGULAR_FEATURES, JITTER_SD, angular_features, encode_viewpoints};
pub use roi_align::{roi_align, roi_unalign};
