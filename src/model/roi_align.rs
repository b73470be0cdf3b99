//! 1-D ROIAlign and its reverse with linear interpolation, differentiable in candle.
//!
//! Nef-Net pools each deflection of a cycle (P wave, PR segment, QRS, ST segment, T wave, TP
//! segment) from a time-aligned feature map into a fixed number of samples, whatever its
//! length ([`roi_align`]), and the decoder stretches fixed-size deflection features back over
//! their spans ([`roi_unalign`]). candle has no `grid_sample` and no linear 1-D interpolation,
//! so both are built from `index_select`: one per interpolation tap for the whole batch (two
//! for ROIAlign; two per layer of overlap for the reverse, so two when ROIs tile the axis),
//! blended with constant weights. Taps and weights are computed on the CPU once per call;
//! gradients flow to the features through `index_select`, whose backward is `index_add`.
//!
//! # Conventions
//!
//! - **Axis.** On a feature axis of length `L`, sample `i` covers the interval `[i, i + 1)` and
//!   its value sits at the centre `i + 0.5` (torchvision's `aligned = true`). Interpolating at a
//!   continuous position `u` means linear interpolation between the samples either side of
//!   index position `u − 0.5`, clamped to the first and last sample (edge values repeat).
//! - **ROIs** are half-open spans `(start, end)` on that axis in feature-sample units, given as
//!   one flat slice of length `B·K`: batch item `b` owns `rois[b·K .. (b + 1)·K]`. A deflection
//!   between input samples `D_a` (first) and `D_b` (one past its last) of a signal of length
//!   `T_x` is `(D_a·T_w/T_x, D_b·T_w/T_x)` on a feature map of length `T_w`.
//! - **Layout.** The `K` pooled ROIs are stacked along channels, ROI-major: channel `k·C + c`
//!   holds channel `c` of ROI `k`, so a grouped convolution with `K` groups keeps deflections
//!   apart, and `reshape((B, K, C, out_len))` separates them.
//! - **Degenerate ROIs** (`end ≤ start`, or a non-finite bound, e.g. an absent P wave) pool to
//!   zeros and unpool to nothing; they never yield NaN and pass zero gradient.

use candle_core::{Result, Tensor, bail};

/// Linear-interpolation taps at index position `p` on an axis of `n ≥ 1` samples, clamped to
/// its ends: `(i0, i1, w0, w1)` with the value `w0·v[i0] + w1·v[i1]`.
fn taps(p: f64, n: usize) -> (usize, usize, f64, f64) {
    let p = p.clamp(0.0, (n - 1) as f64);
    let i0 = p.floor() as usize;
    let i1 = (i0 + 1).min(n - 1);
    let f = p - i0 as f64;
    (i0, i1, 1.0 - f, f)
}

/// Whether a ROI covers nothing: an empty or reversed span, or a NaN or infinite bound.
fn degenerate((start, end): (f32, f32)) -> bool {
    !(start.is_finite() && end.is_finite() && end > start)
}

/// The output samples `t` of a length-`len` axis whose centres `t + 0.5` lie in `[start, end)`.
fn covered(start: f64, end: f64, len: usize) -> std::ops::Range<usize> {
    let clamp = |v: f64| v.clamp(0.0, len as f64) as usize;
    clamp((start - 0.5).ceil())..clamp((end - 0.5).ceil())
}

/// ROIs per batch item, checking that the slice splits evenly over the batch.
fn rois_per_item(batch: usize, rois: &[(f32, f32)]) -> Result<usize> {
    if batch == 0 || rois.is_empty() || !rois.len().is_multiple_of(batch) {
        bail!(
            "{} ROIs do not split evenly over a batch of {batch} (need K ≥ 1 per item)",
            rois.len()
        );
    }
    Ok(rois.len() / batch)
}

/// `Σ_s weights[s] ⊙ rows[idx[s]]` for tap slots `s`: `rows` is `[R, C]`, `idx` and `weights`
/// are slot-major (`slots·n` entries), the result is `[n, C]`.
///
/// One `index_select` per slot rather than one for all slots and a sum over them: that sum's
/// backward materialises a broadcast gradient of the whole selection, which made forward +
/// backward about twice as slow.
fn blend(rows: &Tensor, idx: &[u32], weights: &[f64], slots: usize) -> Result<Tensor> {
    let r = rows.dim(0)?;
    if r > u32::MAX as usize {
        bail!("{r} feature rows exceed the u32 index range");
    }
    let n = idx.len() / slots;
    let device = rows.device();
    let mut acc: Option<Tensor> = None;
    for (idx, weights) in idx.chunks_exact(n).zip(weights.chunks_exact(n)) {
        let idx = Tensor::from_slice(idx, n, device)?;
        let weights = Tensor::from_slice(weights, (n, 1), device)?.to_dtype(rows.dtype())?;
        let term = rows.index_select(&idx, 0)?.broadcast_mul(&weights)?;
        acc = Some(match acc {
            None => term,
            Some(acc) => (acc + term)?,
        });
    }
    match acc {
        Some(acc) => Ok(acc),
        None => bail!("blend needs at least one tap slot"),
    }
}

/// ROIAlign: pools each ROI of `x: [B, C, L]` to `out_len` linearly interpolated samples,
/// `[B, K·C, out_len]` (K = ROIs per item; sample `j` of ROI (s, e) is read at position
/// `s + (j + 0.5)·(e − s)/out_len`).
pub fn roi_align(x: &Tensor, rois: &[(f32, f32)], out_len: usize) -> Result<Tensor> {
    let (b, c, l) = x.dims3()?;
    let k = rois_per_item(b, rois)?;
    if out_len == 0 || l == 0 || c == 0 {
        bail!("roi_align needs a non-empty feature map and out_len ≥ 1 (L = {l}, C = {c})");
    }
    let n = rois.len() * out_len;
    // Two slots per output sample, slot-major, so each slot's rows are one contiguous block.
    // Degenerate ROIs keep index 0 with weight 0.
    let mut idx = vec![0u32; 2 * n];
    let mut weights = vec![0.0f64; 2 * n];
    for (r, &roi) in rois.iter().enumerate() {
        if degenerate(roi) {
            continue;
        }
        let base = (r / k) * l;
        let (start, step) = (roi.0 as f64, (roi.1 as f64 - roi.0 as f64) / out_len as f64);
        for j in 0..out_len {
            let (i0, i1, w0, w1) = taps(start + (j as f64 + 0.5) * step - 0.5, l);
            let o = r * out_len + j;
            idx[o] = (base + i0) as u32;
            idx[n + o] = (base + i1) as u32;
            weights[o] = w0;
            weights[n + o] = w1;
        }
    }
    // Rows of [B·L, C]: one row per time sample, so every tap is one contiguous copy.
    let rows = x.transpose(1, 2)?.contiguous()?.reshape((b * l, c))?;
    blend(&rows, &idx, &weights, 2)?
        .reshape((b, k, out_len, c))?
        .transpose(2, 3)?
        .contiguous()?
        .reshape((b, k * c, out_len))
}

/// Reverse ROIAlign: spreads `z: [B, K·C, out_len]` (as [`roi_align`] lays it out) back over
/// each ROI's span of a length-`len` axis, `[B, C, len]`; sample `t` with centre in `[s, e)`
/// reads ROI position `(t + 0.5 − s)·out_len/(e − s) − 0.5`, overlapping ROIs add, the rest is 0.
pub fn roi_unalign(z: &Tensor, rois: &[(f32, f32)], len: usize) -> Result<Tensor> {
    let (b, kc, out_len) = z.dims3()?;
    let k = rois_per_item(b, rois)?;
    if !kc.is_multiple_of(k) || kc == 0 || out_len == 0 || len == 0 {
        bail!(
            "roi_unalign: {kc} channels × {out_len} samples do not hold {k} ROIs per item \
             (or the output length {len} is 0)"
        );
    }
    let c = kc / k;
    let n = b * len;
    // Tiling deflections cover each sample once; overlapping ROIs need more tap pairs, so
    // count the deepest overlap first. At least one pair keeps z in the graph even when
    // nothing is covered, so its gradient is zero rather than missing.
    let mut depth = vec![0u32; n];
    for (r, &roi) in rois.iter().enumerate() {
        if !degenerate(roi) {
            let base = (r / k) * len;
            for t in covered(roi.0 as f64, roi.1 as f64, len) {
                depth[base + t] += 1;
            }
        }
    }
    let pairs = depth.iter().copied().max().unwrap_or(0).max(1) as usize;
    depth.fill(0);
    let mut idx = vec![0u32; 2 * pairs * n];
    let mut weights = vec![0.0f64; 2 * pairs * n];
    for (r, &roi) in rois.iter().enumerate() {
        if degenerate(roi) {
            continue;
        }
        let base = (r / k) * len;
        let (start, end) = (roi.0 as f64, roi.1 as f64);
        let scale = out_len as f64 / (end - start);
        for t in covered(start, end, len) {
            let o = base + t;
            let slot = 2 * depth[o] as usize;
            depth[o] += 1;
            let (j0, j1, w0, w1) = taps((t as f64 + 0.5 - start) * scale - 0.5, out_len);
            idx[slot * n + o] = (r * out_len + j0) as u32;
            idx[(slot + 1) * n + o] = (r * out_len + j1) as u32;
            weights[slot * n + o] = w0;
            weights[(slot + 1) * n + o] = w1;
        }
    }
    // Rows of [B·K·out_len, C]: row r·out_len + j is sample j of ROI r (r = b·K + k).
    let rows = z
        .reshape((b * k, c, out_len))?
        .transpose(1, 2)?
        .contiguous()?
        .reshape((b * k * out_len, c))?;
    blend(&rows, &idx, &weights, 2 * pairs)?
        .reshape((b, len, c))?
        .transpose(1, 2)?
        .contiguous()
}

#[cfg(test)]
mod tests;
