//! Fixed-point decimal text without trailing zeros, written straight into a buffer: figures and
//! signal files print hundreds of thousands of numbers, and `format!` per value dominates.

/// Append `v` rounded to `decimals` places (at most 9), trailing zeros dropped; `-0` prints as
/// `0`. `v` must be finite and below 9·10⁹ in magnitude.
pub(crate) fn push_fixed(out: &mut String, v: f64, decimals: u32) {
    let scale = 10i64.pow(decimals);
    push_scaled(out, (v * scale as f64).round() as i64, decimals);
}

/// Append the integer `n` read as `n / 10^decimals`.
pub(crate) fn push_scaled(out: &mut String, n: i64, decimals: u32) {
    if n < 0 {
        out.push('-');
    }
    let scale = 10u64.pow(decimals);
    let m = n.unsigned_abs();
    push_uint(out, m / scale);
    let mut frac = m % scale;
    if frac == 0 {
        return;
    }
    let mut digits = decimals;
    while frac.is_multiple_of(10) {
        frac /= 10;
        digits -= 1;
    }
    out.push('.');
    let mut buf = [b'0'; 20];
    for slot in buf[..digits as usize].iter_mut().rev() {
        *slot = b'0' + (frac % 10) as u8;
        frac /= 10;
    }
    out.push_str(std::str::from_utf8(&buf[..digits as usize]).unwrap_or_default());
}

fn push_uint(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(v: f64, d: u32) -> String {
        let mut s = String::new();
        push_fixed(&mut s, v, d);
        s
    }

    #[test]
    fn trims_zeros_and_signs() {
        assert_eq!(fixed(0.0, 2), "0");
        assert_eq!(fixed(-0.001, 2), "0");
        assert_eq!(fixed(12.5, 2), "12.5");
        assert_eq!(fixed(-3.456, 2), "-3.46");
        assert_eq!(fixed(0.05, 2), "0.05");
        assert_eq!(fixed(-0.05, 2), "-0.05");
        assert_eq!(fixed(100.0, 6), "100");
        assert_eq!(fixed(0.123456789, 6), "0.123457");
        assert_eq!(fixed(1.0 / 360.0, 9), "0.002777778");
    }

    #[test]
    fn matches_std_formatting_after_parsing() {
        for i in -2000..2000 {
            let v = i as f64 * 0.0137;
            let ours: f64 = fixed(v, 3).parse().unwrap();
            let std: f64 = format!("{v:.3}").parse().unwrap();
            assert!((ours - std).abs() < 1.1e-3, "{v}: {ours} vs {std}");
        }
    }
}
