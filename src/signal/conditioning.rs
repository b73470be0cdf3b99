//! Conditioning and resampling of whole records, lead by lead.

use super::{bandpass, checks, notch, remove_baseline, resample};
use crate::error::{Error, Result};
use crate::record::Record;

/// Which zero-phase filters to run over every lead; the default runs none.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Conditioning {
    /// Remove baseline wander (0.5 Hz high-pass).
    pub baseline: bool,
    /// Notch out powerline hum at this frequency (50 or 60 Hz).
    pub powerline_hz: Option<f64>,
    /// Keep only this band, `(low, high)` in Hz.
    pub bandpass_hz: Option<(f64, f64)>,
}

impl Conditioning {
    /// Filter every lead of `record`: baseline first, then powerline, then band-pass.
    pub fn apply(&self, record: &Record) -> Result<Record> {
        self.check(record.fs)
            .map_err(|e| in_record(record, None, e))?;
        let mut out = record.clone();
        for lead in &mut out.leads {
            lead.samples = self
                .apply_to(&lead.samples, record.fs)
                .map_err(|e| in_record(record, Some(&lead.name), e))?;
        }
        Ok(out)
    }

    /// Filter one signal sampled at `fs` Hz.
    pub fn apply_to(&self, x: &[f64], fs: f64) -> Result<Vec<f64>> {
        let mut y = x.to_vec();
        if self.baseline {
            y = remove_baseline(&y, fs)?;
        }
        if let Some(mains) = self.powerline_hz {
            y = notch(&y, fs, mains)?;
        }
        if let Some((low, high)) = self.bandpass_hz {
            y = bandpass(&y, fs, low, high)?;
        }
        Ok(y)
    }

    /// Reject bad settings once, before any lead is touched, so the message names the
    /// setting rather than the first lead.
    fn check(&self, fs: f64) -> Result<()> {
        checks::rate("sampling rate", fs)?;
        if self.baseline {
            checks::frequency("baseline cut-off", super::BASELINE_CUTOFF_HZ, fs)?;
        }
        if let Some(mains) = self.powerline_hz {
            checks::frequency("powerline frequency", mains, fs)?;
        }
        if let Some((low, high)) = self.bandpass_hz {
            checks::frequency("band-pass low cut-off", low, fs)?;
            checks::frequency("band-pass high cut-off", high, fs)?;
        }
        Ok(())
    }
}

/// Resample every lead of `record` to `fs_out` Hz (see [`resample`]).
pub fn resample_record(record: &Record, fs_out: f64) -> Result<Record> {
    let mut out = record.clone();
    for lead in &mut out.leads {
        lead.samples = resample(&lead.samples, record.fs, fs_out)
            .map_err(|e| in_record(record, Some(&lead.name), e))?;
    }
    out.fs = fs_out;
    if out.leads.is_empty() {
        super::rational_ratio(record.fs, fs_out).map_err(|e| in_record(record, None, e))?;
    }
    Ok(out)
}

/// Say which record, and which lead, a parameter error is about.
fn in_record(record: &Record, lead: Option<&str>, e: Error) -> Error {
    match (e, lead) {
        (Error::Invalid(msg), Some(lead)) => {
            Error::Invalid(format!("record {}, lead {lead}: {msg}", record.name))
        }
        (Error::Invalid(msg), None) => Error::Invalid(format!("record {}: {msg}", record.name)),
        (e, _) => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Lead;
    use std::f64::consts::PI;

    fn record(fs: f64, n: usize) -> Record {
        let ii: Vec<f64> = (0..n)
            .map(|i| {
                let t = i as f64 / fs;
                (2.0 * PI * 8.0 * t).sin() + 0.5 * (2.0 * PI * 0.1 * t).sin()
            })
            .collect();
        let v1: Vec<f64> = ii.iter().map(|v| -0.5 * v + 0.1).collect();
        Record {
            name: "synthetic".into(),
            fs,
            leads: vec![Lead::new("ii", ii, false), Lead::new("v1", v1, false)],
            comments: vec!["kept".into()],
            notes: Vec::new(),
        }
    }

    #[test]
    fn default_conditioning_changes_nothing() {
        let r = record(500.0, 1000);
        assert_eq!(Conditioning::default().apply(&r).unwrap(), r);
    }

    #[test]
    fn conditioning_filters_each_lead_like_the_functions() {
        let r = record(500.0, 5000);
        let c = Conditioning {
            baseline: true,
            powerline_hz: Some(50.0),
            bandpass_hz: Some((0.5, 40.0)),
        };
        let out = c.apply(&r).unwrap();
        assert_eq!(
            (out.name.as_str(), out.fs, &out.comments),
            ("synthetic", 500.0, &r.comments)
        );
        for (lead, orig) in out.leads.iter().zip(&r.leads) {
            let x = remove_baseline(&orig.samples, 500.0).unwrap();
            let x = notch(&x, 500.0, 50.0).unwrap();
            let x = bandpass(&x, 500.0, 0.5, 40.0).unwrap();
            assert_eq!(lead.samples, x);
            assert_eq!(lead.name, orig.name);
        }
    }

    #[test]
    fn errors_name_the_record_and_the_lead() {
        let bad = Conditioning {
            powerline_hz: Some(300.0),
            ..Default::default()
        };
        let err = bad.apply(&record(500.0, 1000)).unwrap_err().to_string();
        assert!(
            err.contains("synthetic") && err.contains("powerline"),
            "{err}"
        );

        let baseline = Conditioning {
            baseline: true,
            ..Default::default()
        };
        let err = baseline.apply(&record(500.0, 0)).unwrap_err().to_string();
        assert!(
            err.contains("record synthetic, lead II") && err.contains("empty"),
            "{err}"
        );

        let err = resample_record(&record(500.0, 10), 333.3)
            .unwrap_err()
            .to_string();
        assert!(err.contains("record synthetic, lead II"), "{err}");
    }

    #[test]
    fn resampled_record_has_the_new_rate_and_length() {
        let r = record(360.0, 3600);
        let out = resample_record(&r, 500.0).unwrap();
        assert_eq!(out.fs, 500.0);
        assert_eq!(out.len(), 5000);
        assert_eq!(out.leads.len(), 2);
        assert_eq!(
            out.leads[1].samples,
            resample(&r.leads[1].samples, 360.0, 500.0).unwrap()
        );
        assert_eq!(resample_record(&r, 360.0).unwrap(), r);
    }
}
