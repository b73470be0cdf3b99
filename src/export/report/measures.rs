//! The measurements printed in the report's header: the rate of the page's cycles, and the
//! intervals, QTc and axis of the record from the measurement module ([`crate::measure`]).

use crate::delineate::CycleBounds;

/// Measurements of the report's header; `None` is printed as "—".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportMeasures {
    /// Ventricular rate, beats per minute.
    pub rate_bpm: Option<f64>,
    /// PR interval, ms.
    pub pr_ms: Option<f64>,
    /// QRS duration, ms.
    pub qrs_ms: Option<f64>,
    /// QT interval, ms.
    pub qt_ms: Option<f64>,
    /// QT corrected by Bazett's formula, ms.
    pub qtc_bazett_ms: Option<f64>,
    /// QT corrected by Fridericia's formula, ms.
    pub qtc_fridericia_ms: Option<f64>,
    /// Frontal QRS axis, degrees.
    pub axis_deg: Option<f64>,
    /// The axis in words ("normal", "left axis deviation", …).
    pub axis_category: Option<String>,
}

/// The header's measurements for the cycles of a record sampled at `fs` Hz whose QRS onset lies
/// in samples `window`: the rate from the median interval between the QRS onsets of adjacent
/// cycles (one ending where the next begins, so no beat is missed in between).
pub fn report_measures(
    cycles: &[CycleBounds],
    fs: f64,
    window: std::ops::Range<usize>,
) -> ReportMeasures {
    let mut shown: Vec<&CycleBounds> = cycles
        .iter()
        .filter(|c| window.contains(&c.qrs_on()))
        .collect();
    shown.sort_by_key(|c| c.start());
    let mut rr: Vec<f64> = shown
        .windows(2)
        .filter(|w| w[0].end() == w[1].start())
        .map(|w| (w[1].qrs_on() - w[0].qrs_on()) as f64 / fs)
        .filter(|&s| s > 0.0)
        .collect();
    rr.sort_by(f64::total_cmp);
    let median = match rr.len() {
        0 => None,
        n if n % 2 == 1 => Some(rr[n / 2]),
        n => Some(0.5 * (rr[n / 2 - 1] + rr[n / 2])),
    };
    ReportMeasures {
        rate_bpm: median
            .filter(|_| fs.is_finite() && fs > 0.0)
            .map(|s| 60.0 / s),
        ..ReportMeasures::default()
    }
}

impl ReportMeasures {
    /// These measurements with the record's intervals, QTc and axis from `header` (the rate
    /// stays the page's, or the record's when the page has no two adjacent cycles).
    pub fn with_header(self, header: &crate::measure::Header) -> Self {
        Self {
            rate_bpm: self.rate_bpm.or(header.hr_bpm),
            pr_ms: header.pr_ms,
            qrs_ms: header.qrs_ms,
            qt_ms: header.qt_ms,
            qtc_bazett_ms: header.qtc_bazett_ms,
            qtc_fridericia_ms: header.qtc_fridericia_ms,
            axis_deg: header.axis.as_ref().map(|a| a.degrees),
            axis_category: header.axis.as_ref().map(|a| a.category.label().to_string()),
        }
    }

    /// The measurements line, e.g. "Rate 72 bpm   PR — ms   QRS — ms   QT/QTc — / — ms …".
    pub fn line(&self) -> String {
        let v = |x: Option<f64>| x.map_or("—".to_string(), |x| format!("{x:.0}"));
        let axis = match (&self.axis_deg, &self.axis_category) {
            (Some(a), Some(c)) => format!("{a:.0}° ({c})"),
            (Some(a), None) => format!("{a:.0}°"),
            (None, Some(c)) => c.clone(),
            (None, None) => "—".to_string(),
        };
        format!(
            "Rate {} bpm    PR {} ms    QRS {} ms    QT/QTc {} / {} ms (Bazett), {} ms (Fridericia)    Axis {axis}",
            v(self.rate_bpm),
            v(self.pr_ms),
            v(self.qrs_ms),
            v(self.qt_ms),
            v(self.qtc_bazett_ms),
            v(self.qtc_fridericia_ms),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cycle(start: usize, next: usize) -> CycleBounds {
        CycleBounds::new(
            [
                start,
                start + 40,
                start + 60,
                start + 100,
                start + 150,
                start + 250,
                next,
            ],
            100_000,
        )
        .unwrap()
    }

    #[test]
    fn rate_is_the_median_rr_of_adjacent_cycles() {
        // RR 500, 400, 600 samples at 500 Hz (1.0, 0.8, 1.2 s), then a gap (a missing beat)
        // of 2000 samples that must not count as an interval.
        let cycles = [
            cycle(0, 500),
            cycle(500, 900),
            cycle(900, 1500),
            cycle(1500, 2000),
            cycle(4000, 4500),
        ];
        let m = report_measures(&cycles, 500.0, 0..10_000);
        let rate = m.rate_bpm.unwrap();
        assert!((rate - 60.0).abs() < 1e-9, "{rate}");
        assert!(m.pr_ms.is_none() && m.axis_deg.is_none());
        let line = m.line();
        assert!(
            line.starts_with("Rate 60 bpm") && line.contains("PR — ms"),
            "{line}"
        );
        // Only the beats in the window count.
        let m = report_measures(&cycles, 500.0, 0..1000);
        assert!((m.rate_bpm.unwrap() - 60.0 / 0.9).abs() < 1e-9);
        assert_eq!(
            report_measures(&cycles[..1], 500.0, 0..10_000).rate_bpm,
            None
        );
    }
}
