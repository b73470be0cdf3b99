//! The seven boundaries of one cardiac cycle as a checked value.

/// One cycle's seven boundaries as sample indices: P on, P off, QRS on, QRS off, T on, T off
/// and the next P on, which ends the cycle (both P onsets belong to it).
///
/// Only [`CycleBounds::new`] makes one, so every value never decreases and spans at least two
/// samples; indices are absolute in a record or relative to the cycle's start
/// ([`CycleBounds::relative`]), as each holder says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CycleBounds([usize; 7]);

impl CycleBounds {
    /// The boundaries `b` in time order, when they never decrease, the cycle holds at least two
    /// samples and its last sample lies inside a record of `len` samples.
    pub fn new(b: [usize; 7], len: usize) -> Option<Self> {
        (b.windows(2).all(|w| w[0] <= w[1]) && b[0] < b[6] && b[6] < len).then_some(Self(b))
    }

    /// P onset: the cycle's first sample.
    pub fn p_on(&self) -> usize {
        self.0[0]
    }

    /// P offset.
    pub fn p_off(&self) -> usize {
        self.0[1]
    }

    /// QRS onset.
    pub fn qrs_on(&self) -> usize {
        self.0[2]
    }

    /// QRS offset.
    pub fn qrs_off(&self) -> usize {
        self.0[3]
    }

    /// T onset.
    pub fn t_on(&self) -> usize {
        self.0[4]
    }

    /// T offset.
    pub fn t_off(&self) -> usize {
        self.0[5]
    }

    /// The next P onset: the cycle's last sample.
    pub fn next_p_on(&self) -> usize {
        self.0[6]
    }

    /// The cycle's first sample (its P onset).
    pub fn start(&self) -> usize {
        self.p_on()
    }

    /// The cycle's last sample, inclusive (the next P onset).
    pub fn end(&self) -> usize {
        self.next_p_on()
    }

    /// Samples in the cycle, both P onsets included.
    pub fn samples(&self) -> usize {
        self.end() - self.start() + 1
    }

    /// The seven boundaries in time order, for code that walks them by position.
    pub fn as_array(&self) -> [usize; 7] {
        self.0
    }

    /// The same boundaries counted from the cycle's start (its P onset becomes 0).
    pub fn relative(&self) -> Self {
        let start = self.start();
        Self(self.0.map(|v| v - start))
    }

    /// The same instants in a record resampled from `from` Hz to `to` Hz that holds `len`
    /// samples (index `i` becomes the sample nearest `i · to / from`, as
    /// [`crate::signal::resample`] aligns them); `None` when they no longer fit in it.
    pub fn at_rate(&self, from: f64, to: f64, len: usize) -> Option<Self> {
        let ratio = to / from;
        Self::new(self.0.map(|b| (b as f64 * ratio).round() as usize), len)
    }

    /// The boundaries counted from the cycle's start and stretched linearly onto a window of
    /// `samples` samples (at least two), as a cycle resampled to that length has them.
    pub fn stretched(&self, samples: usize) -> Self {
        let (n, m, start) = (self.samples(), samples.max(2), self.start());
        Self(self.0.map(|b| {
            (((b - start) as f64 * (m - 1) as f64 / (n - 1) as f64).round() as usize).min(m - 1)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_move_to_the_same_instants_at_another_rate() {
        let b = CycleBounds::new([100, 120, 140, 161, 220, 280, 400], 401).unwrap();
        let at500 = b.at_rate(1000.0, 500.0, 201).unwrap();
        assert_eq!(at500.as_array(), [50, 60, 70, 81, 110, 140, 200]);
        let at257 = b.at_rate(1000.0, 257.0, 104).unwrap();
        assert_eq!(at257.as_array(), [26, 31, 36, 41, 57, 72, 103]);
        // The record resampled too short to hold the cycle: no boundaries.
        assert_eq!(b.at_rate(1000.0, 500.0, 200), None);
        let back = at500.at_rate(500.0, 1000.0, 401).unwrap();
        assert!(
            back.as_array()
                .iter()
                .zip(b.as_array())
                .all(|(x, y)| x.abs_diff(y) <= 1)
        );
    }

    #[test]
    fn only_ordered_cycles_inside_the_record_are_made() {
        let b = CycleBounds::new([100, 120, 140, 160, 220, 280, 400], 401).unwrap();
        assert_eq!((b.start(), b.end(), b.samples()), (100, 400, 301));
        assert_eq!(
            [b.p_off(), b.qrs_on(), b.qrs_off(), b.t_on(), b.t_off()],
            [120, 140, 160, 220, 280]
        );
        assert_eq!(
            b.relative().as_array(),
            [0, 20, 40, 60, 120, 180, 300],
            "counted from the P onset"
        );
        assert!(CycleBounds::new([100, 120, 140, 160, 220, 280, 400], 400).is_none());
        assert!(CycleBounds::new([100, 130, 120, 160, 220, 280, 400], 500).is_none());
        assert!(CycleBounds::new([100; 7], 500).is_none(), "one sample");
        assert!(CycleBounds::new([0, 0, 0, 0, 0, 0, 1], 2).is_some());
        assert_eq!(
            b.stretched(151).as_array(),
            [0, 10, 20, 30, 60, 90, 150],
            "half the samples"
        );
    }
}
