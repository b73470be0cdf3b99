//! The seed's Tianchi records: numpy `.npy` arrays of 8 leads (I, II, V1–V6) × samples at
//! 500 Hz in ADC counts of 4.88 µV, with JSON cycle labels kept beside them.

use super::{Lead, Record};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Sampling rate of the Tianchi recordings.
pub const TIANCHI_FS: f64 = 500.0;
/// mV per ADC count (4.88 µV).
pub const TIANCHI_MV_PER_COUNT: f64 = 0.00488;
/// Row order of the stored leads.
pub const TIANCHI_LEADS: [&str; 8] = ["I", "II", "V1", "V2", "V3", "V4", "V5", "V6"];

const KIND: &str = "Tianchi .npy record";

/// Read an `.npy` file as rows of f64 (any integer or float dtype, 2-D, C or Fortran order).
pub fn read_npy_rows(path: &Path) -> Result<Vec<Vec<f64>>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    check_shape_product(&bytes, path)?;
    let npy = npyz::NpyFile::new(&bytes[..])
        .map_err(|e| Error::malformed(path, "numpy .npy file", e.to_string()))?;
    let shape = npy.shape().to_vec();
    let order = npy.order();
    let [rows, cols] = shape[..] else {
        return Err(Error::malformed(
            path,
            "numpy .npy file",
            format!("expected a 2-D array, found shape {shape:?}"),
        ));
    };
    let (rows, cols) = (rows as usize, cols as usize);
    let flat = flat_f64(npy).map_err(|e| Error::malformed(path, "numpy .npy file", e))?;
    // The crate multiplies the shape without overflow checks: a product that wraps reads as
    // a short array, and only the checked product tells it from a real one.
    if rows.checked_mul(cols) != Some(flat.len()) {
        return Err(Error::malformed(
            path,
            "numpy .npy file",
            format!("holds {} values for shape {shape:?}", flat.len()),
        ));
    }
    let at = |r: usize, c: usize| match order {
        npyz::Order::C => flat[r * cols + c],
        npyz::Order::Fortran => flat[c * rows + r],
    };
    Ok((0..rows)
        .map(|r| (0..cols).map(|c| at(r, c)).collect())
        .collect())
}

/// npyz multiplies the shape's dimensions unchecked, which panics in debug builds and wraps in
/// release ones; a shape whose product overflows is refused before the crate reads it.
fn check_shape_product(bytes: &[u8], path: &Path) -> Result<()> {
    let (len_at, text_at) = match bytes.get(6) {
        Some(1) => (8..10, 10usize),
        _ => (8..12, 12),
    };
    let Some(len) = bytes
        .get(len_at)
        .map(|b| b.iter().rev().fold(0usize, |n, &x| n << 8 | usize::from(x)))
    else {
        return Ok(());
    };
    let header = bytes
        .get(text_at..text_at.saturating_add(len))
        .unwrap_or(&[]);
    let header = String::from_utf8_lossy(header);
    let shape = header
        .split_once("'shape'")
        .and_then(|(_, rest)| rest.split_once('(')?.1.split_once(')'))
        .map(|(dims, _)| dims);
    let mut product = Some(1u64);
    for dim in shape.into_iter().flat_map(|d| d.split(',')).map(str::trim) {
        match dim.parse::<u64>() {
            Ok(d) => product = product.and_then(|n| n.checked_mul(d)),
            // npyz names what is wrong with a dimension that is no number.
            Err(_) if !dim.is_empty() => return Ok(()),
            Err(_) => {}
        }
    }
    match product {
        None => Err(Error::malformed(
            path,
            "numpy .npy file",
            format!(
                "the shape ({}) holds more values than any file can",
                shape.unwrap_or("")
            ),
        )),
        _ => Ok(()),
    }
}

fn flat_f64(npy: npyz::NpyFile<&[u8]>) -> std::result::Result<Vec<f64>, String> {
    use npyz::{DType, TypeChar};
    let DType::Plain(ty) = npy.dtype() else {
        return Err("structured arrays are not ECG signals".into());
    };
    let err = |e: std::io::Error| e.to_string();
    match (ty.type_char(), ty.size_field()) {
        (TypeChar::Int, 8) => npy
            .into_vec::<i64>()
            .map_err(err)
            .map(|v| v.into_iter().map(|x| x as f64).collect()),
        (TypeChar::Int, 4) => npy
            .into_vec::<i32>()
            .map_err(err)
            .map(|v| v.into_iter().map(f64::from).collect()),
        (TypeChar::Int, 2) => npy
            .into_vec::<i16>()
            .map_err(err)
            .map(|v| v.into_iter().map(f64::from).collect()),
        (TypeChar::Float, 8) => npy.into_vec::<f64>().map_err(err),
        (TypeChar::Float, 4) => npy
            .into_vec::<f32>()
            .map_err(err)
            .map(|v| v.into_iter().map(f64::from).collect()),
        (c, s) => Err(format!("unsupported element type {c:?} of {s} bytes")),
    }
}

/// Load a Tianchi record: the 8 stored leads plus III, aVR, aVL and aVF derived from I and II.
pub fn read_tianchi(path: &Path) -> Result<Record> {
    let rows = read_npy_rows(path)?;
    if rows.len() != 8 {
        return Err(Error::malformed(
            path,
            KIND,
            format!("expected 8 rows (I, II, V1–V6), found {}", rows.len()),
        ));
    }
    if rows[0].is_empty() {
        return Err(Error::malformed(path, KIND, "the array holds no samples"));
    }
    for (lead, row) in TIANCHI_LEADS.iter().zip(&rows) {
        if let Some((sample, &value)) = row.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::NonFinite {
                path: path.to_path_buf(),
                lead: lead.to_string(),
                sample,
                value,
            });
        }
    }
    let mv: Vec<Vec<f64>> = rows
        .into_iter()
        .map(|r| r.into_iter().map(|v| v * TIANCHI_MV_PER_COUNT).collect())
        .collect();
    let (i, ii) = (&mv[0], &mv[1]);
    let derive =
        |f: fn(f64, f64) -> f64| i.iter().zip(ii).map(|(&a, &b)| f(a, b)).collect::<Vec<_>>();
    let mut leads = vec![
        Lead::new("I", i.clone(), false),
        Lead::new("II", ii.clone(), false),
        Lead::new("III", derive(|a, b| b - a), false),
        Lead::new("aVR", derive(|a, b| -(a + b) / 2.0), false),
        Lead::new("aVL", derive(|a, b| a - b / 2.0), false),
        Lead::new("aVF", derive(|a, b| b - a / 2.0), false),
    ];
    for (name, row) in TIANCHI_LEADS.iter().zip(&mv).skip(2) {
        leads.push(Lead::new(name, row.clone(), false));
    }
    Ok(Record {
        name: stem(path),
        fs: TIANCHI_FS,
        leads,
        comments: vec![
            "Tianchi round 1 (500 Hz, 4.88 µV per count); III, aVR, aVL, aVF derived from I and II"
                .into(),
        ],
        notes: Vec::new(),
    })
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The JSON cycle labels of a Tianchi record: `NAME.json` beside it, or in a `tianchi_interval/`
/// folder beside one of its parent folders.
pub fn find_tianchi_labels(npy: &Path) -> Option<PathBuf> {
    let file = format!("{}.json", stem(npy));
    let dir = npy.parent()?;
    let beside = dir.join(&file);
    if beside.is_file() {
        return Some(beside);
    }
    dir.ancestors()
        .take(4)
        .map(|d| d.join("tianchi_interval").join(&file))
        .find(|p| p.is_file())
}
