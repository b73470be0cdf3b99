//! A network's initial weights drawn from a seed. candle draws them on the CPU from a
//! generator no seed reaches, so two runs of one recipe would start from different weights
//! and end apart by more than their data's draws; here each new variable is drawn from the
//! run's seed and its own name, with the distribution candle would have used.

use candle_core::{DType, Device, Result, Shape, Tensor, Var};
use candle_nn::init::{Init, NormalOrUniform};
use candle_nn::var_builder::SimpleBackend;
use candle_nn::{VarBuilder, VarMap};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Normal, Uniform};

/// Creates the variables of a [`VarMap`] from a seed (variables already there are kept).
struct Seeded {
    map: VarMap,
    seed: u64,
}

fn draw(init: Init, shape: &Shape, rng: &mut StdRng) -> Result<Vec<f32>> {
    let n = shape.elem_count();
    let sample = |d: &dyn Fn(&mut StdRng) -> f64, rng: &mut StdRng| {
        (0..n).map(|_| d(rng) as f32).collect::<Vec<f32>>()
    };
    let bad = |e: &dyn std::fmt::Display| candle_core::Error::Msg(format!("initial weights: {e}"));
    Ok(match init {
        Init::Const(v) => vec![v as f32; n],
        Init::Randn { mean, stdev } => {
            let d = Normal::new(mean, stdev).map_err(|e| bad(&e))?;
            sample(&|r| d.sample(r), rng)
        }
        Init::Uniform { lo, up } => {
            let d = Uniform::new(lo, up).map_err(|e| bad(&e))?;
            sample(&|r| d.sample(r), rng)
        }
        Init::Kaiming {
            dist,
            fan,
            non_linearity,
        } => {
            let std = non_linearity.gain() / (fan.for_shape(shape) as f64).sqrt();
            match dist {
                NormalOrUniform::Uniform => {
                    let bound = 3f64.sqrt() * std;
                    let d = Uniform::new(-bound, bound).map_err(|e| bad(&e))?;
                    sample(&|r| d.sample(r), rng)
                }
                NormalOrUniform::Normal => {
                    let d = Normal::new(0.0, std).map_err(|e| bad(&e))?;
                    sample(&|r| d.sample(r), rng)
                }
            }
        }
    })
}

impl SimpleBackend for Seeded {
    fn get(&self, s: Shape, name: &str, h: Init, dtype: DType, dev: &Device) -> Result<Tensor> {
        let mut data = self.map.data().lock().expect("variable map lock");
        if let Some(var) = data.get(name) {
            let t = var.as_tensor();
            if t.shape() != &s {
                candle_core::bail!("{name}: shape {:?}, expected {s:?}", t.shape());
            }
            return Ok(t.clone());
        }
        let mut rng = StdRng::seed_from_u64(self.seed ^ crate::fsio::fnv1a(name.as_bytes()));
        let values = Tensor::from_vec(draw(h, &s, &mut rng)?, s, dev)?.to_dtype(dtype)?;
        let var = Var::from_tensor(&values)?;
        let t = var.as_tensor().clone();
        data.insert(name.to_string(), var);
        Ok(t)
    }

    fn get_unchecked(&self, name: &str, _dtype: DType, _dev: &Device) -> Result<Tensor> {
        candle_core::bail!("{name}: a new network's variables need a shape")
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.map
            .data()
            .lock()
            .expect("variable map lock")
            .contains_key(name)
    }
}

/// A builder whose new variables go into `map`, drawn from `seed` and their names.
pub fn seeded_builder(map: &VarMap, seed: u64) -> VarBuilder<'static> {
    let backend = Seeded {
        map: map.clone(),
        seed,
    };
    VarBuilder::from_backend(Box::new(backend), DType::F32, Device::Cpu)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(map: &VarMap, seed: u64) -> Vec<f32> {
        let vb = seeded_builder(map, seed);
        let a = candle_nn::linear(8, 4, vb.pp("a")).unwrap();
        let c = candle_nn::conv1d(4, 3, 5, Default::default(), vb.pp("c")).unwrap();
        [a.weight(), c.weight()]
            .iter()
            .flat_map(|t| t.flatten_all().unwrap().to_vec1::<f32>().unwrap())
            .collect()
    }

    #[test]
    fn one_seed_gives_one_set_of_initial_weights_with_candles_spread() {
        let (one, again, other) = (
            net(&VarMap::new(), 5),
            net(&VarMap::new(), 5),
            net(&VarMap::new(), 6),
        );
        assert_eq!(one, again);
        assert_ne!(one, other);
        // Kaiming normal over a fan-in of 8 (the linear layer's 32 weights): sd √2/√8 = 0.5.
        let sd = (one[..32].iter().map(|w| w * w).sum::<f32>() / 32.0).sqrt();
        assert!((0.3..0.75).contains(&sd), "{sd}");
        // Variables already in the map are kept, not drawn again.
        let map = VarMap::new();
        let first = net(&map, 5);
        assert_eq!(net(&map, 9), first);
    }
}
