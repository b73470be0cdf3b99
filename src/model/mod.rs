//! Nef-Net, the network behind the panorama (Chen et al., IJCAI 2021, section 3).
//!
//! This is its home in candle. For now it holds the tensor operations the network is built
//! from: the Angular Encoding of a viewpoint ([`angular`]) and 1-D ROIAlign with its reverse
//! ([`roi_align`](mod@roi_align)), which map each deflection of a cardiac cycle to a fixed-size representation
//! and back; the network ([`nefnet`]) and its training objective with Standin learning
//! ([`standin`]). Training on records, checkpoints and the engine the app uses come later.

pub mod angular;
pub mod data;
pub mod nefnet;
pub mod roi_align;
pub mod standin;

pub use angular::{FEATURES as ANGULAR_FEATURES, JITTER_SD, angular_features, encode_viewpoints};
pub use roi_align::{roi_align, roi_unalign};
