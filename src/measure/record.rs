//! Per-cycle measurements of a record and their medians and ranges.

use super::axis::{Axis, AxisCategoryRule, AxisMethod, frontal_axis, read_category};
use super::beats::BeatMarks;
use super::source::LeadBeats;
use super::st::{net_qrs, qrs_extremes, st_level};
use super::stats::Stats;
use super::{interval_ms, qtc_bazett, qtc_fridericia};
use crate::delineate::gaps::Gaps;
use crate::record::Record;
use serde::{Deserialize, Serialize};

/// Limb leads the axis may be solved from.
const LIMB: [&str; 6] = ["I", "II", "III", "aVR", "aVL", "aVF"];

/// Choices a measurement run makes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureOptions {
    /// How the limb leads' QRS is reduced for the axis.
    pub axis_method: AxisMethod,
    /// How the axis's category is named.
    #[serde(default)]
    pub axis_category: AxisCategoryRule,
}

/// The ST level of one lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadSt {
    /// Lead name.
    pub lead: String,
    /// ST level at J + 60 ms relative to the PR-segment baseline, mV.
    pub mv: Option<f64>,
}

/// One cycle's measurements; `None` where the beat does not allow one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CycleMeasures {
    /// The beat's QRS onset (sample), which names the cycle.
    pub qrs_on: usize,
    /// The same in seconds from the record's start.
    pub time_s: f64,
    /// RR interval to the next beat's QRS onset, ms.
    pub rr_ms: Option<f64>,
    /// Heart rate from that RR interval, beats per minute.
    pub hr_bpm: Option<f64>,
    /// P wave duration, ms.
    pub p_ms: Option<f64>,
    /// PR interval (P onset to QRS onset), ms.
    pub pr_ms: Option<f64>,
    /// QRS duration, ms.
    pub qrs_ms: Option<f64>,
    /// QT interval (QRS onset to T offset), ms.
    pub qt_ms: Option<f64>,
    /// QTc by Bazett with the RR interval before the beat (after it for the first), ms.
    pub qtc_bazett_ms: Option<f64>,
    /// QTc by Fridericia with the same RR interval, ms.
    pub qtc_fridericia_ms: Option<f64>,
    /// Frontal-plane QRS axis.
    pub axis: Option<Axis>,
    /// ST level at J + 60 ms in every lead, in the record's lead order.
    pub st: Vec<LeadSt>,
    /// What the annotator's rhythm rules took the beat for, when anything: why it has no P.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rhythm: Option<crate::delineate::BeatRhythm>,
}

/// Median and range of one lead's ST level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadStStats {
    /// Lead name.
    pub lead: String,
    /// Its ST level over the cycles, mV.
    pub mv: Option<Stats>,
}

/// The record's medians and ranges of every measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// RR interval, ms.
    pub rr_ms: Option<Stats>,
    /// Heart rate, bpm.
    pub hr_bpm: Option<Stats>,
    /// P duration, ms.
    pub p_ms: Option<Stats>,
    /// PR interval, ms.
    pub pr_ms: Option<Stats>,
    /// QRS duration, ms.
    pub qrs_ms: Option<Stats>,
    /// QT interval, ms.
    pub qt_ms: Option<Stats>,
    /// QTc Bazett, ms.
    pub qtc_bazett_ms: Option<Stats>,
    /// QTc Fridericia, ms.
    pub qtc_fridericia_ms: Option<Stats>,
    /// The cycles' axes, degrees.
    pub axis_deg: Option<Stats>,
    /// The record's axis: solved from each limb lead's median net QRS over the cycles.
    pub axis: Option<Axis>,
    /// ST level per lead.
    pub st: Vec<LeadStStats>,
}

/// What a report header shows: the record's medians (rate from the median RR).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Heart rate, bpm (60 000 / median RR).
    pub hr_bpm: Option<f64>,
    /// Median PR interval, ms.
    pub pr_ms: Option<f64>,
    /// Median QRS duration, ms.
    pub qrs_ms: Option<f64>,
    /// Median QT interval, ms.
    pub qt_ms: Option<f64>,
    /// Median QTc Bazett, ms.
    pub qtc_bazett_ms: Option<f64>,
    /// Median QTc Fridericia, ms.
    pub qtc_fridericia_ms: Option<f64>,
    /// The record's frontal axis.
    pub axis: Option<Axis>,
}

/// A record's measurements: one entry per beat, and the summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordMeasures {
    /// Sampling rate the sample indices refer to.
    pub fs: f64,
    /// How the axis was found.
    pub options: MeasureOptions,
    /// Per cycle, in time order.
    pub cycles: Vec<CycleMeasures>,
    /// Medians and ranges.
    pub summary: Summary,
}

impl RecordMeasures {
    /// The figures a report header shows.
    pub fn header(&self) -> Header {
        let s = &self.summary;
        let med = |x: &Option<Stats>| x.map(|s| s.median);
        Header {
            hr_bpm: med(&s.rr_ms).map(|rr| 60_000.0 / rr),
            pr_ms: med(&s.pr_ms),
            qrs_ms: med(&s.qrs_ms),
            qt_ms: med(&s.qt_ms),
            qtc_bazett_ms: med(&s.qtc_bazett_ms),
            qtc_fridericia_ms: med(&s.qtc_fridericia_ms),
            axis: s.axis.clone(),
        }
    }

    /// The index of the cycle whose span (its QRS onset to the next one's) holds `sample`.
    pub fn cycle_at(&self, sample: usize) -> Option<usize> {
        let k = self.cycles.partition_point(|c| c.qrs_on <= sample);
        k.checked_sub(1)
    }
}

/// Measure every beat of `record` (`beats`: record-level boundaries; `leads`: each lead's own
/// beats where known, used for that lead's J point).
pub fn measure_record(
    record: &Record,
    beats: &[BeatMarks],
    leads: &LeadBeats,
    options: MeasureOptions,
) -> RecordMeasures {
    let fs = record.fs;
    let mut beats = beats.to_vec();
    beats.sort_by_key(|b| b.qrs.on);
    let gaps = record_gaps(record);
    let mut nets: Vec<Vec<Option<f64>>> = vec![Vec::new(); LIMB.len()];
    // R and S of leads I, II and III, beat by beat, for the reader's category.
    let mut extremes: [Vec<Option<(f64, f64)>>; 3] = Default::default();
    let named = |axis: Option<Axis>, rs: [Option<(f64, f64)>; 3]| {
        let mut axis = axis?;
        if options.axis_category == AxisCategoryRule::Reading
            && let (Some(i), Some(iii)) = (rs[0], rs[2])
            && let Some(category) = read_category(axis.category, i, rs[1], iii)
        {
            axis.category = category;
        }
        Some(axis)
    };
    let cycles: Vec<CycleMeasures> = beats
        .iter()
        .map(|b| {
            for (k, name) in LIMB.iter().enumerate() {
                let x = record.lead(name).map(|l| l.samples.as_slice());
                nets[k].push(x.and_then(|x| net_qrs(x, b, fs, options.axis_method)));
                if let Some(e) = extremes.get_mut(k) {
                    e.push(x.and_then(|x| qrs_extremes(x, b, fs)));
                }
            }
            let i = nets[0].len() - 1;
            let axis = frontal_axis(|n| nets[LIMB.iter().position(|l| *l == n)?][i]);
            let axis = named(axis, std::array::from_fn(|k| extremes[k][i]));
            measure_beat(record, b, leads, axis, &gaps)
        })
        .collect();
    let lead_median = |n: &str| {
        let k = LIMB.iter().position(|l| *l == n)?;
        Stats::of(nets[k].iter().copied()).map(|s| s.median)
    };
    let median_rs = |k: usize| {
        let r = Stats::of(extremes[k].iter().map(|e| e.map(|e| e.0)))?.median;
        let s = Stats::of(extremes[k].iter().map(|e| e.map(|e| e.1)))?.median;
        Some((r, s))
    };
    let axis = named(frontal_axis(lead_median), std::array::from_fn(median_rs));
    let summary = summarise(record, &cycles, axis);
    RecordMeasures {
        fs,
        options,
        cycles,
        summary,
    }
}

fn measure_beat(
    record: &Record,
    b: &BeatMarks,
    leads: &LeadBeats,
    axis: Option<Axis>,
    gaps: &Gaps,
) -> CycleMeasures {
    let fs = record.fs;
    // An interval across a stretch the record has no samples for was not measured.
    let rr = |a: usize, z: usize| interval_ms(a, z, fs).filter(|_| !gaps.between(a, z));
    let rr_ms = b.next_qrs_on.and_then(|n| rr(b.qrs.on, n));
    // QT follows the cycle before the beat; the first beat has only the one after.
    let rr_before = b.prev_qrs_on.and_then(|p| rr(p, b.qrs.on));
    let rr_qtc = rr_before.or(rr_ms);
    let qt_ms = b.t.and_then(|t| interval_ms(b.qrs.on, t.off, fs));
    let st = record
        .leads
        .iter()
        .map(|l| {
            let own = leads.get(&l.name).and_then(|beats| {
                beats
                    .iter()
                    .find(|o| o.qrs.on <= b.qrs.off && o.qrs.off >= b.qrs.on)
            });
            let beat = own.map_or(*b, |o| BeatMarks {
                next_qrs_on: b.next_qrs_on,
                ..*o
            });
            LeadSt {
                lead: l.name.clone(),
                mv: st_level(&l.samples, &beat, beat.qrs.off, fs),
            }
        })
        .collect();
    CycleMeasures {
        qrs_on: b.qrs.on,
        time_s: b.qrs.on as f64 / fs,
        rr_ms,
        hr_bpm: rr_ms.map(|rr| 60_000.0 / rr),
        p_ms: b.p.and_then(|p| interval_ms(p.on, p.off, fs)),
        pr_ms: b.p.and_then(|p| interval_ms(p.on, b.qrs.on, fs)),
        qrs_ms: interval_ms(b.qrs.on, b.qrs.off, fs),
        qt_ms,
        qtc_bazett_ms: qt_ms.zip(rr_qtc).and_then(|(qt, rr)| qtc_bazett(qt, rr)),
        qtc_fridericia_ms: qt_ms
            .zip(rr_qtc)
            .and_then(|(qt, rr)| qtc_fridericia(qt, rr)),
        axis,
        st,
        rhythm: b.rhythm,
    }
}

/// The stretches no lead of `record` has a sample for.
fn record_gaps(record: &Record) -> Gaps {
    let leads: Vec<Gaps> = record.leads.iter().map(|l| Gaps::of(&l.samples)).collect();
    Gaps::common(&leads.iter().collect::<Vec<_>>())
}

fn summarise(record: &Record, cycles: &[CycleMeasures], axis: Option<Axis>) -> Summary {
    let of = |f: fn(&CycleMeasures) -> Option<f64>| Stats::of(cycles.iter().map(f));
    Summary {
        rr_ms: of(|c| c.rr_ms),
        hr_bpm: of(|c| c.hr_bpm),
        p_ms: of(|c| c.p_ms),
        pr_ms: of(|c| c.pr_ms),
        qrs_ms: of(|c| c.qrs_ms),
        qt_ms: of(|c| c.qt_ms),
        qtc_bazett_ms: of(|c| c.qtc_bazett_ms),
        qtc_fridericia_ms: of(|c| c.qtc_fridericia_ms),
        axis_deg: of(|c| c.axis.as_ref().map(|a| a.degrees)),
        axis,
        st: record
            .leads
            .iter()
            .enumerate()
            .map(|(k, l)| LeadStStats {
                lead: l.name.clone(),
                mv: Stats::of(cycles.iter().map(|c| c.st.get(k).and_then(|s| s.mv))),
            })
            .collect(),
    }
}
