//! The measurements printed in the report's header: the measurement module's
//! [`Header`](crate::measure::Header) of the record, with the rate of the page's own cycles.

use crate::delineate::CycleBounds;
use crate::measure::Header;

/// The rate (bpm) of the cycles of a record sampled at `fs` Hz whose QRS onset lies in samples
/// `window`: from the median interval between the QRS onsets of adjacent cycles (one ending
/// where the next begins, so no beat is missed in between).
pub fn page_rate(cycles: &[CycleBounds], fs: f64, window: std::ops::Range<usize>) -> Option<f64> {
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
    median
        .filter(|_| fs.is_finite() && fs > 0.0)
        .map(|s| 60.0 / s)
}

/// The record's `header` with the page's rate (`page_rate`) when it has one.
pub fn report_header(header: Header, page_rate: Option<f64>) -> Header {
    Header {
        hr_bpm: page_rate.or(header.hr_bpm),
        ..header
    }
}

/// The measurements line, e.g. "Rate 72 bpm   PR — ms   QRS — ms   QT/QTc — / — ms …".
pub fn measures_line(h: &Header) -> String {
    let v = |x: Option<f64>| x.map_or("—".to_string(), |x| format!("{x:.0}"));
    let axis = h.axis.as_ref().map_or("—".to_string(), |a| {
        format!("{:.0}° ({})", a.degrees, a.category.label())
    });
    format!(
        "Rate {} bpm    PR {} ms    QRS {} ms    QT/QTc {} / {} ms (Bazett), {} ms (Fridericia)    Axis {axis}",
        v(h.hr_bpm),
        v(h.pr_ms),
        v(h.qrs_ms),
        v(h.qt_ms),
        v(h.qtc_bazett_ms),
        v(h.qtc_fridericia_ms),
    )
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
        let rate = page_rate(&cycles, 500.0, 0..10_000).unwrap();
        assert!((rate - 60.0).abs() < 1e-9, "{rate}");
        let m = report_header(Header::default(), Some(rate));
        assert!(m.pr_ms.is_none() && m.axis.is_none());
        let line = measures_line(&m);
        assert!(
            line.starts_with("Rate 60 bpm") && line.contains("PR — ms"),
            "{line}"
        );
        // Only the beats in the window count.
        let rate = page_rate(&cycles, 500.0, 0..1000);
        assert!((rate.unwrap() - 60.0 / 0.9).abs() < 1e-9);
        assert_eq!(page_rate(&cycles[..1], 500.0, 0..10_000), None);
    }
}
