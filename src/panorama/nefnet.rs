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
use crate::error::{Error, Result};
use crate::geometry::{StdLead, Viewpoint, lead_view, normalise_lead_name};
use crate::model::angular::{ANGULAR_FEATURES, angular_features};
use crate::model::nefnet::{T_X, deflection_rois};
use crate::model::prepare::{InputLead, NetInputs};
use crate::model::stored::{PanoramaModel, stored_names};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use std::path::Path;

/// The rate the network was trained at.
const NET_FS: f64 = 500.0;

/// The Nef-Net engine with its loaded model.
pub struct NefNetEngine {
    model: PanoramaModel,
    device: Device,
    /// One-thread workers run encoding and rendering ([`crate::nn::Workers`]), one per core.
    pool: crate::nn::Workers,
    /// The prior's record left out of its patient-similar regressions ([`Self::leave_out`]).
    left_out: Option<usize>,
}

/// What encoding one cycle keeps for rendering.
struct Encoded {
    /// The decoder's query-independent features `[1, T_W, 2·C]` ([`NefNet::decode_shared`]).
    ///
    /// [`NefNet::decode_shared`]: crate::model::nefnet::NefNet::decode_shared
    shared: Tensor,
    /// Input views `[1, L, T_X]`, scaled.
    views: Tensor,
    /// The inputs as the network and the prior read them.
    inputs: NetInputs,
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
        let mut model = PanoramaModel::load(&vb).map_err(|cause| Error::ModelMismatch {
            path: path.to_path_buf(),
            network: "Nef-Net",
            cause: Box::new(cause),
        })?;
        if let Some(local) = model.prior.local.as_mut() {
            let names = stored_names(bytes);
            if names.len() == local.len() {
                local.names = names;
            }
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let pool = crate::nn::Workers::new(cores.min(4)).map_err(|e| {
            Error::Invalid(format!("cannot start the panorama engine's worker: {e}"))
        })?;
        Ok(Self {
            model,
            device,
            pool,
            left_out: None,
        })
    }

    /// The engine with the shipped weights, or with the weights at `path`.
    pub fn load_or_default(path: Option<&Path>) -> Result<Self> {
        path.map_or_else(Self::load_default, Self::load)
    }

    /// Leave record `name` out of the patient-similar prior, as training leaves a cycle's own
    /// record out, so that a record the model was fitted on is restored as a new one would be
    /// (evaluations of training records); it replaces the record left out before. Whether the
    /// prior held it: files without their records' names hold none.
    pub fn leave_out(&mut self, name: &str) -> bool {
        self.left_out = self.model.prior.local.as_ref().and_then(|l| l.find(name));
        self.left_out.is_some()
    }

    fn encode_cycle(&self, cycle: &CycleInput) -> Result<Encoded> {
        cycle.validate()?;
        let n = cycle.samples();
        let at_500 = ((n - 1) as f64 * NET_FS / cycle.fs).round() as usize + 1;
        let m = at_500.clamp(2, T_X);
        let bounds = cycle.boundaries.stretched(m);
        let mut leads = Vec::with_capacity(cycle.leads.len());
        for (name, x) in &cycle.leads {
            // The table's angles, exactly as in training (the encoding sees raw angles).
            let v = lead_view(&normalise_lead_name(name), false)
                .ok_or_else(|| Error::NoViewpoint {
                    lead: name.clone(),
                    needed_by: Some("Nef-Net engine"),
                })?
                .viewpoint;
            let samples: Vec<f32> = stretch(x, m).into_iter().map(|v| v as f32).collect();
            // A modified lead (MIT-BIH's MLII) stands for its standard lead here as in the
            // network's angles.
            leads.push((StdLead::parse(name).map(StdLead::index), v, samples));
        }
        let inputs: Vec<InputLead> = leads
            .iter()
            .map(|(slot, v, samples)| InputLead {
                slot: *slot,
                angles: angular_features(v.theta, v.phi),
                samples,
            })
            .collect();
        let inputs = NetInputs::new(&self.model.prior, &inputs, bounds, self.left_out);
        let l = inputs.len();
        let views = Tensor::from_vec(inputs.views.clone(), (l, T_X), &self.device)?;
        let angles: Vec<f32> = inputs.angles.iter().flatten().copied().collect();
        let angles = Tensor::from_vec(angles, (l, ANGULAR_FEATURES), &self.device)?;
        let rois = deflection_rois(&bounds);
        let net = &self.model.net;
        let enc = net.encode(&views, &angles, l, &rois)?;
        let shared = net.decode_shared(&enc.zb, &enc.zd, &rois)?;
        Ok(Encoded {
            shared,
            views: views.unsqueeze(0)?,
            inputs,
            window_len: m,
        })
    }

    fn render_views(&self, e: &Encoded, n: usize, views: &[Viewpoint]) -> Result<Vec<Vec<f64>>> {
        if views.is_empty() {
            return Ok(Vec::new());
        }
        let q = views.len();
        let l = e.inputs.len();
        let query: Vec<[f32; ANGULAR_FEATURES]> = views
            .iter()
            .map(|v| angular_features(v.theta, v.phi))
            .collect();
        let mut pairs = Vec::with_capacity(q * l * 2 * ANGULAR_FEATURES);
        for qa in &query {
            e.inputs.push_pairs(qa, &mut pairs);
        }
        let prior: Vec<f32> = views
            .iter()
            .flat_map(|v| e.inputs.prior_estimate(*v))
            .collect();
        let keep: Vec<f32> = views
            .iter()
            .map(|v| self.model.calibration.keep(l, e.inputs.single, *v))
            .collect();
        let dev = &self.device;
        let net = &self.model.net;
        let run = || -> candle_core::Result<Vec<Vec<f32>>> {
            let prior = Tensor::from_vec(prior, (q, 1, T_X), dev)?;
            let pairs = Tensor::from_vec(pairs, (q, l, 2 * ANGULAR_FEATURES), dev)?;
            let query = Tensor::from_vec(query.concat(), (q, ANGULAR_FEATURES), dev)?;
            let views = e.views.broadcast_as((q, l, T_X))?;
            let skip = net.skip(&views, &pairs, &prior)?;
            let out = net.decode_views(&e.shared, &query, &skip)?;
            // The prior plus the share of the network's correction the calibration keeps.
            let p = prior.squeeze(1)?;
            let keep = Tensor::from_vec(keep, (q, 1), dev)?;
            ((&out - &p)?.broadcast_mul(&keep)? + p)?.to_vec2()
        };
        let out = run()?;
        Ok(out
            .into_iter()
            .map(|row| {
                let window: Vec<f64> = row[..e.window_len]
                    .iter()
                    .map(|&v| f64::from(v) * f64::from(e.inputs.scale))
                    .collect();
                stretch(&window, n)
            })
            .collect())
    }
}

impl Engine for NefNetEngine {
    fn name(&self) -> &str {
        "nefnet"
    }

    fn encode(&self, cycle: &CycleInput) -> Result<Field> {
        let encoded = self.pool.install(|| self.encode_cycle(cycle))?;
        Ok(Field::new(self.name(), cycle, encoded))
    }

    fn render(&self, field: &Field, views: &[Viewpoint]) -> Result<Vec<Vec<f64>>> {
        let e = field.state::<Encoded>(self.name())?;
        self.pool
            .install(|| self.render_views(e, field.samples(), views))
    }

    fn band(
        &self,
        field: &Field,
        views: &[Viewpoint],
        level: f64,
    ) -> Result<Option<Vec<Vec<f64>>>> {
        // Only a field this engine encoded has the inputs the band was calibrated for.
        field.state::<Encoded>(self.name())?;
        match &self.model.calibration.band {
            Some(band) => super::field_band(band, field, views, level).map(Some),
            None => Ok(None),
        }
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

    use crate::delineate::CycleBounds;
    use crate::geometry::LEADS;
    use crate::model::calibration::Calibration;
    use crate::model::data::training_cycles;
    use crate::model::local_prior::LocalPrior;
    use crate::model::prior::Prior;
    use crate::model::stored::model_bytes;
    use crate::model::train::net_from_varmap;
    use crate::record::open_record;

    fn ludb() -> std::path::PathBuf {
        crate::test_data_dir().join("ludb/data")
    }

    /// The largest absolute difference between two signals.
    fn max_gap(a: &[f64], b: &[f64]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max)
    }

    /// A model file whose network correction is switched off (calibration 0) over `prior`.
    fn prior_only_weights(prior: &Prior) -> Vec<u8> {
        let vm = candle_nn::VarMap::new();
        net_from_varmap(&vm).unwrap();
        let off = Calibration {
            residual: [0.0; LEADS],
            single: None,
            band: None,
        };
        model_bytes(&vm, prior, &off, None).unwrap()
    }

    /// V1 rendered by `engine` from II, V2, V5 of a cycle of LUDB record 4, and the population
    /// prior's estimate of it.
    fn v1_and_population_estimate(engine: &NefNetEngine, prior: &Prior) -> (Vec<f64>, Vec<f64>) {
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
        let mut prior = Prior::from_cycles(&cycles);
        // Without patients the estimate is the population regression's.
        prior.local = None;
        let stored = Prior::from_cycles(&cycles);
        let engine =
            NefNetEngine::from_bytes(&prior_only_weights(&stored), Path::new("m")).unwrap();
        let mut engine_population = engine;
        engine_population.model.prior.local = None;
        let (got, want) = v1_and_population_estimate(&engine_population, &prior);
        for (s, (got, want)) in got.iter().zip(&want).enumerate() {
            assert!((got - want).abs() < 1e-4, "sample {s}: {got} vs {want}");
        }
    }

    #[test]
    fn the_patient_similar_prior_is_used_and_one_that_does_not_fit_is_refused() {
        let cycles = training_cycles(&ludb(), &["2".to_string(), "9".to_string()]).unwrap();
        let prior = Prior::from_cycles(&cycles);
        let bytes = prior_only_weights(&prior);
        let engine = NefNetEngine::from_bytes(&bytes, Path::new("m")).unwrap();
        assert_eq!(engine.model.prior.local.as_ref().map(|l| l.len()), Some(2));
        let (got, population) = v1_and_population_estimate(&engine, &prior);
        let gap = max_gap(&got, &population);
        assert!(got.iter().all(|v| v.is_finite()));
        assert!(
            gap > 1e-3,
            "the estimate is the population prior's (gap {gap} mV)"
        );

        // Totals that are not positive: refused with a message, not a panic.
        let mut bad = prior.clone();
        if let Some(local) = bad.local.as_mut() {
            local.totals[0][0] = 0.0;
        }
        let err = NefNetEngine::from_bytes(&prior_only_weights(&bad), Path::new("bad"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("patient-similar"), "{err}");
    }

    #[test]
    fn a_record_of_the_prior_can_be_left_out_by_the_name_the_file_keeps() {
        let names = ["2".to_string(), "4".to_string()];
        let cycles = training_cycles(&ludb(), &names).unwrap();
        let prior = Prior::from_cycles(&cycles);
        let bytes = prior_only_weights(&prior);
        let engine = NefNetEngine::from_bytes(&bytes, Path::new("two")).unwrap();
        let (all, _) = v1_and_population_estimate(&engine, &prior);
        let mut without = NefNetEngine::from_bytes(&bytes, Path::new("two")).unwrap();
        assert!(!without.leave_out("7"), "record 7 is not in the prior");
        assert!(without.leave_out("../elsewhere/4"));
        // Record 4's cycle restored without record 4: only record 2 is left to answer.
        let (left, _) = v1_and_population_estimate(&without, &prior);
        let moved = max_gap(&all, &left);
        assert!(moved > 1e-3, "V1 moved by {moved} mV");
        let mut only_2 = Prior::from_cycles(&cycles);
        let cycles_of_2: Vec<_> = cycles.iter().filter(|c| c.record == "2").cloned().collect();
        only_2.local = Some(LocalPrior::fit(&cycles_of_2));
        let alone =
            NefNetEngine::from_bytes(&prior_only_weights(&only_2), Path::new("one")).unwrap();
        let (want, _) = v1_and_population_estimate(&alone, &only_2);
        let off = max_gap(&want, &left);
        assert!(off < 1e-6, "left out against never held: {off} mV apart");
    }

    #[test]
    fn weights_of_the_earlier_layout_are_refused_naming_what_is_missing() {
        let cycles = training_cycles(&ludb(), &["2".to_string()]).unwrap();
        let prior = Prior::from_cycles(&cycles);
        let bytes = prior_only_weights(&prior);
        // The same tensors with the network's names unprefixed, as earlier files hold them.
        let tensors = candle_core::safetensors::load_buffer(&bytes, &Device::Cpu).unwrap();
        let renamed: std::collections::HashMap<String, Tensor> = tensors
            .into_iter()
            .map(|(k, v)| (k.strip_prefix("residual.").unwrap_or(&k).to_string(), v))
            .collect();
        let file = tempfile::NamedTempFile::new().unwrap();
        candle_core::safetensors::save(&renamed, file.path()).unwrap();
        let err = NefNetEngine::load(file.path()).err().unwrap().to_string();
        assert!(
            err.contains("residual.") && err.contains("retrained"),
            "{err}"
        );
        // A file without the prior.
        let no_prior: std::collections::HashMap<String, Tensor> =
            candle_core::safetensors::load_buffer(&bytes, &Device::Cpu)
                .unwrap()
                .into_iter()
                .filter(|(k, _)| !k.starts_with("prior.patients"))
                .collect();
        candle_core::safetensors::save(&no_prior, file.path()).unwrap();
        let err = NefNetEngine::load(file.path()).err().unwrap().to_string();
        assert!(err.contains("prior.patients.wave_moments"), "{err}");
    }

    #[test]
    fn a_lone_standard_lead_keeps_the_share_stored_for_it() {
        let cycles = training_cycles(&ludb(), &["2".to_string()]).unwrap();
        let prior = Prior::from_cycles(&cycles);
        let vm = candle_nn::VarMap::new();
        net_from_varmap(&vm).unwrap();
        let engine_with = |residual: [f32; LEADS], single: Option<[f32; LEADS]>| {
            let c = Calibration {
                residual,
                single,
                band: None,
            };
            NefNetEngine::from_bytes(&model_bytes(&vm, &prior, &c, None).unwrap(), Path::new("m"))
                .unwrap()
        };
        // The whole correction for one input, none for lead II alone.
        let mut per_lead = [1.0; LEADS];
        per_lead[StdLead::II.index()] = 0.0;
        let calibrated = engine_with([1.0; LEADS], Some(per_lead));
        let prior_only = engine_with([0.0; LEADS], None);
        let record = open_record(&ludb().join("4")).unwrap();
        let b = CycleBounds::new([100, 150, 200, 250, 300, 400, 500], record.len()).unwrap();
        let v1 = lead_view(&normalise_lead_name("V1"), false)
            .unwrap()
            .viewpoint;
        let view = |engine: &NefNetEngine, lead: &str| {
            let input = CycleInput::from_record(&record, &[lead], b).unwrap();
            engine
                .render(&engine.encode(&input).unwrap(), &[v1])
                .unwrap()[0]
                .clone()
        };
        // Read back from the file: lead II alone is the prior's, lead I alone is corrected.
        assert!(max_gap(&view(&calibrated, "II"), &view(&prior_only, "II")) < 1e-5);
        assert!(max_gap(&view(&calibrated, "I"), &view(&prior_only, "I")) > 1e-3);
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
