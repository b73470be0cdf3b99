//! One lead's WFDB annotation list: a `(`, peak, `)` triple per wave, made disjoint, and each
//! cycle's flags as `"` notes placed at a sample outside every wave of the lead.

use crate::delineate::cycles::Cycle;
use crate::delineate::{LeadWaves, Wave};
use crate::record::annotation::Annotation;

fn annotation(sample: usize, symbol: &str, aux: Option<String>) -> Annotation {
    Annotation {
        sample: sample as i64,
        symbol: symbol.to_string(),
        subtype: 0,
        chan: 0,
        num: 0,
        aux,
    }
}

/// The lead's waves inside the record, sorted and disjoint: a `(`…`)` triple that overlaps the
/// one before it could not be told apart from it in the file, so its onset moves past the
/// previous offset (and a wave wholly inside the previous one is left out).
fn disjoint_waves(lead: &LeadWaves, len: usize) -> Vec<Wave> {
    let Some(last) = len.checked_sub(1) else {
        return Vec::new();
    };
    let mut waves = lead.waves.clone();
    waves.sort_by_key(|w| (w.on, w.off));
    let mut out: Vec<Wave> = Vec::with_capacity(waves.len());
    for w in waves {
        let lower = out.last().map_or(0, |p| p.off + 1);
        let on = w.on.max(lower);
        let off = w.off.min(last);
        if on > off {
            continue;
        }
        out.push(Wave {
            kind: w.kind,
            on,
            peak: w.peak.clamp(on, off),
            off,
        });
    }
    out
}

/// Stretches of samples (inclusive) outside every wave, from sample 1 to the record's last.
fn free_stretches(waves: &[Wave], len: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 1;
    for w in waves {
        if w.on > start {
            out.push((start, w.on - 1));
        }
        start = start.max(w.off + 1);
    }
    if len > start {
        out.push((start, len - 1));
    }
    out
}

/// Where a cycle's notes go in a lead with these waves and free stretches.
fn note_sample(c: &Cycle, waves: &[Wave], free: &[(usize, usize)]) -> usize {
    let in_free = |s: usize| free.iter().any(|&(a, b)| a <= s && s <= b);
    if in_free(c.p_on) {
        return c.p_on;
    }
    let middle_within = |lo: usize, hi: usize, last: bool| {
        // Free samples of [lo, hi) as (start, end) stretches, the last or first one's middle.
        let mut hits = free
            .iter()
            .filter(|&&(a, b)| lo < hi && a < hi && b >= lo)
            .map(|&(a, b)| (a.max(lo), b.min(hi - 1)));
        let hit = if last { hits.next_back() } else { hits.next() };
        hit.map(|(a, b)| a + (b - a) / 2)
    };
    if let Some(s) = middle_within(c.p_on, c.qrs_on, true) {
        return s;
    }
    if let Some(s) = middle_within(c.p_on, c.next_p_on, false) {
        return s;
    }
    if let Some(s) = free
        .iter()
        .map(|&(a, b)| c.p_on.clamp(a, b))
        .min_by_key(|&s| s.abs_diff(c.p_on))
    {
        return s;
    }
    // Waves cover every sample: the note goes right after the offset nearest the cycle's start,
    // which the stable sort in `lead_annotations` keeps after that `)`.
    waves
        .iter()
        .map(|w| w.off)
        .min_by_key(|&s| s.abs_diff(c.p_on))
        .unwrap_or(1)
        .max(1)
}

/// One lead's annotations as LUDB writes them (`(`, `p`/`N`/`t`, `)` per wave), with each
/// cycle's flags as `"` notes outside every triple of the lead; sorted by sample.
pub fn lead_annotations(lead: &LeadWaves, cycles: &[Cycle], len: usize) -> Vec<Annotation> {
    let waves = disjoint_waves(lead, len);
    let mut anns = Vec::with_capacity(3 * waves.len());
    for w in &waves {
        anns.push(annotation(w.on, "(", None));
        anns.push(annotation(w.peak, w.kind.symbol(), None));
        anns.push(annotation(w.off, ")", None));
    }
    let free = free_stretches(&waves, len);
    for c in cycles {
        if c.flags.is_empty() {
            continue;
        }
        let sample = note_sample(c, &waves, &free);
        for f in &c.flags {
            anns.push(annotation(sample, "\"", Some(f.as_str().to_string())));
        }
    }
    // Stable: a triple keeps its order when its samples coincide, and a note that has to share
    // a sample with a `)` stays after it.
    anns.sort_by_key(|a| a.sample);
    anns
}
