//! Signal conditioning: baseline-wander removal, powerline notch, band-pass (all zero-phase)
//! and resampling.
