//! A panorama [`Engine`] (Nef-Net) scored as an evaluation [`Method`]: each cycle's inputs are
//! encoded once and every target rendered from that field.

use super::Task;
use super::methods::Method;
use crate::delineate::CycleBounds;
use crate::geometry::{lead_view, normalise_lead_name};
use crate::panorama::{CycleInput, Engine, Field};
use std::cell::RefCell;

/// Which tasks an engine's model may be scored on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Trained with every lead as a target: every task but the unseen-view ones.
    SeenViews,
    /// Trained without the unseen task's targets: only tasks with `unseen` set and exactly
    /// these inputs.
    UnseenViews(&'static [&'static str]),
}

/// A cycle's input leads (name, mV) as encoded, the cache's key.
type Inputs = Vec<(String, Vec<f64>)>;

/// An engine as an evaluation method (the evaluation's cycles are at 500 Hz).
pub struct EngineMethod {
    name: String,
    engine: Box<dyn Engine>,
    scope: Scope,
    /// The last two encodings, inputs and field: the targets of one cycle come in a row, each
    /// asked in honest units then in the paper's.
    cache: RefCell<Vec<(Inputs, Field)>>,
}

impl EngineMethod {
    /// `engine` under the table name `name`, scored on the tasks `scope` allows.
    pub fn new(name: &str, engine: Box<dyn Engine>, scope: Scope) -> Self {
        Self {
            name: name.to_string(),
            engine,
            scope,
            cache: RefCell::new(Vec::new()),
        }
    }

    fn synthesize(
        &self,
        inputs: &[(&str, &[f64])],
        bounds: &CycleBounds,
        target: &str,
    ) -> Option<Vec<f64>> {
        let view = lead_view(&normalise_lead_name(target), false)?.viewpoint;
        let leads: Inputs = inputs
            .iter()
            .map(|(n, x)| (n.to_string(), x.to_vec()))
            .collect();
        let mut cache = self.cache.borrow_mut();
        let at = match cache.iter().position(|(l, _)| *l == leads) {
            Some(i) => i,
            None => {
                let cycle = CycleInput {
                    fs: 500.0,
                    leads: leads.clone(),
                    boundaries: *bounds,
                };
                let field = self.engine.encode(&cycle).ok()?;
                if cache.len() == 2 {
                    cache.remove(0);
                }
                cache.push((leads, field));
                cache.len() - 1
            }
        };
        let field = &cache[at].1;
        self.engine.render(field, &[view]).ok()?.into_iter().next()
    }
}

impl Method for EngineMethod {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn predict(
        &self,
        inputs: &[(&str, &[f64])],
        bounds: &CycleBounds,
        target: &str,
    ) -> Option<Vec<f64>> {
        self.synthesize(inputs, bounds, target)
    }

    /// The paper's units: min-max normalisation adds the same offset to every lead (a detrended
    /// lead's first sample is 0, so the offset is that sample); the engine is scale-free, so
    /// the offset comes off before and goes back on after.
    fn predict_normalised(
        &self,
        inputs: &[(&str, &[f64])],
        bounds: &CycleBounds,
        target: &str,
    ) -> Option<Vec<f64>> {
        let offset = inputs.first()?.1.first().copied()?;
        let shifted: Vec<Vec<f64>> = inputs
            .iter()
            .map(|(_, x)| x.iter().map(|v| v - offset).collect())
            .collect();
        let given: Vec<(&str, &[f64])> = inputs
            .iter()
            .zip(&shifted)
            .map(|((n, _), x)| (*n, x.as_slice()))
            .collect();
        let p = self.synthesize(&given, bounds, target)?;
        Some(p.into_iter().map(|v| v + offset).collect())
    }

    fn applies_to(&self, task: &Task) -> bool {
        match self.scope {
            Scope::SeenViews => !task.unseen,
            Scope::UnseenViews(inputs) => task.unseen && task.inputs == inputs,
        }
    }
}
