//! Cycles read from a lead's WFDB wave file, as LUDB's cardiologists marked them.

use super::bounds::CycleBounds;
use crate::record::annotation::Annotation;

/// The complete P-QRS-T-P sequences of a lead's wave file (`(` onset, `p`/`N`/`t` peak, `)`
/// offset, as LUDB writes them): a P wave, a QRS complex and a T wave, in that order and
/// nothing else between them, up to the onset of the next complete P wave, each ending inside
/// a record of `len` samples. Notes (`"`) are skipped; anything else breaks the sequence
/// across it.
pub fn cycles_from_waves(anns: &[Annotation], len: usize) -> Vec<CycleBounds> {
    let anns: Vec<&Annotation> = anns.iter().filter(|a| a.symbol != "\"").collect();
    let sym = |i: usize| anns.get(i).map(|a| a.symbol.as_str());
    // Each complete wave as (peak symbol, onset, offset); `None` breaks any cycle across it.
    let mut waves: Vec<Option<(char, usize, usize)>> = Vec::new();
    let mut i = 0;
    while i < anns.len() {
        if sym(i) == Some("(") && sym(i + 2) == Some(")") {
            let kind = match sym(i + 1) {
                Some("p") => Some('p'),
                Some("N") => Some('N'),
                Some("t") => Some('t'),
                _ => None,
            };
            let on = usize::try_from(anns[i].sample).ok();
            let off = usize::try_from(anns[i + 2].sample).ok();
            if let (Some(kind), Some(on), Some(off)) = (kind, on, off) {
                waves.push(Some((kind, on, off)));
                i += 3;
                continue;
            }
        }
        waves.push(None);
        i += 1;
    }
    waves
        .windows(4)
        .filter_map(|w| match w {
            [
                Some(('p', p_on, p_off)),
                Some(('N', q_on, q_off)),
                Some(('t', t_on, t_off)),
                Some(('p', next, _)),
            ] => CycleBounds::new([*p_on, *p_off, *q_on, *q_off, *t_on, *t_off, *next], len),
            _ => None,
        })
        .collect()
}

/// One LUDB-style beat for tests: P 0–20, QRS 40–60, T 120–180 samples after `p_on`.
#[cfg(test)]
pub(crate) fn test_beat(p_on: i64) -> Vec<Annotation> {
    [
        (0, "("),
        (10, "p"),
        (20, ")"),
        (40, "("),
        (50, "N"),
        (60, ")"),
        (120, "("),
        (150, "t"),
        (180, ")"),
    ]
    .into_iter()
    .map(|(d, s)| Annotation::new(p_on + d, s))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::test_beat as beat;
    use super::*;

    fn ann(sample: i64, symbol: &str) -> Annotation {
        Annotation::new(sample, symbol)
    }

    #[test]
    fn wave_files_give_complete_cycles_with_all_seven_boundaries() {
        let mut anns: Vec<_> = [100, 400, 800].into_iter().flat_map(beat).collect();
        anns.insert(9, ann(300, "\""));
        let got: Vec<[usize; 7]> = cycles_from_waves(&anns, 2000)
            .iter()
            .map(CycleBounds::as_array)
            .collect();
        assert_eq!(
            got,
            [
                [100, 120, 140, 160, 220, 280, 400],
                [400, 420, 440, 460, 520, 580, 800],
            ]
        );
        // The last cycle must end inside the record.
        assert_eq!(cycles_from_waves(&anns, 800).len(), 1);
        // A QRS without its peak breaks the sequence.
        anns.remove(5);
        assert_eq!(cycles_from_waves(&anns, 2000).len(), 1);
    }
}
