//! The Nef-Net engine: the trained network ([`crate::model::nefnet`]) behind [`Engine`].
//!
//! **Honest mode.** Only the input leads are known, so only they set the scale: the cycle's
//! inputs are divided by their largest absolute value (as in training), and every rendered view
//! is multiplied back, in mV. **Any length.** The network sees 512 samples at 500 Hz from a P
//! onset; a cycle at another rate, or longer than the window, is resampled (linear
//! interpolation, both P onsets kept in place) into the window and its views back to the
//! cycle's own samples, so every sample of every cycle is synthesized. Samples past a short
//! cycle's end are padding and never returned.

use super::{CycleInput, Engine, Field};
use crate::delineate::CycleBounds;
use crate::error::{Error, Result};
use crate::geometry::{StdLead, Viewpoint, lead_view, normalise_lead_name};
use crate::model::angular::{ANGULAR_FEATURES, angular_features};
use crate::model::local_prior::{PhaseRegressions, lead_features};
use crate::model::nefnet::{NefNet, T_X, deflection_rois};
use crate::model::prior::LeadPrior;
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use std::path::Path;

/// The rate the network was trained at.
const NET_FS: f64 = 500.0;
/// Inputs are scaled by their peak, but never by less than this (mV): a flat cycle stays flat.
const MIN_SCALE: f64 = 0.05;

/// The Nef-Net engine with its loaded weights.
pub struct NefNetEngine {
    net: NefNet,
    device: Device,
}

/// What encoding one cycle keeps for rendering.
struct Encoded {
    /// The decoder's query-independent features `[1, T_W, 2·C]` ([`NefNet::decode_shared`]).
    shared: Tensor,
    /// Input views `[1, L, T_X]`, scaled.
    views: Tensor,
    /// The same values, `L · T_X` row by row, for the prior's estimates.
    inputs: Vec<f32>,
    /// Angular Encodings of the inputs, `L × 12`.
    input_angles: Vec<[f32; ANGULAR_FEATURES]>,
    /// `STANDARD_12` slot of each input that is a standard lead (the prior uses those only).
    slots: Vec<Option<usize>>,
    /// The prior's regressions of every lead on the standard-lead inputs in each phase of
    /// the cycle, when it has them.
    regressions: Option<PhaseRegressions>,
    /// The cycle's boundaries in window samples (where the prior's phases hand over).
    bounds: CycleBounds,
    /// Divides mV into network units.
    scale: f64,
    /// Samples of the cycle inside the window.
    window_len: usize,
}

/// `x` resampled to `m` samples by linear interpolation, first and last samples kept.
fn stretch(x: &[f64], m: usize) -> Vec<f64> {
    let n = x.len();
    if n == m {
        return x.to_vec();
    }
    if n < 2 || m < 2 {
        return vec![x.first().copied().unwrap_or(0.0); m];
    }
    let step = (n - 1) as f64 / (m - 1) as f64;
    (0..m)
        .map(|i| {
            let pos = i as f64 * step;
            let k = (pos as usize).min(n - 2);
            let f = pos - k as f64;
            x[k] * (1.0 - f) + x[k + 1] * f
        })
        .collect()
}

/// The shipped weights (`models/nefnet.safetensors`), built in so the app runs from anywhere.
static DEFAULT_WEIGHTS: &[u8] = include_bytes!("../../models/nefnet.safetensors");

impl NefNetEngine {
    /// The engine with the shipped weights.
    pub fn load_default() -> Result<Self> {
        Self::from_bytes(DEFAULT_WEIGHTS, Path::new("models/nefnet.safetensors"))
    }

    /// Load weights from a safetensors file; a file that is not Nef-Net weights of this
    /// network's shape gives an error that says so.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::from_bytes(&bytes, path)
    }

    /// Load weights from the bytes of a safetensors file (`path` names it in errors).
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Self> {
        let device = Device::Cpu;
        let vb = VarBuilder::from_buffered_safetensors(bytes.to_vec(), DType::F32, &device)
            .map_err(|cause| Error::NotWeights {
                path: path.to_path_buf(),
                network: "Nef-Net",
                cause: Box::new(cause),
            })?;
        let net = NefNet::new(vb).map_err(|cause| Error::ModelMismatch {
            path: path.to_path_buf(),
            network: "Nef-Net",
            cause: Box::new(cause),
        })?;
        Ok(Self { net, device })
    }

    fn encode_cycle(&self, cycle: &CycleInput) -> Result<Encoded> {
        cycle.validate()?;
        let n = cycle.samples();
        let at_500 = ((n - 1) as f64 * NET_FS / cycle.fs).round() as usize + 1;
        let m = at_500.clamp(2, T_X);
        let bounds = cycle.boundaries.stretched(m);
        let mut input_angles = Vec::with_capacity(cycle.leads.len());
        let slots: Vec<Option<usize>> = cycle
            .leads
            .iter()
            .map(|(name, _)| {
                // A modified lead (MIT-BIH's MLII) stands for its standard lead here as in the
                // network's angles.
                StdLead::parse(name).map(StdLead::index)
            })
            .collect();
        for (name, _) in &cycle.leads {
            // The table's angles, exactly as in training (the encoding sees raw angles).
            let v = lead_view(&normalise_lead_name(name), false)
                .ok_or_else(|| Error::NoViewpoint {
                    lead: name.clone(),
                    needed_by: Some("Nef-Net engine"),
                })?
                .viewpoint;
            input_angles.push(angular_features(v.theta, v.phi));
        }
        let scale = cycle
            .leads
            .iter()
            .flat_map(|(_, x)| x.iter())
            .fold(MIN_SCALE, |s, v| s.max(v.abs()));
        let l = cycle.leads.len();
        let mut data = vec![0f32; l * T_X];
        for (row, (_, x)) in data.chunks_exact_mut(T_X).zip(&cycle.leads) {
            for (d, v) in row.iter_mut().zip(stretch(x, m)) {
                *d = (v / scale) as f32;
            }
        }
        let views = Tensor::from_vec(data.clone(), (l, T_X), &self.device)?;
        let angles: Vec<f32> = input_angles.iter().flatten().copied().collect();
        let angles = Tensor::from_vec(angles, (l, ANGULAR_FEATURES), &self.device)?;
        let rois = deflection_rois(&bounds);
        let enc = self.net.encode(&views, &angles, l, &rois)?;
        let shared = self.net.decode_shared(&enc.zb, &enc.zd, &rois)?;
        let regressions = self.net.prior().and_then(|prior| {
            let (used, slots): (Vec<usize>, Vec<usize>) = slots
                .iter()
                .enumerate()
                .filter_map(|(i, s): (usize, &Option<usize>)| s.map(|s| (i, s)))
                .unzip();
            let shapes: Vec<_> = used
                .iter()
                .map(|&i| lead_features(&data[i * T_X..(i + 1) * T_X], &bounds))
                .collect();
            prior.regressions(&slots, Some(&shapes), None)
        });
        Ok(Encoded {
            shared,
            views: views.unsqueeze(0)?,
            inputs: data,
            input_angles,
            slots,
            regressions,
            bounds,
            scale,
            window_len: m,
        })
    }

    fn render_views(&self, e: &Encoded, n: usize, views: &[Viewpoint]) -> Result<Vec<Vec<f64>>> {
        if views.is_empty() {
            return Ok(Vec::new());
        }
        let q = views.len();
        let l = e.input_angles.len();
        let query: Vec<[f32; ANGULAR_FEATURES]> = views
            .iter()
            .map(|v| angular_features(v.theta, v.phi))
            .collect();
        let mut pairs = Vec::with_capacity(q * l * 2 * ANGULAR_FEATURES);
        for qa in &query {
            for ia in &e.input_angles {
                pairs.extend_from_slice(qa);
                pairs.extend_from_slice(ia);
            }
        }
        let prior = self.net.prior().map(|_| prior_estimates(e, views));
        let dev = &self.device;
        let run = || -> candle_core::Result<Vec<Vec<f32>>> {
            let prior = match prior {
                Some(values) => Some(Tensor::from_vec(values, (q, 1, T_X), dev)?),
                None => None,
            };
            let pairs = Tensor::from_vec(pairs, (q, l, 2 * ANGULAR_FEATURES), dev)?;
            let query = Tensor::from_vec(query.concat(), (q, ANGULAR_FEATURES), dev)?;
            let views = e.views.broadcast_as((q, l, T_X))?;
            let skip = self.net.skip(&views, &pairs, prior.as_ref())?;
            let out = self.net.decode_views(&e.shared, &query, &skip)?;
            let keep = self.net.residual_weight(l);
            match &prior {
                Some(p) if keep != 1.0 => {
                    let p = p.squeeze(1)?;
                    ((&out - &p)? * f64::from(keep))? + p
                }
                _ => Ok(out),
            }?
            .to_vec2()
        };
        let out = run()?;
        Ok(out
            .into_iter()
            .map(|row| {
                let window: Vec<f64> = row[..e.window_len]
                    .iter()
                    .map(|&v| f64::from(v) * e.scale)
                    .collect();
                stretch(&window, n)
            })
            .collect())
    }
}

/// The prior's estimate of each view `[q · T_X]` from the standard-lead inputs of `e` (zeros
/// when it has none, or their moments cannot be solved).
fn prior_estimates(e: &Encoded, views: &[Viewpoint]) -> Vec<f32> {
    let used: Vec<usize> = e
        .slots
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|_| i))
        .collect();
    let mut out = vec![0f32; views.len() * T_X];
    let Some(regressions) = &e.regressions else {
        return out;
    };
    let inputs: Vec<&[f32]> = used
        .iter()
        .map(|&i| &e.inputs[i * T_X..(i + 1) * T_X])
        .collect();
    for (row, v) in out.chunks_exact_mut(T_X).zip(views) {
        row.copy_from_slice(&LeadPrior::estimate(
            regressions,
            *v,
            &inputs,
            &e.bounds,
            T_X,
        ));
    }
    out
}

impl Engine for NefNetEngine {
    fn name(&self) -> &str {
        "nefnet"
    }

    fn encode(&self, cycle: &CycleInput) -> Result<Field> {
        let encoded = self.encode_cycle(cycle)?;
        Ok(Field::new(self.name(), cycle, encoded))
    }

    fn render(&self, field: &Field, views: &[Viewpoint]) -> Result<Vec<Vec<f64>>> {
        let e = field.state::<Encoded>(self.name())?;
        self.render_views(e, field.samples(), views)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stretching_keeps_both_ends_and_straight_lines() {
        let x: Vec<f64> = (0..700).map(|i| i as f64 * 0.5).collect();
        let y = stretch(&x, 512);
        assert_eq!(y.len(), 512);
        assert_eq!((y[0], y[511]), (0.0, 349.5));
        for w in y.windows(2) {
            assert!((w[1] - w[0] - 349.5 / 511.0).abs() < 1e-9);
        }
        assert_eq!(stretch(&y, 512), y);
    }

    use crate::geometry::LEADS;
    use crate::model::data::training_cycles;
    use crate::model::local_prior::SHAPE_FEATURES;
    use crate::model::nefnet::{LOCAL_TENSORS, NetShape, PRIOR_TENSORS, RESIDUAL_WEIGHTS};
    use crate::model::phases::PHASES;
    use crate::model::train::set_fitted;
    use crate::record::open_record;

    fn ludb() -> std::path::PathBuf {
        crate::test_data_dir().join("ludb/data")
    }

    /// Weights whose network correction is switched off (calibration 0), with `prior` and,
    /// when given, the stored form of a patient-similar prior (its record count, its values).
    fn prior_only_weights(
        prior: &LeadPrior,
        local: Option<(usize, [Vec<f32>; 3])>,
    ) -> tempfile::NamedTempFile {
        let dev = Device::Cpu;
        let vm = candle_nn::VarMap::new();
        let shape = NetShape {
            lead_field: false,
            gates: true,
            prior: true,
        };
        NefNet::build(VarBuilder::from_varmap(&vm, DType::F32, &dev), shape).unwrap();
        set_fitted(&vm, RESIDUAL_WEIGHTS, &[LEADS], vec![0.0; LEADS]).unwrap();
        for ((name, dims), values) in PRIOR_TENSORS.iter().zip(prior.to_flat()) {
            set_fitted(&vm, name, dims, values).unwrap();
        }
        if let Some((r, values)) = local {
            let dims = [
                vec![r, PHASES, LEADS, LEADS],
                vec![r, PHASES],
                vec![r, LEADS, SHAPE_FEATURES],
            ];
            for ((name, d), mut v) in LOCAL_TENSORS.into_iter().zip(dims).zip(values) {
                v.resize(d.iter().product(), 0.0);
                set_fitted(&vm, name, &d, v).unwrap();
            }
        }
        let file = tempfile::NamedTempFile::new().unwrap();
        vm.save(file.path()).unwrap();
        file
    }

    /// V1 rendered by `engine` from II, V2, V5 of a cycle of LUDB record 4, and the population
    /// prior's estimate of it.
    fn v1_and_population_estimate(
        engine: &NefNetEngine,
        prior: &LeadPrior,
    ) -> (Vec<f64>, Vec<f64>) {
        let record = open_record(&ludb().join("4")).unwrap();
        let b = CycleBounds::new([100, 150, 200, 250, 300, 400, 500], record.len()).unwrap();
        let input = CycleInput::from_record(&record, &["II", "V2", "V5"], b).unwrap();
        let v1 = lead_view(&normalise_lead_name("V1"), false)
            .unwrap()
            .viewpoint;
        let out = engine
            .render(&engine.encode(&input).unwrap(), &[v1])
            .unwrap();
        let w = prior
            .weights(&StdLead::slots([StdLead::II, StdLead::V2, StdLead::V5]), v1)
            .unwrap();
        let want = (0..out[0].len())
            .map(|s| input.leads.iter().zip(&w).map(|((_, x), w)| w * x[s]).sum())
            .collect();
        (out[0].clone(), want)
    }

    #[test]
    fn with_no_correction_kept_the_engine_returns_the_prior_exactly() {
        let cycles = training_cycles(&ludb(), &["2".to_string()]).unwrap();
        let prior = LeadPrior::from_cycles(&cycles);
        let file = prior_only_weights(&prior, None);
        let engine = NefNetEngine::load(file.path()).unwrap();
        let (got, want) = v1_and_population_estimate(&engine, &prior);
        for (s, (got, want)) in got.iter().zip(&want).enumerate() {
            assert!((got - want).abs() < 1e-4, "sample {s}: {got} vs {want}");
        }
    }

    #[test]
    fn weights_with_the_patient_similar_prior_use_it_and_refuse_one_that_does_not_fit() {
        let cycles = training_cycles(&ludb(), &["2".to_string(), "9".to_string()]).unwrap();
        let prior = LeadPrior::from_cycles(&cycles);
        let local = prior.local.clone().unwrap();
        assert_eq!(local.len(), 2);
        let file = prior_only_weights(&prior, Some((2, local.to_flat())));
        let engine = NefNetEngine::load(file.path()).unwrap();
        let held = engine.net.prior().and_then(|p| p.local.as_ref());
        assert_eq!(held.map(|l| l.len()), Some(2));
        let (got, population) = v1_and_population_estimate(&engine, &prior);
        let gap = got
            .iter()
            .zip(&population)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(got.iter().all(|v| v.is_finite()));
        assert!(
            gap > 1e-3,
            "the estimate is the population prior's (gap {gap} mV)"
        );

        // Totals that are not positive: refused with a message, not a panic.
        let [m, _, f] = local.to_flat();
        let bad = prior_only_weights(
            &prior,
            Some((2, [m, vec![0.0, 1.0, 1.0, 1.0, 1.0, 1.0], f])),
        );
        let err = NefNetEngine::load(bad.path()).err().unwrap().to_string();
        assert!(err.contains("patient-similar"), "{err}");
    }

    #[test]
    fn a_file_that_is_not_nefnet_weights_is_refused_clearly() {
        let err = NefNetEngine::from_bytes(b"not a model", Path::new("x.safetensors"))
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("x.safetensors") && err.contains("Nef-Net"),
            "{err}"
        );
    }
}
