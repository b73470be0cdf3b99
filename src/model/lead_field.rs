//! The learned lead field: a linear estimate of any view from any set of input views.
//!
//! Linear regression from input leads S to a target lead q uses the weights `C_SS⁻¹ C_Sq`,
//! where `C` is the covariance between leads. Here that covariance is a learned kernel over
//! viewpoints, `k(u, v) = E(u)·E(v)` with `E` an MLP of the Angular Encoding, so the same
//! weights exist for any input set and any query direction, recorded by a lead or not:
//! `w = (G + λI)⁻¹ k`, `G = [k(v_i, v_j)]`, `k = [k(v_i, q)]` (kernel ridge regression; λ keeps
//! the solve well posed when inputs nearly coincide). The network adds its nonlinear
//! corrections to this estimate.

use super::angular::ANGULAR_FEATURES;
use candle_core::{D, Result, Tensor};
use candle_nn::{Linear, Module, VarBuilder, linear};

/// Dimensions of the learned lead-field embedding.
pub const FIELD_DIM: usize = 16;
/// Ridge term relative to the mean self-similarity of the inputs.
const RIDGE: f64 = 1e-2;

/// The embedding `E(θ, φ)`.
pub struct LeadField {
    a: Linear,
    b: Linear,
}

impl LeadField {
    /// Build (or load) the embedding's weights under `vb`.
    pub fn new(vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            a: linear(ANGULAR_FEATURES, 64, vb.pp("a"))?,
            b: linear(64, FIELD_DIM, vb.pp("b"))?,
        })
    }

    fn embed(&self, angles: &Tensor) -> Result<Tensor> {
        self.b.forward(&self.a.forward(angles)?.tanh()?)
    }

    /// The linear estimate `[B, 1, T]` of each item's query from its inputs: `views [B, L, T]`,
    /// `pairs [B, L, 24]` (each input's query encoding, then its own).
    pub fn estimate(&self, views: &Tensor, pairs: &Tensor) -> Result<Tensor> {
        let (b, l, _) = pairs.dims3()?;
        let query = pairs
            .narrow(1, 0, 1)?
            .narrow(2, 0, ANGULAR_FEATURES)?
            .squeeze(1)?;
        let eq = self.embed(&query)?.unsqueeze(2)?; // [B, K, 1]
        let own = pairs
            .narrow(2, ANGULAR_FEATURES, ANGULAR_FEATURES)?
            .reshape((b * l, ANGULAR_FEATURES))?;
        let u = self.embed(&own)?.reshape((b, l, FIELD_DIM))?; // [B, L, K]
        let gram = u.matmul(&u.transpose(1, 2)?.contiguous()?)?; // [B, L, L]
        let k = u.matmul(&eq)?; // [B, L, 1]
        let eye = Tensor::eye(l, gram.dtype(), gram.device())?.unsqueeze(0)?;
        let diag_mean = (gram
            .broadcast_mul(&eye)?
            .sum_keepdim(D::Minus1)?
            .sum_keepdim(1)?
            / l as f64)?;
        let ridge = ((diag_mean * RIDGE)? + 1e-4)?; // [B, 1, 1]
        let a = (gram + eye.broadcast_mul(&ridge)?)?;
        let w = solve_spd(&a, &k)?; // [B, L, 1]
        w.transpose(1, 2)?
            .contiguous()?
            .matmul(&views.contiguous()?)
    }
}

/// Solve `a x = r` for symmetric positive definite `a [B, L, L]`, `r [B, L, M]` by Gauss–Jordan
/// elimination without pivoting (stable for SPD matrices), from differentiable tensor ops.
pub fn solve_spd(a: &Tensor, r: &Tensor) -> Result<Tensor> {
    let (_, l, _) = a.dims3()?;
    let (mut a, mut r) = (a.clone(), r.clone());
    for j in 0..l {
        let mut onehot = vec![0f32; l];
        onehot[j] = 1.0;
        let e = Tensor::from_vec(onehot, (1, l, 1), a.device())?.to_dtype(a.dtype())?;
        let keep = (1.0 - &e)?;
        let pivot = a.narrow(1, j, 1)?.narrow(2, j, 1)?; // [B, 1, 1]
        let row_a = a.narrow(1, j, 1)?.broadcast_div(&pivot)?; // [B, 1, L]
        let row_r = r.narrow(1, j, 1)?.broadcast_div(&pivot)?; // [B, 1, M]
        let col = a.narrow(2, j, 1)?.broadcast_mul(&keep)?; // [B, L, 1], 0 at row j
        a = (a
            .broadcast_sub(&col.broadcast_mul(&row_a)?)?
            .broadcast_mul(&keep)?
            + e.broadcast_mul(&row_a)?)?;
        r = (r
            .broadcast_sub(&col.broadcast_mul(&row_r)?)?
            .broadcast_mul(&keep)?
            + e.broadcast_mul(&row_r)?)?;
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{DType, Device, Var};

    fn spd(dev: &Device) -> Tensor {
        let m = Tensor::new(
            &[[2.0f64, 0.3, -0.5], [0.1, 1.5, 0.2], [0.4, -0.3, 1.0]],
            dev,
        )
        .unwrap();
        let a = m.matmul(&m.t().unwrap()).unwrap();
        (a + Tensor::eye(3, DType::F64, dev).unwrap() * 0.1)
            .unwrap()
            .unsqueeze(0)
            .unwrap()
    }

    #[test]
    fn solves_a_symmetric_positive_definite_system() {
        let dev = Device::Cpu;
        let a = spd(&dev);
        let x = Tensor::new(&[[[1.0f64], [-2.0], [0.5]]], &dev).unwrap();
        let r = a.matmul(&x).unwrap();
        let got = solve_spd(&a, &r).unwrap().flatten_all().unwrap();
        let want = x.flatten_all().unwrap();
        let err = (got - want).unwrap().abs().unwrap().max(0).unwrap();
        assert!(err.to_scalar::<f64>().unwrap() < 1e-12);
    }

    #[test]
    fn its_gradient_matches_central_differences() {
        let dev = Device::Cpu;
        let a = Var::from_tensor(&spd(&dev)).unwrap();
        let r = Tensor::new(&[[[0.3f64], [1.0], [-0.7]]], &dev).unwrap();
        let weights = Tensor::new(&[[[1.0f64], [2.0], [-1.5]]], &dev).unwrap();
        let loss = |a: &Tensor| {
            (solve_spd(a, &r).unwrap() * &weights)
                .unwrap()
                .sum_all()
                .unwrap()
        };
        let grads = loss(a.as_tensor()).backward().unwrap();
        let g = grads.get(a.as_tensor()).unwrap().flatten_all().unwrap();
        let g = g.to_vec1::<f64>().unwrap();
        let base = a
            .as_tensor()
            .flatten_all()
            .unwrap()
            .to_vec1::<f64>()
            .unwrap();
        for i in 0..9 {
            let h = 1e-6;
            let mut plus = base.clone();
            plus[i] += h;
            let mut minus = base.clone();
            minus[i] -= h;
            let f = |v: Vec<f64>| {
                loss(&Tensor::from_vec(v, (1, 3, 3), &dev).unwrap())
                    .to_scalar::<f64>()
                    .unwrap()
            };
            let numeric = (f(plus) - f(minus)) / (2.0 * h);
            assert!(
                (numeric - g[i]).abs() < 1e-6,
                "entry {i}: {numeric} vs {}",
                g[i]
            );
        }
    }

    #[test]
    fn one_input_at_the_query_itself_is_returned_almost_unchanged() {
        let dev = Device::Cpu;
        let vm = candle_nn::VarMap::new();
        let field = LeadField::new(VarBuilder::from_varmap(&vm, DType::F32, &dev)).unwrap();
        let angles = crate::model::angular::angular_features(1.2, 0.4);
        let pairs: Vec<f32> = angles.iter().chain(angles.iter()).copied().collect();
        let pairs = Tensor::from_vec(pairs, (1, 1, 2 * ANGULAR_FEATURES), &dev).unwrap();
        let views = Tensor::new(&[[[1.0f32, -2.0, 0.5]]], &dev).unwrap();
        let out = field.estimate(&views, &pairs).unwrap();
        let out = out.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        // w = k / (k + λ) with λ = 1 % of k (plus a tiny floor): within 1.1 % of the input.
        for (o, v) in out.iter().zip([1.0f32, -2.0, 0.5]) {
            assert!((o - v).abs() <= 0.011 * v.abs() + 1e-3, "{o} vs {v}");
        }
    }
}
