//! Per-beat P-wave scoring against WFDB beat and rhythm annotations (`NAME.atr`, as MIT-BIH,
//! QTDB and CPSC 2021 give them): sinus beats should keep their P wave, ventricular ectopic
//! beats and beats in atrial fibrillation or flutter should have none.
//!
//! A reference beat is matched to the delineator's beat whose QRS (widened by
//! [`MATCH_MS`]) holds its mark; unmatched beats are counted apart.

use super::delineation::median;
use super::ludb::{check_records_folder, select_records};
use crate::delineate::{Delineation, Delineator};
use crate::error::{Error, Result};
use crate::record::annotation::{Annotation, is_beat_symbol, read_annotations};
use crate::record::open_record;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// Reference beat annotations' extension.
pub const ATR: &str = "atr";
/// A reference beat mark this close to a predicted QRS (ms) belongs to it.
pub const MATCH_MS: f64 = 60.0;

/// What a reference beat is, for the P-wave question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BeatClass {
    /// A sinus beat (`N`, or bundle branch block `L`/`R`) in sinus rhythm, with or without
    /// ectopy around it: has a P.
    Sinus,
    /// A premature ventricular beat (`V`) outside atrial fibrillation: has no P of its own.
    Ventricular,
    /// Any beat during atrial fibrillation or flutter: has no P.
    Fibrillation,
}

impl BeatClass {
    /// All classes, in report order.
    pub const ALL: [BeatClass; 3] = [
        BeatClass::Sinus,
        BeatClass::Ventricular,
        BeatClass::Fibrillation,
    ];

    /// Whether a beat of this class should carry a P wave.
    pub fn has_p(self) -> bool {
        self == BeatClass::Sinus
    }

    /// Row label of the table.
    pub fn label(self) -> &'static str {
        match self {
            BeatClass::Sinus => "sinus",
            BeatClass::Ventricular => "ventricular",
            BeatClass::Fibrillation => "AF/flutter",
        }
    }
}

/// Rhythm notes (`+` marks' aux text) of sinus rhythm, with or without ectopy or block.
const SINUS_RHYTHMS: [&str; 6] = ["(N", "(SBR", "(B", "(T", "(BII", "(SAR"];
/// Beats conducted from a sinus P wave: normal, and left or right bundle branch block.
const SINUS_BEATS: [&str; 3] = ["N", "L", "R"];
/// Rhythm notes of atrial fibrillation and flutter.
const FIBRILLATION_RHYTHMS: [&str; 2] = ["(AFIB", "(AFL"];

/// The class of every reference beat that has one: `(sample, class)`. Beats before any rhythm
/// note count as sinus rhythm (files without notes, such as QTDB's European ST-T records).
pub fn classify_beats(anns: &[Annotation]) -> Vec<(i64, BeatClass)> {
    let mut rhythm = "(N".to_string();
    let mut out = Vec::new();
    for a in anns {
        if a.symbol == "+" {
            if let Some(aux) = &a.aux {
                rhythm = aux.trim_end_matches('\0').trim().to_string();
            }
            continue;
        }
        if !is_beat_symbol(&a.symbol) {
            continue;
        }
        let class = if FIBRILLATION_RHYTHMS.contains(&rhythm.as_str()) {
            Some(BeatClass::Fibrillation)
        } else if a.symbol == "V" {
            Some(BeatClass::Ventricular)
        } else if SINUS_BEATS.contains(&a.symbol.as_str())
            && SINUS_RHYTHMS.contains(&rhythm.as_str())
        {
            Some(BeatClass::Sinus)
        } else {
            None
        };
        if let Some(class) = class {
            out.push((a.sample, class));
        }
    }
    out
}

/// Counts of one beat class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ClassCount {
    /// Reference beats of the class.
    pub beats: usize,
    /// Of those, matched to a predicted beat.
    pub matched: usize,
    /// Of the matched, the ones whose predicted beat has a P wave.
    pub with_p: usize,
}

impl ClassCount {
    /// Percentage of matched beats that are right about the P wave (`None` with no match).
    pub fn correct_pct(&self, class: BeatClass) -> Option<f64> {
        let right = if class.has_p() {
            self.with_p
        } else {
            self.matched - self.with_p
        };
        (self.matched > 0).then(|| 100.0 * right as f64 / self.matched as f64)
    }

    fn add(&mut self, o: &ClassCount) {
        self.beats += o.beats;
        self.matched += o.matched;
        self.with_p += o.with_p;
    }
}

/// One record's counts, by class in [`BeatClass::ALL`] order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordRhythm {
    /// Record name.
    pub name: String,
    /// Counts per class.
    pub counts: [ClassCount; 3],
}

/// Score one delineation against reference beats classified by [`classify_beats`].
pub fn score_beats(d: &Delineation, reference: &[(i64, BeatClass)]) -> [ClassCount; 3] {
    let tol = (MATCH_MS * d.fs / 1000.0).round() as i64;
    let mut counts = [ClassCount::default(); 3];
    for &(sample, class) in reference {
        let slot = &mut counts[BeatClass::ALL.iter().position(|&c| c == class).unwrap_or(0)];
        slot.beats += 1;
        // Beats are in time order: the first whose widened QRS does not end before the mark.
        let first = d.beats.partition_point(|b| b.qrs.off as i64 + tol < sample);
        let beat = d
            .beats
            .get(first)
            .filter(|b| b.qrs.on as i64 - tol <= sample);
        if let Some(b) = beat {
            slot.matched += 1;
            slot.with_p += usize::from(b.p.is_some());
        }
    }
    counts
}

/// Scores of every record and their pooled counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RhythmReport {
    /// Per record, in scoring order.
    pub records: Vec<RecordRhythm>,
    /// Pooled over the records, by class.
    pub pooled: [ClassCount; 3],
    /// Median delineation time per record (ms).
    pub median_ms_per_record: Option<f64>,
}

impl RhythmReport {
    /// A plain-text table: per record, then pooled, the share of matched beats right about
    /// their P wave per class (sinus: with P; ventricular and AF/flutter: without).
    pub fn table(&self) -> String {
        let mut out = format!("{:<14}", "record");
        for class in BeatClass::ALL {
            let what = if class.has_p() { "P %" } else { "no P %" };
            out.push_str(&format!("{:>22}", format!("{} {what}", class.label())));
            out.push_str(&format!("{:>14}", "matched/all"));
        }
        out.push('\n');
        let row = |name: &str, counts: &[ClassCount; 3]| {
            let mut line = format!("{name:<14}");
            for (class, c) in BeatClass::ALL.iter().zip(counts) {
                let pct = c
                    .correct_pct(*class)
                    .map_or("-".to_string(), |p| format!("{p:.1}"));
                line.push_str(&format!(
                    "{pct:>22}{:>14}",
                    format!("{}/{}", c.matched, c.beats)
                ));
            }
            line.push('\n');
            line
        };
        for r in &self.records {
            out.push_str(&row(&r.name, &r.counts));
        }
        out.push_str(&row("all", &self.pooled));
        out
    }
}

/// What to score.
#[derive(Debug, Clone)]
pub struct RhythmConfig {
    /// Folder of records with `NAME.atr` beat annotations.
    pub records: PathBuf,
    /// Split file whose test records are the only ones scored; all records when `None`.
    pub split: Option<PathBuf>,
    /// Delineator weights to evaluate instead of the shipped ones.
    pub weights: Option<PathBuf>,
}

/// Score every selected record of `config.records` that has a `NAME.atr` file; others are
/// skipped and reported through `note`.
pub fn evaluate_rhythm(config: &RhythmConfig, note: &mut dyn FnMut(&str)) -> Result<RhythmReport> {
    let dir = &config.records;
    check_records_folder(dir)?;
    let engine = match &config.weights {
        Some(path) => Delineator::load(path)?,
        None => Delineator::load_default()?,
    };
    let mut records = Vec::new();
    let mut times = Vec::new();
    for name in select_records(dir, config.split.as_deref())? {
        let atr = dir.join(format!("{name}.{ATR}"));
        if !atr.is_file() {
            note(&format!("skipping record {name}: no {name}.{ATR}"));
            continue;
        }
        let reference = classify_beats(&read_annotations(&atr)?);
        let record = open_record(&dir.join(&name))?;
        let start = Instant::now();
        let d = engine.delineate(&record)?;
        times.push(start.elapsed().as_secs_f64() * 1e3);
        records.push(RecordRhythm {
            counts: score_beats(&d, &reference),
            name,
        });
    }
    if records.is_empty() {
        return Err(Error::Invalid(format!(
            "{}: no record to score (none has a {ATR} file)",
            dir.display()
        )));
    }
    let mut pooled = [ClassCount::default(); 3];
    for r in &records {
        for (p, c) in pooled.iter_mut().zip(&r.counts) {
            p.add(c);
        }
    }
    Ok(RhythmReport {
        records,
        pooled,
        median_ms_per_record: median(&times),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delineate::{Beat, Wave, WaveKind};

    fn ann(sample: i64, symbol: &str, aux: Option<&str>) -> Annotation {
        Annotation {
            aux: aux.map(String::from),
            ..Annotation::new(sample, symbol)
        }
    }

    #[test]
    fn beats_take_the_class_of_their_symbol_and_rhythm() {
        let anns = [
            ann(10, "N", None),
            ann(20, "V", None),
            ann(25, "+", Some("(AFIB")),
            ann(30, "N", None),
            ann(40, "V", None),
            ann(45, "+", Some("(NOD")),
            ann(50, "N", None),
            ann(55, "+", Some("(N\0")),
            ann(60, "A", None),
            ann(70, "N", None),
            ann(80, "R", None),
        ];
        assert_eq!(
            classify_beats(&anns),
            [
                (10, BeatClass::Sinus),
                (20, BeatClass::Ventricular),
                (30, BeatClass::Fibrillation),
                (40, BeatClass::Fibrillation),
                (70, BeatClass::Sinus),
                (80, BeatClass::Sinus),
            ]
        );
    }

    #[test]
    fn a_beat_is_right_when_its_p_wave_matches_its_class() {
        let w = |kind, on, off| Wave {
            kind,
            on,
            peak: on,
            off,
        };
        let d = Delineation {
            missing: Default::default(),
            fs: 500.0,
            len: 3000,
            leads: Vec::new(),
            beats: vec![
                Beat {
                    p: Some(w(WaveKind::P, 100, 150)),
                    qrs: w(WaveKind::Qrs, 200, 250),
                    t: None,
                    rhythm: None,
                },
                Beat {
                    p: None,
                    qrs: w(WaveKind::Qrs, 600, 680),
                    t: None,
                    rhythm: None,
                },
            ],
        };
        let reference = [
            (220, BeatClass::Sinus),
            (640, BeatClass::Ventricular),
            (1500, BeatClass::Sinus),
        ];
        let c = score_beats(&d, &reference);
        assert_eq!(
            c[0],
            ClassCount {
                beats: 2,
                matched: 1,
                with_p: 1
            }
        );
        assert_eq!(c[0].correct_pct(BeatClass::Sinus), Some(100.0));
        assert_eq!(c[1].correct_pct(BeatClass::Ventricular), Some(100.0));
        assert_eq!(c[2].correct_pct(BeatClass::Fibrillation), None);
    }
}
