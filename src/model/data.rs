//! Training cycles for Nef-Net from LUDB-layout records and from the automatic annotator.
//!
//! Every lead's boundary file gives cycles (a complete P wave, QRS and T wave up to the next P
//! onset), so one record yields its cycles as each of its cardiologists' lead annotations cut
//! them: the same beats with slightly different deflection boundaries, which is augmentation
//! the model needs with so few annotated beats. Cycles longer than the 512-sample window are
//! left out here (the engine resamples them at inference).

use super::nefnet::T_X;
use crate::delineate::cycles::{CycleFlag, cycles};
use crate::delineate::{CycleBounds, Delineator, cycles_from_waves};
use crate::error::{Error, Result};
use crate::geometry::STANDARD_12;
use crate::record::annotation::read_annotations;
use crate::record::open_record;
use crate::signal::detrend;
use std::path::Path;

/// One cycle of a 12-lead record: detrended leads in mV and its seven boundaries.
#[derive(Debug, Clone)]
pub struct TrainCycle {
    /// The database (folder) the record comes from: batches balance databases.
    pub database: String,
    /// Record name.
    pub record: String,
    /// The 12 standard leads (`STANDARD_12` order), `len` samples each, detrended.
    pub leads: Vec<Vec<f32>>,
    /// The boundaries in cycle samples: P on 0, next P on `len − 1`.
    pub bounds: CycleBounds,
    /// Samples in the cycle (both P onsets included).
    pub len: usize,
}

/// All cycles (≤ 512 samples) of the named 500 Hz, 12-lead records of folder `dir`: from every
/// lead's boundary file where the record has them (LUDB layout), else from the automatic
/// annotator. Records the annotator cannot serve (not 12 leads at 500 Hz) come back by name in
/// the second list. The cycles' database is the folder's name.
pub fn database_cycles(dir: &Path, names: &[String]) -> Result<(Vec<TrainCycle>, Vec<String>)> {
    let database = database_name(dir);
    let (mut out, mut skipped) = (Vec::new(), Vec::new());
    let mut delineator = None;
    for name in names {
        let record = open_record(&dir.join(name))?;
        let leads = match twelve_leads(&record, name) {
            Ok(l) if (record.fs - 500.0).abs() < 1e-6 => l,
            _ => {
                skipped.push(name.clone());
                continue;
            }
        };
        let mut seen = std::collections::HashSet::new();
        let mut from_files = false;
        for lead in &record.leads {
            let path = dir.join(format!("{name}.{}", lead.raw_name.to_lowercase()));
            if !path.is_file() {
                continue;
            }
            from_files = true;
            for b in cycles_from_waves(&read_annotations(&path)?, record.len()) {
                if seen.insert(b) {
                    out.extend(cut_cycle(&database, name, &leads, b));
                }
            }
        }
        if !from_files {
            if delineator.is_none() {
                delineator = Some(Delineator::load_default()?);
            }
            let d = delineator.as_ref().unwrap_or_else(|| unreachable!());
            for b in complete_cycles(d, &record)? {
                out.extend(cut_cycle(&database, name, &leads, b));
            }
        }
    }
    Ok((out, skipped))
}

/// [`database_cycles`] of records that all have boundary files; a record that cannot serve is
/// an error.
pub fn training_cycles(dir: &Path, names: &[String]) -> Result<Vec<TrainCycle>> {
    let (cycles, skipped) = database_cycles(dir, names)?;
    match skipped.first() {
        Some(name) => Err(Error::Invalid(format!(
            "{name}: not a 12-lead record at 500 Hz"
        ))),
        None => Ok(cycles),
    }
}

/// The name batches know a folder's records by: its last component (its parent's too when
/// that is a generic `data` or `records500`).
pub fn database_name(dir: &Path) -> String {
    let parts: Vec<String> = dir
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    match parts.as_slice() {
        [.., parent, last] if matches!(last.as_str(), "data" | "records500") => {
            format!("{parent}/{last}")
        }
        [.., last] => last.clone(),
        [] => ".".to_string(),
    }
}

/// The complete P-QRS-T-P cycles the annotator finds in `record`, none cut by its ends or
/// missing samples.
fn complete_cycles(d: &Delineator, record: &crate::record::Record) -> Result<Vec<CycleBounds>> {
    let unusable = [
        CycleFlag::CutAtStart,
        CycleFlag::CutAtEnd,
        CycleFlag::MissingSamples,
    ];
    Ok(cycles(&d.delineate(record)?)
        .iter()
        .filter(|c| c.has_p() && c.has_t() && !unusable.iter().any(|&f| c.has(f)))
        .filter_map(|c| c.bounds(record.len()))
        .collect())
}

/// The complete P-QRS-T-P cycles (≤ 512 samples) the automatic annotator finds in 12-lead,
/// 500 Hz records without boundary files (`paths`: record paths without extension), for
/// training on more patients than the annotated ones. Records at another rate or without the
/// 12 standard leads are skipped (their names come back in the second list). Each record's
/// database is its folder's name.
pub fn annotator_cycles(paths: &[std::path::PathBuf]) -> Result<(Vec<TrainCycle>, Vec<String>)> {
    let delineator = Delineator::load_default()?;
    let (mut out, mut skipped) = (Vec::new(), Vec::new());
    for path in paths {
        let name = path.display().to_string();
        let database = database_name(path.parent().unwrap_or(Path::new(".")));
        let record = open_record(path)?;
        let Ok(leads) = twelve_leads(&record, &name) else {
            skipped.push(name);
            continue;
        };
        if (record.fs - 500.0).abs() > 1e-6 {
            skipped.push(name);
            continue;
        }
        for b in complete_cycles(&delineator, &record)? {
            out.extend(cut_cycle(&database, &name, &leads, b));
        }
    }
    Ok((out, skipped))
}

/// Replace leads I and V4 of `cycles` by what the other leads say of them, for a model that
/// must never have seen them (the unseen-views variant): I = II − III (Einthoven's law), V4 =
/// (2·V3 + V5) / 3 (its place on the chest, a third of the way from V3 to V5). The prior fitted
/// on such cycles knows I and V4 only through physics and their neighbours.
pub fn stand_in_for_i_and_v4(cycles: &mut [TrainCycle]) {
    use crate::geometry::StdLead::{I, II, III, V3, V4, V5};
    for c in cycles {
        let i: Vec<f32> = c.leads[II.index()]
            .iter()
            .zip(&c.leads[III.index()])
            .map(|(a, b)| a - b)
            .collect();
        let v4: Vec<f32> = c.leads[V3.index()]
            .iter()
            .zip(&c.leads[V5.index()])
            .map(|(a, b)| (2.0 * a + b) / 3.0)
            .collect();
        c.leads[I.index()] = i;
        c.leads[V4.index()] = v4;
    }
}

/// The 12 standard leads of `record`, in `STANDARD_12` order.
fn twelve_leads<'a>(record: &'a crate::record::Record, name: &str) -> Result<Vec<&'a [f64]>> {
    STANDARD_12
        .iter()
        .map(|l| record.lead(l).map(|x| x.samples.as_slice()))
        .collect::<Option<_>>()
        .ok_or_else(|| Error::Invalid(format!("{name}: not a 12-lead record")))
}

/// The detrended cycle with boundaries `b` (absolute), when it is 100–512 samples long and
/// finite.
fn cut_cycle(database: &str, name: &str, leads: &[&[f64]], b: CycleBounds) -> Option<TrainCycle> {
    let (start, end, len) = (b.start(), b.end(), b.samples());
    if !(100..=T_X).contains(&len) {
        return None;
    }
    let cut: Vec<Vec<f32>> = leads
        .iter()
        .map(|x| {
            detrend(&x[start..=end])
                .into_iter()
                .map(|v| v as f32)
                .collect()
        })
        .collect();
    if cut.iter().flatten().any(|v| !v.is_finite()) {
        return None;
    }
    Some(TrainCycle {
        database: database.to_string(),
        record: name.to_string(),
        leads: cut,
        bounds: b.relative(),
        len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::LEADS;

    fn ludb() -> std::path::PathBuf {
        crate::test_data_dir().join("ludb/data")
    }

    #[test]
    fn every_leads_file_gives_cycles_that_start_and_end_at_zero() {
        let cycles = training_cycles(&ludb(), &["2".to_string()]).unwrap();
        assert!(cycles.len() > 12, "{} cycles", cycles.len());
        for c in &cycles {
            assert_eq!((c.bounds.start(), c.bounds.end()), (0, c.len - 1));
            for lead in &c.leads {
                assert_eq!(lead.len(), c.len);
                assert!(lead[0].abs() < 1e-6 && lead[c.len - 1].abs() < 1e-6);
            }
        }
    }

    #[test]
    fn the_unseen_leads_are_stood_in_for_by_physics_and_neighbours() {
        use crate::geometry::StdLead::{I, II, III, V3, V4, V5};
        let mut cycles = training_cycles(&ludb(), &["2".to_string()]).unwrap();
        let before = cycles[3].clone();
        stand_in_for_i_and_v4(&mut cycles);
        let c = &cycles[3];
        for s in 0..c.len {
            let ii_iii = before.leads[II.index()][s] - before.leads[III.index()][s];
            assert!((c.leads[I.index()][s] - ii_iii).abs() < 1e-6);
            let v = (2.0 * before.leads[V3.index()][s] + before.leads[V5.index()][s]) / 3.0;
            assert!((c.leads[V4.index()][s] - v).abs() < 1e-6);
        }
        assert_eq!(c.leads[II.index()], before.leads[II.index()]);
        assert_ne!(c.leads[V4.index()], before.leads[V4.index()]);
    }

    #[test]
    fn the_annotator_gives_complete_cycles_of_12_lead_records_and_skips_others() {
        let data = crate::test_data_dir();
        let paths = [
            data.join("cinc2021-samples/E07501"),
            data.join("wfdb-samples/100"),
        ];
        let (cycles, skipped) = annotator_cycles(&paths).unwrap();
        assert_eq!(skipped, vec![paths[1].display().to_string()]);
        assert!(!cycles.is_empty());
        for c in &cycles {
            assert_eq!((c.bounds.start(), c.bounds.end()), (0, c.len - 1));
            assert!(
                c.bounds.p_off() > 0 && c.bounds.t_off() > c.bounds.t_on(),
                "P and T waves"
            );
            assert_eq!(c.leads.len(), LEADS);
        }
    }
}
