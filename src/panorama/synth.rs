//! Synthesizing a whole record: the chosen input leads, the views asked for, and every cycle
//! rendered in place.

use super::{CycleInput, Engine};
use crate::delineate::CycleBounds;
use crate::error::{Error, Result};
use crate::geometry::{Viewpoint, lead_view, normalise_lead_name};
use crate::record::Record;

/// Lead names a view or input may be given as.
const KNOWN_LEADS: &str = "I, II, III, aVR, aVL, aVF, V1–V6, V3R–V6R, V7–V9, vx, vy, vz";

/// A requested view: a column label and the viewpoint it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewSpec {
    /// The lead's canonical name, or `theta{θ}_phi{φ}` (degrees) for a direction.
    pub label: String,
    /// Where the view looks from.
    pub viewpoint: Viewpoint,
}

impl ViewSpec {
    /// A view from a lead name (its standard viewpoint) or `θ,φ` in degrees, θ in [0, 180].
    pub fn parse(spec: &str) -> Result<Self> {
        let bad = |reason: &str| {
            Err(Error::BadView {
                spec: spec.to_string(),
                reason: reason.to_string(),
            })
        };
        if let Some((t, p)) = spec.split_once(',') {
            let (Ok(theta), Ok(phi)) = (t.trim().parse::<f64>(), p.trim().parse::<f64>()) else {
                return bad("expected θ,φ as two numbers in degrees, e.g. 90,180");
            };
            if !theta.is_finite() || !phi.is_finite() {
                return bad("θ and φ must be finite numbers of degrees");
            }
            if !(0.0..=180.0).contains(&theta) {
                return bad("θ (the angle from the head axis) must lie in [0, 180] degrees");
            }
            return Ok(Self {
                label: format!("theta{theta}_phi{phi}"),
                viewpoint: Viewpoint::from_degrees(theta, phi),
            });
        }
        let id = normalise_lead_name(spec);
        match lead_view(&id, false) {
            Some(v) => Ok(Self {
                label: id.name,
                viewpoint: v.viewpoint,
            }),
            None => bad(&format!(
                "unknown lead; give a lead name ({KNOWN_LEADS}) or θ,φ in degrees"
            )),
        }
    }
}

impl std::str::FromStr for ViewSpec {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

/// The record with only the requested input leads, in the order asked, under their canonical
/// names: an unknown lead name, one given twice, or one the record lacks is an error.
pub fn parse_inputs<S: AsRef<str>>(record: &Record, requested: &[S]) -> Result<Record> {
    if requested.is_empty() {
        return Err(Error::Invalid("no input lead given".into()));
    }
    let mut leads = Vec::with_capacity(requested.len());
    for raw in requested {
        let raw = raw.as_ref();
        let id = normalise_lead_name(raw);
        if !id.known {
            return Err(Error::UnknownLead {
                lead: raw.to_string(),
                known: KNOWN_LEADS,
            });
        }
        if leads
            .iter()
            .any(|l: &crate::record::Lead| l.name == id.name)
        {
            return Err(Error::Invalid(format!(
                "input lead {} given twice",
                id.name
            )));
        }
        let lead = record.lead(&id.name).ok_or_else(|| Error::MissingLead {
            record: record.name.clone(),
            lead: id.name.clone(),
            available: record.leads.iter().map(|l| l.name.clone()).collect(),
        })?;
        leads.push(lead.clone());
    }
    Ok(Record {
        leads,
        ..record.clone()
    })
}

/// Views of a whole record, cycle by cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct Synthesis {
    /// One signal per view, as long as the record, in mV; NaN outside every synthesized cycle.
    pub views: Vec<Vec<f64>>,
    /// Half-widths (mV) of each view's confidence band, as long as the record (NaN outside
    /// every synthesized cycle), when a band was asked for.
    pub bands: Option<Vec<Vec<f64>>>,
    /// Number of cycles synthesized.
    pub cycles: usize,
    /// Cycles left out (their start sample) and why.
    pub skipped: Vec<(usize, String)>,
}

/// Render every cycle of `record` from `views` with `engine`, from the record's leads `inputs`
/// only (each cycle detrended by [`CycleInput::from_record`]), with the confidence band at
/// `band` (a level, e.g. 0.8) when asked; an engine without a calibrated band is then an error.
///
/// Each cycle fills its samples from its P onset through the next P onset in place; where two
/// cycles share a sample the later one wins. Cycles with a missing input sample are skipped.
pub fn synthesize(
    engine: &dyn Engine,
    record: &Record,
    inputs: &[&str],
    cycles: &[CycleBounds],
    views: &[Viewpoint],
    band: Option<f64>,
) -> Result<Synthesis> {
    if let Some(level) = band {
        super::check_level(level)?;
    }
    let mut out = Synthesis {
        views: vec![vec![f64::NAN; record.len()]; views.len()],
        bands: band.map(|_| vec![vec![f64::NAN; record.len()]; views.len()]),
        cycles: 0,
        skipped: Vec::new(),
    };
    if let Some(name) = inputs.iter().find(|&&name| {
        record
            .lead(name)
            .is_some_and(|l| l.samples.iter().all(|v| !v.is_finite()))
    }) {
        return Err(Error::Invalid(format!(
            "input lead {name} of record {} has no samples (every value is missing); choose \
             other inputs",
            record.name
        )));
    }
    let mut ordered: Vec<&CycleBounds> = cycles.iter().collect();
    ordered.sort_by_key(|c| (c.start(), c.end()));
    for &&boundaries in &ordered {
        let (start, end) = (boundaries.start(), boundaries.end());
        let missing = inputs.iter().find(|&&name| {
            record
                .lead(name)
                .and_then(|l| l.samples.get(start..=end))
                .is_some_and(|x| x.iter().any(|v| !v.is_finite()))
        });
        if let Some(name) = missing {
            out.skipped
                .push((start, format!("lead {name} has missing samples")));
            continue;
        }
        let input = CycleInput::from_record(record, inputs, boundaries)?;
        let field = engine.encode(&input)?;
        let rendered = engine.render(&field, views)?;
        for (column, signal) in out.views.iter_mut().zip(&rendered) {
            if signal.len() != input.samples() {
                return Err(Error::Invalid(format!(
                    "the {} engine rendered {} samples for a cycle of {}",
                    engine.name(),
                    signal.len(),
                    input.samples()
                )));
            }
            column[start..=end].copy_from_slice(signal);
        }
        if let (Some(level), Some(bands)) = (band, out.bands.as_mut()) {
            let widths = engine.band(&field, views, level)?.ok_or_else(|| {
                Error::Invalid(format!(
                    "the {} engine has no calibrated confidence band (its model file holds none)",
                    engine.name()
                ))
            })?;
            for (column, w) in bands.iter_mut().zip(&widths) {
                column[start..=end].copy_from_slice(w);
            }
        }
        out.cycles += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Lead;

    #[test]
    fn views_parse_from_lead_names_and_degrees() {
        let v1 = ViewSpec::parse("v1").unwrap();
        assert_eq!(v1.label, "V1");
        let d = ViewSpec::parse("90, 180").unwrap();
        assert_eq!(d.label, "theta90_phi180");
        assert_eq!(d.viewpoint, Viewpoint::from_degrees(90.0, 180.0));
        assert_eq!(
            ViewSpec::parse("22.5,-30").unwrap().label,
            "theta22.5_phi-30"
        );
        for (name, want) in [("v4r", "V4R"), ("V-4R", "V4R"), ("V7", "V7"), ("v9", "V9")] {
            let spec = ViewSpec::parse(name).unwrap();
            assert_eq!(spec.label, want, "{name}");
            let table = lead_view(&normalise_lead_name(want), false).unwrap();
            assert_eq!(spec.viewpoint, table.viewpoint, "{name}");
        }
        for bad in [
            "V10", "V2R", "90", "90,x", "190,0", "-1,0", "nan,0", "1,inf",
        ] {
            assert!(ViewSpec::parse(bad).is_err(), "{bad}");
        }
        let msg = ViewSpec::parse("200,10").unwrap_err().to_string();
        assert!(msg.contains("[0, 180]"), "{msg}");
        let msg = ViewSpec::parse("V10").unwrap_err().to_string();
        assert!(msg.contains("V3R–V6R, V7–V9"), "{msg}");
    }

    #[test]
    fn inputs_keep_only_the_leads_asked_for() {
        let record = Record {
            name: "r".into(),
            fs: 500.0,
            leads: ["I", "II", "V1", "ABP"]
                .iter()
                .map(|n| Lead::new(n, vec![0.0; 10], false))
                .collect(),
            comments: Vec::new(),
            notes: Vec::new(),
        };
        let sub = parse_inputs(&record, &["v1", "i"]).unwrap();
        let names: Vec<_> = sub.leads.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["V1", "I"]);
        let err = |x: &[&str]| parse_inputs(&record, x).unwrap_err().to_string();
        assert!(err(&["V10"]).contains("unknown input lead 'V10'"));
        assert!(
            err(&["V9"]).contains("has no lead V9"),
            "a known lead, not recorded"
        );
        assert!(err(&["V2"]).contains("has no lead V2"));
        assert!(err(&["I", "i"]).contains("given twice"));
        assert!(err(&[]).contains("no input lead"));
    }
}
