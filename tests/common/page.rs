//! Reading the pages the export writes: an SVG path's points in mm, the paths of a class,
//! and a PDF's page size.

/// A path's points in mm, one list per pen-down run: `M` starts a run; `l` (relative), `h`,
/// `v` (relative) and `H`, `V` (absolute) extend it — the commands the report writes.
pub fn points(d: &str) -> Vec<Vec<(f64, f64)>> {
    let mut tokens: Vec<Result<f64, char>> = Vec::new();
    let mut num = String::new();
    for ch in d.chars().chain(std::iter::once(' ')) {
        let boundary = ch.is_ascii_alphabetic() || ch == ' ' || (ch == '-' && !num.is_empty());
        if boundary && !num.is_empty() {
            tokens.push(Ok(num.parse().unwrap()));
            num.clear();
        }
        if ch.is_ascii_alphabetic() {
            tokens.push(Err(ch));
        } else if ch != ' ' {
            num.push(ch);
        }
    }
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let (mut cmd, mut args) = (' ', Vec::new());
    for t in tokens.into_iter().chain(std::iter::once(Err(' '))) {
        match t {
            Ok(v) => args.push(v),
            Err(next) => {
                let mut at = runs.last().and_then(|r| r.last()).copied();
                match cmd {
                    'M' => {
                        runs.push(vec![(args[0], args[1])]);
                        at = Some((args[0], args[1]));
                        for p in args[2..].chunks_exact(2) {
                            let (x, y) = at.unwrap();
                            at = Some((x + p[0], y + p[1]));
                            runs.last_mut().unwrap().push(at.unwrap());
                        }
                    }
                    'l' => {
                        for p in args.chunks_exact(2) {
                            let (x, y) = at.unwrap();
                            at = Some((x + p[0], y + p[1]));
                            runs.last_mut().unwrap().push(at.unwrap());
                        }
                    }
                    'h' | 'v' | 'H' | 'V' => {
                        for &a in &args {
                            let (x, y) = at.unwrap();
                            at = Some(match cmd {
                                'h' => (x + a, y),
                                'v' => (x, y + a),
                                'H' => (a, y),
                                _ => (x, a),
                            });
                            runs.last_mut().unwrap().push(at.unwrap());
                        }
                    }
                    ' ' => assert!(args.is_empty()),
                    other => panic!("unexpected path command {other}"),
                }
                cmd = next;
                args.clear();
            }
        }
    }
    runs
}

/// The `d` of every path whose class attribute is exactly `class`.
pub fn paths<'a>(svg: &'a str, class: &str) -> Vec<&'a str> {
    let key = format!("class=\"{class}\" d=\"");
    svg.match_indices(&key)
        .map(|(at, _)| {
            let s = &svg[at + key.len()..];
            &s[..s.find('"').unwrap()]
        })
        .collect()
}

pub fn media_box_mm(pdf: &[u8]) -> (f64, f64) {
    let text = String::from_utf8_lossy(pdf);
    let at = text.find("/MediaBox").expect("PDF has a MediaBox");
    let open = at + text[at..].find('[').unwrap();
    let close = open + text[open..].find(']').unwrap();
    let v: Vec<f64> = text[open + 1..close]
        .split_whitespace()
        .map(|s| s.parse().unwrap())
        .collect();
    let mm = |pt: f64| pt / 72.0 * 25.4;
    (mm(v[2] - v[0]), mm(v[3] - v[1]))
}
