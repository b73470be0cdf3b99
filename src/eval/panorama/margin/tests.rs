use super::*;
use crate::eval::panorama::{Cell, Task};

/// A table of one task with two targets, the given records' cycles, and methods whose honest
/// PSNR per lead-cycle is given.
fn table(records: &[&str], methods: &[(&str, Vec<Option<f64>>)]) -> Table {
    let task = Task::new("(2,1) from I", &["I"], &["II", "V1"], false);
    let cells = methods
        .iter()
        .map(|(name, scores)| {
            let got: Vec<f64> = scores.iter().flatten().copied().collect();
            Cell {
                task: task.name.clone(),
                method: name.to_string(),
                lead_cycles: scores.len(),
                scored: got.len(),
                psnr_db: (!got.is_empty()).then(|| got.iter().sum::<f64>() / got.len() as f64),
                ssim: None,
                rmse_uv: None,
                paper_psnr_db: None,
                paper_ssim: None,
                scores: scores.clone(),
            }
        })
        .collect();
    Table {
        records: records.len(),
        cycles: records.len(),
        tasks: vec![task],
        methods: methods.iter().map(|(n, _)| n.to_string()).collect(),
        cells,
        cycle_records: records.iter().map(|r| r.to_string()).collect(),
    }
}

/// Two lead-cycles per record, each `old` + the record's gain.
fn gains(per_record: &[f64]) -> (Vec<&'static str>, Vec<Option<f64>>, Vec<Option<f64>>) {
    const NAMES: [&str; 8] = ["a", "b", "c", "d", "e", "f", "g", "h"];
    let old = vec![Some(30.0); 2 * per_record.len()];
    let new = per_record
        .iter()
        .flat_map(|g| [Some(30.0 + g), Some(30.0 + g)])
        .collect();
    (NAMES[..per_record.len()].to_vec(), new, old)
}

#[test]
fn a_constant_lead_is_measured_exactly_and_surely() {
    let (records, new, old) = gains(&[1.5; 5]);
    let t = table(&records, &[("new", new), ("old", old)]);
    let m = margin(&t, "(2,1) from I", "new", "old").unwrap();
    assert!((m.diff_db - 1.5).abs() < 1e-12);
    for bound in [m.low_db, m.high_db] {
        assert!((bound.unwrap() - 1.5).abs() < 1e-12, "{m:?}");
    }
    assert_eq!(m.records, 5);
}

#[test]
fn the_interval_spans_the_spread_between_records_and_holds_the_estimate() {
    let (records, new, old) = gains(&[2.0, 0.0, 1.0, 2.0, 0.0, 1.0]);
    let t = table(&records, &[("new", new), ("old", old)]);
    let m = margin(&t, "(2,1) from I", "new", "old").unwrap();
    assert!((m.diff_db - 1.0).abs() < 1e-12);
    let (low, high) = (m.low_db.unwrap(), m.high_db.unwrap());
    assert!(low < 1.0 && high > 1.0, "{m:?}");
    assert!(low >= 0.0 && high <= 2.0, "{m:?}");
    // The same table gives the same interval: the resampling is seeded.
    assert_eq!(margin(&t, "(2,1) from I", "new", "old"), Some(m));
}

#[test]
fn too_few_records_give_the_difference_without_an_interval() {
    let (records, new, old) = gains(&[2.0, 0.0, 1.0]);
    let t = table(&records, &[("new", new), ("old", old)]);
    let m = margin(&t, "(2,1) from I", "new", "old").unwrap();
    assert!((m.diff_db - 1.0).abs() < 1e-12);
    assert_eq!((m.low_db, m.high_db), (None, None));
    assert!(render_margins(&[m]).contains("(no interval: under 5 records)"));
}

#[test]
fn only_lead_cycles_both_methods_scored_are_paired() {
    let old = vec![Some(30.0), None, Some(30.0), Some(30.0)];
    let new = vec![Some(31.0), Some(99.0), None, Some(31.0)];
    let t = table(&["a", "b"], &[("new", new), ("old", old)]);
    let m = margin(&t, "(2,1) from I", "new", "old").unwrap();
    assert!((m.diff_db - 1.0).abs() < 1e-12, "{m:?}");
    let none = table(
        &["a"],
        &[
            ("new", vec![Some(1.0), None]),
            ("old", vec![None, Some(2.0)]),
        ],
    );
    assert_eq!(margin(&none, "(2,1) from I", "new", "old"), None);
    assert_eq!(margin(&t, "(2,1) from I", "new", "missing"), None);
}

#[test]
fn each_engine_is_set_against_the_best_scoring_other_method() {
    let records = ["a", "b", "c", "d", "e"];
    let t = table(
        &records,
        &[
            ("engine", vec![Some(33.0); 10]),
            ("weak", vec![Some(20.0); 10]),
            ("strong", vec![Some(32.5); 10]),
            ("declines", vec![None; 10]),
        ],
    );
    let margins = best_baseline_margins(&t, &["engine"]);
    assert_eq!(margins.len(), 1);
    assert_eq!(margins[0].baseline, "strong");
    assert!((margins[0].diff_db - 0.5).abs() < 1e-12);
    let text = render_margins(&margins);
    assert!(
        text.contains("+0.50  [+0.50, +0.50]  vs strong (5 record(s))"),
        "{text}"
    );
}
