//! Cardiac cycles: the record split from one P onset to the next, each cycle cut into its six
//! deflections (P wave, PR segment, QRS complex, ST segment, T wave, TP segment).
//!
//! Boundaries are sample indices at the record's own rate and act as marks between samples:
//! deflection `k` of a cycle is the half-open range from boundary `k` to boundary `k + 1`, so
//! the six deflections tile the cycle and consecutive cycles tile each other (a cycle's
//! `next_p_on` is the next cycle's `p_on`). A wave's offset sample, the last sample of the
//! wave, is therefore the first sample of the segment after it; one sample is far below the
//! precision of any delineation.
//!
//! Beats without a P wave (atrial fibrillation, flutter, ventricular ectopic, some paced and
//! junctional beats) start their cycle [`pre_qrs_window`] samples before the QRS onset, with an
//! empty P wave at that point, and carry [`CycleFlag::NoPWave`]. Beats without a T wave get an
//! empty T wave (and ST segment) at the QRS offset and [`CycleFlag::NoTWave`]. The last cycle
//! ends at the record's end (`len`, one past the last sample) and carries
//! [`CycleFlag::CutAtEnd`], since the P onset that would end it lies beyond the record.

use super::bounds::CycleBounds;
use super::{Beat, BeatRhythm, Delineation};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Why a cycle is incomplete or estimated; written as snake_case strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CycleFlag {
    /// No P wave was found before the QRS: the cycle starts a fixed window before the QRS onset.
    NoPWave,
    /// No T wave was found after the QRS: T wave and ST segment are empty at the QRS offset.
    NoTWave,
    /// The record starts inside the cycle: its first boundaries are missing or cut at sample 0.
    CutAtStart,
    /// The record ends inside the cycle: it ends at the record's end, not at a next P onset.
    CutAtEnd,
    /// The T wave ran past the next P onset; its offset was moved back to that onset.
    TOverlapsNextP,
    /// A lead has no samples somewhere in the cycle (a recorder's gap, an electrode off): its
    /// values there are not measurements.
    MissingSamples,
    /// The beat lies in atrial fibrillation or flutter ([`BeatRhythm::AtrialFibrillation`]).
    AtrialFibrillation,
    /// The beat is ventricular ectopic ([`BeatRhythm::VentricularEctopic`]).
    VentricularEctopic,
}

impl From<BeatRhythm> for CycleFlag {
    fn from(r: BeatRhythm) -> Self {
        match r {
            BeatRhythm::AtrialFibrillation => CycleFlag::AtrialFibrillation,
            BeatRhythm::VentricularEctopic => CycleFlag::VentricularEctopic,
        }
    }
}

impl CycleFlag {
    /// The flag as written in JSON and in WFDB note annotations.
    pub fn as_str(self) -> &'static str {
        match self {
            CycleFlag::NoPWave => "no_p_wave",
            CycleFlag::NoTWave => "no_t_wave",
            CycleFlag::CutAtStart => "cut_at_start",
            CycleFlag::CutAtEnd => "cut_at_end",
            CycleFlag::TOverlapsNextP => "t_overlaps_next_p",
            CycleFlag::MissingSamples => "missing_samples",
            CycleFlag::AtrialFibrillation => BeatRhythm::AtrialFibrillation.as_str(),
            CycleFlag::VentricularEctopic => BeatRhythm::VentricularEctopic.as_str(),
        }
    }

    /// The beat's rhythm this flag names, if it names one.
    pub fn rhythm(self) -> Option<BeatRhythm> {
        match self {
            CycleFlag::AtrialFibrillation => Some(BeatRhythm::AtrialFibrillation),
            CycleFlag::VentricularEctopic => Some(BeatRhythm::VentricularEctopic),
            _ => None,
        }
    }
}

impl std::fmt::Display for CycleFlag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The six deflections of a cycle, in time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deflection {
    /// Atrial depolarisation.
    P,
    /// From the P offset to the QRS onset (atrioventricular conduction).
    Pr,
    /// Ventricular depolarisation.
    Qrs,
    /// From the QRS offset to the T onset.
    St,
    /// Ventricular repolarisation.
    T,
    /// From the T offset to the next P onset (electrical diastole).
    Tp,
}

impl Deflection {
    /// All six, in time order.
    pub const ALL: [Deflection; 6] = [
        Deflection::P,
        Deflection::Pr,
        Deflection::Qrs,
        Deflection::St,
        Deflection::T,
        Deflection::Tp,
    ];
}

/// One cardiac cycle: seven non-decreasing boundaries (sample indices) and what is unusual about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cycle {
    /// P onset: the start of the cycle.
    pub p_on: usize,
    /// P offset (equal to `p_on` when the beat has no P wave).
    pub p_off: usize,
    /// QRS onset.
    pub qrs_on: usize,
    /// QRS offset.
    pub qrs_off: usize,
    /// T onset (equal to `qrs_off` when the beat has no T wave).
    pub t_on: usize,
    /// T offset (equal to `qrs_off` when the beat has no T wave).
    pub t_off: usize,
    /// The next cycle's P onset: the end of this cycle (the record's length for the last one).
    pub next_p_on: usize,
    /// Why the cycle is incomplete or estimated; empty for a complete beat.
    pub flags: Vec<CycleFlag>,
}

impl Cycle {
    /// The seven boundaries in time order.
    pub fn boundaries(&self) -> [usize; 7] {
        [
            self.p_on,
            self.p_off,
            self.qrs_on,
            self.qrs_off,
            self.t_on,
            self.t_off,
            self.next_p_on,
        ]
    }

    /// The boundaries as a checked cycle ([`CycleBounds::new`]) of a record of `len` samples:
    /// `None` for one that ends at the record's end or spans a single sample.
    pub fn bounds(&self, len: usize) -> Option<CycleBounds> {
        CycleBounds::new(self.boundaries(), len)
    }

    /// The six deflections as half-open sample ranges that tile `p_on..next_p_on`.
    pub fn deflections(&self) -> [(Deflection, Range<usize>); 6] {
        let b = self.boundaries();
        Deflection::ALL.map(|d| {
            let k = d as usize;
            (d, b[k]..b[k + 1])
        })
    }

    /// The samples of one deflection.
    pub fn span(&self, d: Deflection) -> Range<usize> {
        let b = self.boundaries();
        b[d as usize]..b[d as usize + 1]
    }

    /// True when the cycle carries `flag`.
    pub fn has(&self, flag: CycleFlag) -> bool {
        self.flags.contains(&flag)
    }

    /// True when the delineator found this beat's P wave.
    pub fn has_p(&self) -> bool {
        !self.has(CycleFlag::NoPWave)
    }

    /// True when the delineator found this beat's T wave.
    pub fn has_t(&self) -> bool {
        !self.has(CycleFlag::NoTWave)
    }
}

/// PR window used when a record has too few P waves to measure its own (the upper limit of a
/// normal PR interval, so a P wave the delineator missed in a conducted beat still falls inside).
pub const DEFAULT_PRE_QRS_S: f64 = 0.200;
/// Beats with a P wave needed before the record's own median PR interval is trusted.
const MIN_P_BEATS: usize = 3;
/// Plausible PR intervals; a median outside them comes from spurious P detections.
const PR_LIMITS_S: (f64, f64) = (0.08, 0.40);

/// How many samples before the QRS onset a beat without P wave starts its cycle: the median
/// P-onset-to-QRS-onset interval of the record's beats with a P wave (so an ectopic or junctional
/// beat gets the window of its neighbours), or [`DEFAULT_PRE_QRS_S`] when fewer than three
/// beats have one (atrial fibrillation, flutter).
pub fn pre_qrs_window(d: &Delineation) -> usize {
    let pr: Vec<usize> = d
        .beats
        .iter()
        .filter_map(|b| b.p.filter(|p| p.on <= b.qrs.on).map(|p| b.qrs.on - p.on))
        .collect();
    window_from_pr(pr, d.fs)
}

/// [`pre_qrs_window`] from the PR intervals (samples at `fs`) of a record's beats with a P
/// wave, whoever marked them (the annotator, or a hand-edited document).
pub fn window_from_pr(mut pr: Vec<usize>, fs: f64) -> usize {
    let seconds = |s: f64| (s * fs).round().max(0.0) as usize;
    if pr.len() < MIN_P_BEATS {
        return seconds(DEFAULT_PRE_QRS_S);
    }
    pr.sort_unstable();
    let median = pr[pr.len() / 2];
    median.clamp(seconds(PR_LIMITS_S.0), seconds(PR_LIMITS_S.1))
}

/// Split a delineation into cycles, one per global beat, in time order.
///
/// Every beat yields a cycle, edge beats included (flagged). Boundaries are clamped to the
/// record and made non-decreasing, so a delineator's overlapping waves cannot produce a cycle
/// that runs backwards.
pub fn cycles(d: &Delineation) -> Vec<Cycle> {
    let len = d.len;
    let window = pre_qrs_window(d);
    let mut beats: Vec<Beat> = d.beats.clone();
    beats.sort_by_key(|b| (b.qrs.on, b.qrs.off));
    let mut out: Vec<Cycle> = Vec::with_capacity(beats.len());
    for beat in &beats {
        let prev = out.last();
        let floor = prev.map_or(0, |c| c.qrs_off);
        let qrs_on = beat.qrs.on.min(len).max(floor);
        let qrs_off = beat.qrs.off.min(len).max(qrs_on);
        let mut flags: Vec<CycleFlag> = beat.rhythm.map(CycleFlag::from).into_iter().collect();
        let p = beat.p.filter(|p| p.on <= qrs_on);
        let (p_on, p_off) = match p {
            Some(p) => {
                let p_off = p.off.min(qrs_on).max(floor);
                let p_on = p.on.max(floor).min(p_off);
                if p.on == 0 {
                    flags.push(CycleFlag::CutAtStart);
                }
                (p_on, p_off)
            }
            None => {
                flags.push(CycleFlag::NoPWave);
                // The window may not reach back into the previous beat's T wave.
                let start = prev.map_or(0, |c| c.t_off);
                if prev.is_none() && qrs_on < window {
                    flags.push(CycleFlag::CutAtStart);
                }
                let p_on = qrs_on.saturating_sub(window).max(start).min(qrs_on);
                (p_on, p_on)
            }
        };
        if qrs_on == 0 && !flags.contains(&CycleFlag::CutAtStart) {
            flags.push(CycleFlag::CutAtStart);
        }
        let (t_on, t_off) = match beat.t {
            Some(t) => {
                let t_on = t.on.min(len).max(qrs_off);
                (t_on, t.off.min(len).max(t_on))
            }
            None => {
                flags.push(CycleFlag::NoTWave);
                (qrs_off, qrs_off)
            }
        };
        if let Some(prev) = out.last_mut() {
            if prev.t_off > p_on {
                // The P onset is the cycle boundary; a T offset past it is the less certain mark.
                prev.t_off = p_on;
                prev.t_on = prev.t_on.min(p_on);
                if prev.has_t() {
                    prev.flags.push(CycleFlag::TOverlapsNextP);
                }
            }
            prev.next_p_on = p_on;
        }
        out.push(Cycle {
            p_on,
            p_off,
            qrs_on,
            qrs_off,
            t_on,
            t_off,
            next_p_on: len.max(t_off),
            flags,
        });
    }
    if let Some(last) = out.last_mut() {
        last.flags.push(CycleFlag::CutAtEnd);
    }
    for c in &mut out {
        if d.missing.overlaps(c.p_on..c.next_p_on) {
            c.flags.push(CycleFlag::MissingSamples);
        }
        c.flags.sort_unstable();
        c.flags.dedup();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delineate::{Wave, WaveKind};

    fn wave(kind: WaveKind, on: usize, off: usize) -> Wave {
        Wave {
            kind,
            on,
            peak: (on + off) / 2,
            off,
        }
    }

    /// A beat with its QRS onset at `q`: P 160–80 samples before it, QRS 50 samples, T 100–250 after.
    fn beat(q: usize, p: bool, t: bool) -> Beat {
        Beat {
            p: p.then(|| wave(WaveKind::P, q - 80, q - 30)),
            qrs: wave(WaveKind::Qrs, q, q + 50),
            t: t.then(|| wave(WaveKind::T, q + 150, q + 300)),
            rhythm: None,
        }
    }

    fn delineation(len: usize, beats: Vec<Beat>) -> Delineation {
        Delineation {
            missing: Default::default(),
            fs: 500.0,
            len,
            leads: Vec::new(),
            beats,
        }
    }

    #[test]
    fn a_beat_the_rhythm_rules_named_says_so_in_its_cycle_and_in_json() {
        let ectopic = Beat {
            rhythm: Some(BeatRhythm::VentricularEctopic),
            ..beat(700, false, true)
        };
        let in_af = Beat {
            rhythm: Some(BeatRhythm::AtrialFibrillation),
            ..beat(1300, false, true)
        };
        let d = delineation(2000, vec![beat(200, true, true), ectopic, in_af]);
        let cs = cycles(&d);
        assert!(cs[0].flags.iter().all(|f| f.rhythm().is_none()));
        assert_eq!(
            cs[1].flags,
            [CycleFlag::NoPWave, CycleFlag::VentricularEctopic]
        );
        assert!(cs[2].has(CycleFlag::AtrialFibrillation));
        let json = serde_json::to_string(&cs[1].flags).unwrap();
        assert_eq!(json, r#"["no_p_wave","ventricular_ectopic"]"#);
        let back: Vec<CycleFlag> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cs[1].flags);
        assert_eq!(back[1].as_str(), "ventricular_ectopic");
    }

    fn check_invariants(d: &Delineation, cs: &[Cycle]) {
        assert_eq!(cs.len(), d.beats.len(), "one cycle per beat");
        for c in cs {
            let b = c.boundaries();
            assert!(b.windows(2).all(|w| w[0] <= w[1]), "not monotonic: {c:?}");
            assert!(c.next_p_on <= d.len.max(c.t_off), "{c:?}");
            let spans = c.deflections();
            assert_eq!(spans[0].1.start, c.p_on);
            assert_eq!(spans[5].1.end, c.next_p_on);
            for w in spans.windows(2) {
                assert_eq!(w[0].1.end, w[1].1.start, "deflections do not tile: {c:?}");
            }
        }
        for w in cs.windows(2) {
            assert_eq!(w[0].next_p_on, w[1].p_on, "cycles do not tile");
        }
    }

    #[test]
    fn normal_beats_become_complete_cycles() {
        let d = delineation(5000, vec![beat(500, true, true), beat(1000, true, true)]);
        let cs = cycles(&d);
        check_invariants(&d, &cs);
        assert_eq!(
            cs[0],
            Cycle {
                p_on: 420,
                p_off: 470,
                qrs_on: 500,
                qrs_off: 550,
                t_on: 650,
                t_off: 800,
                next_p_on: 920,
                flags: vec![],
            }
        );
        assert_eq!(cs[0].span(Deflection::Pr), 470..500);
        assert_eq!(cs[0].span(Deflection::Tp), 800..920);
        assert_eq!(cs[1].next_p_on, 5000);
        assert_eq!(cs[1].flags, [CycleFlag::CutAtEnd]);
        assert!(cycles(&delineation(5000, vec![])).is_empty());
    }

    #[test]
    fn a_beat_without_p_gets_the_records_pr_window() {
        let beats = vec![
            beat(500, true, true),
            beat(1000, true, true),
            beat(1500, false, true),
            beat(2000, true, true),
        ];
        let d = delineation(5000, beats);
        assert_eq!(pre_qrs_window(&d), 80);
        let cs = cycles(&d);
        check_invariants(&d, &cs);
        let c = &cs[2];
        assert_eq!(c.flags, [CycleFlag::NoPWave]);
        assert_eq!((c.p_on, c.p_off, c.qrs_on), (1420, 1420, 1500));
        assert!(c.span(Deflection::P).is_empty());
        assert!(!c.has_p() && c.has_t());
        assert_eq!(cs[1].next_p_on, 1420);
    }

    #[test]
    fn without_any_p_wave_the_default_window_applies_and_stops_at_the_previous_t() {
        // 200 ms at 500 Hz is 100 samples; the second QRS follows the first T closely.
        let d = delineation(3000, vec![beat(500, false, true), beat(880, false, true)]);
        assert_eq!(pre_qrs_window(&d), 100);
        let cs = cycles(&d);
        check_invariants(&d, &cs);
        assert_eq!(cs[0].p_on, 400);
        assert_eq!(cs[1].p_on, 800, "window clipped at the previous T offset");
        assert!(cs.iter().all(|c| c.has(CycleFlag::NoPWave)));
    }

    #[test]
    fn edge_beats_are_flagged_not_dropped() {
        // The first QRS starts 40 samples in: no room for its P wave.
        let first = Beat {
            p: None,
            qrs: wave(WaveKind::Qrs, 40, 90),
            t: Some(wave(WaveKind::T, 190, 340)),
            rhythm: None,
        };
        // The last QRS ends at the record's last sample: no T wave, no next P.
        let last = Beat {
            p: Some(wave(WaveKind::P, 1420, 1470)),
            qrs: wave(WaveKind::Qrs, 1500, 1599),
            t: None,
            rhythm: None,
        };
        let d = delineation(1600, vec![first, beat(800, true, true), last]);
        let cs = cycles(&d);
        check_invariants(&d, &cs);
        assert_eq!(cs[0].p_on, 0);
        assert_eq!(cs[0].flags, [CycleFlag::NoPWave, CycleFlag::CutAtStart]);
        assert_eq!(cs[1].flags, []);
        assert_eq!(cs[2].flags, [CycleFlag::NoTWave, CycleFlag::CutAtEnd]);
        assert_eq!(
            (cs[2].t_on, cs[2].t_off, cs[2].next_p_on),
            (1599, 1599, 1600)
        );
        // A P wave that starts at sample 0 was cut by the record's start.
        let cut_p = Beat {
            p: Some(wave(WaveKind::P, 0, 20)),
            qrs: wave(WaveKind::Qrs, 50, 100),
            t: None,
            rhythm: None,
        };
        let cs = cycles(&delineation(1000, vec![cut_p]));
        assert_eq!(
            cs[0].flags,
            [
                CycleFlag::NoTWave,
                CycleFlag::CutAtStart,
                CycleFlag::CutAtEnd
            ]
        );
    }

    #[test]
    fn missing_t_leaves_an_empty_t_at_the_qrs_offset() {
        let d = delineation(5000, vec![beat(500, true, false), beat(1000, true, true)]);
        let cs = cycles(&d);
        check_invariants(&d, &cs);
        assert_eq!(cs[0].flags, [CycleFlag::NoTWave]);
        assert_eq!((cs[0].t_on, cs[0].t_off), (550, 550));
        assert!(cs[0].span(Deflection::St).is_empty() && cs[0].span(Deflection::T).is_empty());
        assert_eq!(cs[0].span(Deflection::Tp), 550..920);
    }

    #[test]
    fn overlapping_and_unsorted_waves_still_give_monotonic_tiling_cycles() {
        // Fast rhythm: the T wave runs into the next P; beats come unsorted; a garbage P after
        // its QRS and a QRS that starts inside the previous one.
        let mut odd = beat(1200, true, true);
        odd.p = Some(wave(WaveKind::P, 1210, 1230));
        let mut inside = beat(1400, true, true);
        inside.qrs = wave(WaveKind::Qrs, 1220, 1300);
        let d = delineation(
            1800,
            vec![beat(700, true, true), beat(500, true, true), odd, inside],
        );
        let cs = cycles(&d);
        check_invariants(&d, &cs);
        assert_eq!(cs[0].t_off, 620, "T clipped at the next P onset");
        assert!(cs[0].has(CycleFlag::TOverlapsNextP));
        assert!(cs[2].has(CycleFlag::NoPWave));
        assert!(cs[3].qrs_on >= cs[2].qrs_off);
        let beyond = delineation(100, vec![beat(200, true, true)]);
        check_invariants(&beyond, &cycles(&beyond));
    }

    #[test]
    fn flags_serialise_as_snake_case() {
        let json = serde_json::to_string(&[CycleFlag::NoPWave, CycleFlag::TOverlapsNextP]).unwrap();
        assert_eq!(json, r#"["no_p_wave","t_overlaps_next_p"]"#);
        for f in [
            CycleFlag::NoPWave,
            CycleFlag::NoTWave,
            CycleFlag::CutAtStart,
            CycleFlag::CutAtEnd,
            CycleFlag::TOverlapsNextP,
        ] {
            assert_eq!(serde_json::to_string(&f).unwrap(), format!("\"{f}\""));
        }
    }
}
