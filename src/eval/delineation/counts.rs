//! Poolable matching counts: [`Counts`] of one boundary kind with the figures derived from them
//! (Se, PPV, F1, mean and SD of the error), and the [`Tally`] of all six kinds.

use super::{BoundaryKind, KindScore};

/// Matching results of one boundary kind; sums rather than averages, so they pool by addition.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    /// Matched pairs.
    pub tp: usize,
    /// Predictions without a reference (within the annotated span).
    pub fp: usize,
    /// References without a prediction.
    pub fn_: usize,
    /// Sum over matched pairs of the error, prediction minus reference, in ms.
    pub sum_err_ms: f64,
    /// Sum over matched pairs of the squared error, in ms².
    pub sum_sq_err_ms: f64,
}

impl Counts {
    /// Add another set of counts (another lead or record) to these.
    pub fn add(&mut self, other: &Counts) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
        self.sum_err_ms += other.sum_err_ms;
        self.sum_sq_err_ms += other.sum_sq_err_ms;
    }

    /// Sensitivity TP / (TP + FN); NaN when there is no reference boundary.
    pub fn se(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// Positive predictive value TP / (TP + FP); NaN when there is no prediction.
    pub fn ppv(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// F1 = 2·TP / (2·TP + FP + FN), the harmonic mean of Se and PPV; NaN when there is neither
    /// a reference nor a prediction. (It is 0, not NaN, when only one of Se and PPV is defined.)
    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }

    /// Mean error (prediction − reference) in ms over matched pairs; NaN without a match.
    pub fn mean_ms(&self) -> f64 {
        if self.tp == 0 {
            return f64::NAN;
        }
        self.sum_err_ms / self.tp as f64
    }

    /// Population standard deviation (divisor TP, not TP − 1) of the error in ms over matched
    /// pairs; NaN without a match.
    pub fn sd_ms(&self) -> f64 {
        if self.tp == 0 {
            return f64::NAN;
        }
        let n = self.tp as f64;
        let mean = self.sum_err_ms / n;
        // Rounding can leave a tiny negative variance when every error is the same.
        (self.sum_sq_err_ms / n - mean * mean).max(0.0).sqrt()
    }

    /// The figures of these counts, as reported.
    pub fn score(&self) -> KindScore {
        KindScore {
            se: self.se(),
            ppv: self.ppv(),
            f1: self.f1(),
            mean_ms: self.mean_ms(),
            sd_ms: self.sd_ms(),
            tp: self.tp,
            fp: self.fp,
            fn_: self.fn_,
        }
    }
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        f64::NAN
    } else {
        num as f64 / den as f64
    }
}

/// Counts of all six boundary kinds, indexed by [`BoundaryKind::index`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    /// One entry per kind, in [`BoundaryKind::ALL`] order.
    pub counts: [Counts; 6],
}

impl Tally {
    /// The counts of one kind.
    pub fn get(&self, kind: BoundaryKind) -> &Counts {
        &self.counts[kind.index()]
    }

    /// Add another tally (another lead or record) to this one.
    pub fn add(&mut self, other: &Tally) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            mine.add(theirs);
        }
    }
}
