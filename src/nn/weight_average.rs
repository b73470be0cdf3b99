//! Stochastic weight averaging (Izmailov et al., UAI 2018): the mean of the weights a run
//! passes through at a constant learning rate. Single runs land in places that move a
//! delineator boundary's scatter by tens of milliseconds, or a synthesized view by tenths of
//! a decibel, from one seed or checkpoint to the next; their mean sits in the middle of that
//! region and moves less.

use crate::error::Result;
use candle_core::Tensor;
use candle_nn::VarMap;
use std::collections::BTreeMap;

/// A running sum of a network's weights, by variable name.
#[derive(Default)]
pub struct WeightAverage {
    sums: BTreeMap<String, Tensor>,
    count: usize,
}

impl WeightAverage {
    /// Add the weights `vm` holds now.
    pub fn add(&mut self, vm: &VarMap) -> Result<()> {
        let data = vm.data().lock().expect("variable map lock");
        for (name, var) in data.iter() {
            let w = var.as_tensor().detach();
            let sum = match self.sums.remove(name) {
                Some(s) => (s + w)?,
                None => w.copy()?,
            };
            self.sums.insert(name.clone(), sum);
        }
        self.count += 1;
        Ok(())
    }

    /// How many snapshots were added.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Set `vm`'s weights to the mean of the snapshots (nothing changes before the first).
    pub fn apply(&self, vm: &VarMap) -> Result<()> {
        if self.count == 0 {
            return Ok(());
        }
        let data = vm.data().lock().expect("variable map lock");
        for (name, var) in data.iter() {
            if let Some(sum) = self.sums.get(name) {
                var.set(&(sum / self.count as f64)?)?;
            }
        }
        Ok(())
    }
}

/// Every weight `vm` holds, variable by variable in the order of their names: what the
/// averaging tests of both training loops compare.
#[cfg(test)]
pub(crate) fn flat_weights(vm: &VarMap) -> Vec<f32> {
    let data = vm.data().lock().expect("variable map lock");
    data.iter()
        .collect::<BTreeMap<_, _>>()
        .values()
        .flat_map(|v| v.flatten_all().unwrap().to_vec1::<f32>().unwrap())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{DType, Device};
    use candle_nn::Init;

    #[test]
    fn the_mean_of_the_snapshots_replaces_the_weights() {
        let vm = VarMap::new();
        let w = vm
            .get((2,), "w", Init::Const(1.0), DType::F32, &Device::Cpu)
            .unwrap();
        let var = |vm: &VarMap| vm.data().lock().unwrap()["w"].clone();
        let mut avg = WeightAverage::default();
        avg.apply(&vm).unwrap();
        assert_eq!(w.to_vec1::<f32>().unwrap(), [1.0, 1.0]);
        avg.add(&vm).unwrap();
        var(&vm)
            .set(&Tensor::new(&[3f32, 5.0], &Device::Cpu).unwrap())
            .unwrap();
        avg.add(&vm).unwrap();
        var(&vm)
            .set(&Tensor::new(&[8f32, 0.0], &Device::Cpu).unwrap())
            .unwrap();
        avg.add(&vm).unwrap();
        avg.apply(&vm).unwrap();
        assert_eq!(avg.count(), 3);
        assert_eq!(var(&vm).to_vec1::<f32>().unwrap(), [4.0, 2.0]);
    }
}
