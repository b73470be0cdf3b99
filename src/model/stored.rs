//! The panorama model as stored in one safetensors file: the fitted linear prior
//! (`prior.*`), the residual Nef-Net (`residual.*`) and its calibration (`calibration.*`).

use super::band::{self, Band};
use super::calibration::{self, Calibration};
use super::nefnet::{NefNet, RESIDUAL_PREFIX};
use super::prior::Prior;
use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use std::collections::HashMap;

/// The prior, the network that corrects it, and how much of the correction to keep.
pub struct PanoramaModel {
    /// The fitted linear prior.
    pub prior: Prior,
    /// The residual network.
    pub net: NefNet,
    /// The network's calibration.
    pub calibration: Calibration,
}

/// Names of the network's weights, from a freshly built one.
pub fn residual_names() -> Vec<String> {
    let vm = VarMap::new();
    let vb = VarBuilder::from_varmap(&vm, DType::F32, &Device::Cpu);
    // Building on a VarMap registers every variable; it cannot fail on shapes it chose.
    let _ = NefNet::new(vb.pp(RESIDUAL_PREFIX));
    let mut names: Vec<String> = vm
        .data()
        .lock()
        .map_or_else(|_| Vec::new(), |d| d.keys().cloned().collect());
    names.sort();
    names
}

impl PanoramaModel {
    /// Load from weights in `vb` (a safetensors file's tensors); what is missing or does not
    /// fit is named in the error.
    pub fn load(vb: &VarBuilder) -> candle_core::Result<Self> {
        let missing: Vec<String> = residual_names()
            .into_iter()
            .filter(|n| !vb.contains_tensor(n))
            .collect();
        if !missing.is_empty() {
            let shown: Vec<&str> = missing.iter().take(4).map(String::as_str).collect();
            candle_core::bail!(
                "the file has no residual network ({} of its tensors missing: {}{}); weights \
                 written before the prior/residual/calibration layout must be retrained",
                missing.len(),
                shown.join(", "),
                if missing.len() > shown.len() {
                    ", …"
                } else {
                    ""
                }
            );
        }
        let get = |name: &str| -> Option<Vec<f32>> {
            if !vb.contains_tensor(name) {
                return None;
            }
            vb.get_unchecked(name)
                .and_then(|t| t.flatten_all()?.to_vec1::<f32>())
                .ok()
        };
        let prior = Prior::from_tensors(get)
            .map_err(|e| candle_core::Error::Msg(format!("the linear prior: {e}")))?;
        let Some(mut calibration) =
            Calibration::from_stored(get).map_err(candle_core::Error::Msg)?
        else {
            candle_core::bail!("the file has no {}", calibration::STORED)
        };
        // A model without a fitted band still synthesizes; its views just carry no band.
        if let Some(v) = get(band::STORED) {
            calibration.band = Some(Band::from_values(&v).map_err(candle_core::Error::Msg)?);
        }
        let net = NefNet::new(vb.pp(RESIDUAL_PREFIX))?;
        Ok(Self {
            prior,
            net,
            calibration,
        })
    }
}

/// Header key of the names of the records the prior holds (a JSON list, in the prior's order).
pub const NAMES_KEY: &str = "prior.patients.names";

/// The names of the prior's records stored in a model file's header ([`NAMES_KEY`]); empty
/// when the file has none (written before they were kept) or cannot be read.
pub fn stored_names(bytes: &[u8]) -> Vec<String> {
    safetensors::SafeTensors::read_metadata(bytes)
        .ok()
        .and_then(|(_, header)| {
            let json = header.metadata().as_ref()?.get(NAMES_KEY)?.clone();
            serde_json::from_str(&json).ok()
        })
        .unwrap_or_default()
}

/// The bytes of a model file: the network's variables in `varmap`, then `prior` and
/// `calibration`, with `metadata` and the prior's record names in the header.
pub fn model_bytes(
    varmap: &VarMap,
    prior: &Prior,
    calibration: &Calibration,
    metadata: Option<HashMap<String, String>>,
) -> candle_core::Result<Vec<u8>> {
    let dev = Device::Cpu;
    let mut tensors: Vec<(String, Tensor)> = {
        let vars = varmap
            .data()
            .lock()
            .map_err(|_| candle_core::Error::Msg("the network's variables are poisoned".into()))?;
        vars.iter()
            .map(|(k, v)| (k.clone(), v.as_tensor().clone()))
            .collect()
    };
    for (name, dims, values) in prior.tensors() {
        tensors.push((name.to_string(), Tensor::from_vec(values, dims, &dev)?));
    }
    tensors.push((
        calibration::STORED.to_string(),
        Tensor::from_vec(
            calibration.residual.to_vec(),
            calibration.residual.len(),
            &dev,
        )?,
    ));
    if let Some(single) = &calibration.single {
        tensors.push((
            calibration::STORED_SINGLE.to_string(),
            Tensor::from_vec(single.to_vec(), single.len(), &dev)?,
        ));
    }
    if let Some(b) = &calibration.band {
        let v = b.values().to_vec();
        let n = v.len();
        tensors.push((band::STORED.to_string(), Tensor::from_vec(v, n, &dev)?));
    }
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    let refs: Vec<(&String, &Tensor)> = tensors.iter().map(|(k, t)| (k, t)).collect();
    let mut metadata = metadata.unwrap_or_default();
    if let Some(local) = prior.local.as_ref().filter(|l| !l.names.is_empty()) {
        let names = serde_json::to_string(&local.names)
            .map_err(|e| candle_core::Error::Msg(e.to_string()))?;
        metadata.insert(NAMES_KEY.to_string(), names);
    }
    safetensors::serialize(refs, Some(metadata)).map_err(candle_core::Error::from)
}
